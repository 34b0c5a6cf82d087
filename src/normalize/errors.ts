/**
 * Why a value (or an entity's normalisation setup) was refused. Messages name the column and its
 * type, never the value: values may be personal data (invariant 7), and these messages end up in
 * dead letters and logs. Tests assert `code`, not the text.
 */
import type { ColumnType } from '../domain/entity.ts';

export const NORMALIZE_ERROR_CODES = [
  /** The value cannot be read as its column type (e.g. letters in a decimal, a malformed date). */
  'RECON_NORMALIZE_BAD_VALUE',
  /** A JS number beyond 2^53 where exact digits are needed: the decoder lost them already. */
  'RECON_NORMALIZE_UNSAFE_NUMBER',
  /** An amount with more fraction digits than its configured scale, or a decimal without a known scale. */
  'RECON_NORMALIZE_SCALE',
  /** A time value finer than Postgres' microsecond (non-zero 7th..9th fraction digit). */
  'RECON_NORMALIZE_PRECISION',
  /** A date or time outside what the canonical form covers (before year 1, beyond JS Date's range). */
  'RECON_NORMALIZE_OUT_OF_RANGE',
  /** A key column is NULL or absent. */
  'RECON_NORMALIZE_MISSING_KEY',
  /** The business-day column or an amount column is absent from the row. */
  'RECON_NORMALIZE_MISSING_COLUMN',
  /** A key, business-day or amount column carries Debezium's unavailable-value placeholder. */
  'RECON_NORMALIZE_UNAVAILABLE',
  /** The entity cannot be normalised as configured (e.g. a float amount, a text business day). */
  'RECON_NORMALIZE_CONFIG',
] as const;
export type NormalizeErrorCode = (typeof NORMALIZE_ERROR_CODES)[number];

export class NormalizeError extends Error {
  override readonly name = 'NormalizeError';
  readonly code: NormalizeErrorCode;
  /** Normalisation is deterministic: the same input fails the same way on every retry. */
  readonly retriable = false;
  /** The column at fault, when there is one. */
  readonly column: string | undefined;
  /** The type the column was read as, when known. */
  readonly columnType: ColumnType | undefined;

  constructor(
    code: NormalizeErrorCode,
    reason: string,
    where: { column?: string; columnType?: ColumnType; cause?: unknown } = {},
  ) {
    const at = where.column === undefined ? '' : ` (column '${where.column}'${where.columnType ? `, type ${where.columnType}` : ''})`;
    super(`${reason}${at}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.code = code;
    this.column = where.column;
    this.columnType = where.columnType;
  }
}
