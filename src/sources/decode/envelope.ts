/**
 * The Debezium change envelope, whatever carried it (JSON with or without schema, Avro):
 * `{ before, after, source: { lsn, ts_ms, snapshot, sequence, ... }, op, ts_ms, transaction? }`.
 *
 * Rules (each violation is a dead letter with a stable code, B13):
 * - `op` c/u/d/r is a change, `t` a truncate (B6); anything else RECON_DL_UNKNOWN_OP; no `op` and no
 *   `source` RECON_DL_NOT_AN_ENVELOPE (an unwrapped row belongs to the `json-rows` format).
 * - `source.ts_ms` is required (it drives the watermark): RECON_DL_MISSING_FIELD.
 * - The version is `source.lsn` (Postgres). When it is null (Debezium's incremental-snapshot rows
 *   carry `lsn: null`), the second element of `source.sequence` (a JSON string array
 *   `["lastCommitLsn","lsn"]`) is used. Other connectors' positions (MySQL `pos`, Oracle `scn`, ...)
 *   are out of scope: neither present is RECON_DL_MISSING_FIELD naming `source.lsn`.
 * - `after` is required for c/u/r. A delete without `before` (REPLICA IDENTITY NOTHING) takes its
 *   key from the message key; without one it is RECON_DL_KEY_MISSING.
 * - `source.snapshot`: "true", "first", "last", "first_in_data_collection",
 *   "last_in_data_collection" (and any other unknown marker, and boolean true) are the initial
 *   snapshot; "incremental" an incremental snapshot; "false", null or absent no snapshot.
 */
import type { ColumnHint, DecodeResult, Op, Provenance, RawRow } from '../../domain/change.ts';
import { badValue, deadLetter, missingField } from './dead-letter.ts';
import { isObject } from './exact-json.ts';
import type { RowValues } from './types.ts';

/** Reads the message key as a row when a delete has no `before`; null when there is none. */
export type KeyRow = () => RowValues | null;

const NO_KEY: KeyRow = () => null;

export function snapshotKind(marker: unknown): 'no' | 'initial' | 'incremental' {
  if (marker === undefined || marker === null || marker === 'false' || marker === false) return 'no';
  if (marker === 'incremental') return 'incremental';
  return 'initial';
}

const DIGITS = /^\d+$/;

/**
 * A non-negative integer version from a number, bigint or decimal string; undefined if it is none.
 * A number outside the safe range is refused: it was rounded (exact-json.ts turns those into bigints).
 */
export function toVersion(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  if (typeof value === 'bigint') return value >= 0n ? value : undefined;
  if (typeof value === 'string' && DIGITS.test(value)) return BigInt(value);
  return undefined;
}

/** The version from `source`, or a dead letter naming the field. */
function versionOf(source: Record<string, unknown>, provenance: Provenance): bigint | DecodeResult {
  const lsn = source.lsn;
  if (lsn !== undefined && lsn !== null) {
    return toVersion(lsn) ?? badValue('source.lsn', 'a non-negative integer', provenance);
  }
  const sequence = source.sequence;
  if (typeof sequence === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(sequence);
    } catch {
      return badValue('source.sequence', 'a JSON array of LSN strings', provenance);
    }
    if (Array.isArray(parsed) && parsed.length >= 2 && parsed[1] !== null) {
      return toVersion(parsed[1]) ?? badValue('source.sequence', 'a JSON array of LSN strings', provenance);
    }
  }
  return missingField('source.lsn', provenance);
}

function rowOf(values: RowValues, hints: Record<string, ColumnHint> | undefined): RawRow {
  return hints === undefined ? { values } : { values, hints };
}

/**
 * Interprets a parsed envelope. `hints` (from an embedded or Avro schema) is attached to both row
 * images; `keyRow` is only called for a delete without `before`.
 */
export function decodeEnvelope(
  envelope: unknown,
  provenance: Provenance,
  hints: Record<string, ColumnHint> | undefined,
  keyRow: KeyRow = NO_KEY,
): DecodeResult {
  if (!isObject(envelope)) {
    return deadLetter('RECON_DL_NOT_AN_ENVELOPE', 'value is not a JSON object', provenance);
  }
  const e = envelope as Record<string, unknown>;
  const op = e.op;
  const source = e.source;
  if (op === undefined && source === undefined) {
    return deadLetter(
      'RECON_DL_NOT_AN_ENVELOPE',
      'value has neither "op" nor "source": not a Debezium change envelope (unwrapped rows need the json-rows format)',
      provenance,
    );
  }
  if (op !== 'c' && op !== 'u' && op !== 'd' && op !== 'r' && op !== 't') {
    if (op === undefined || op === null) return missingField('op', provenance);
    return deadLetter('RECON_DL_UNKNOWN_OP', 'field "op" is not one of c, u, d, r, t', provenance);
  }
  if (!isObject(source)) {
    return source === undefined || source === null ? missingField('source', provenance) : badValue('source', 'an object', provenance);
  }
  const s = source as Record<string, unknown>;
  const tsMs = s.ts_ms;
  if (typeof tsMs !== 'number' || !Number.isFinite(tsMs)) {
    return tsMs === undefined || tsMs === null ? missingField('source.ts_ms', provenance) : badValue('source.ts_ms', 'a number', provenance);
  }
  if (op === 't') return { kind: 'truncate', sourceTsMs: tsMs, provenance };

  const version = versionOf(s, provenance);
  if (typeof version !== 'bigint') return version;

  const before = e.before;
  const after = e.after;
  if (before !== undefined && before !== null && !isObject(before)) return badValue('before', 'an object or null', provenance);
  let beforeRow: RawRow | null = before ? rowOf(before as RowValues, hints) : null;
  let afterRow: RawRow | null = null;
  if (op === 'd') {
    if (beforeRow === null) {
      const key = keyRow();
      if (key === null) {
        return deadLetter('RECON_DL_KEY_MISSING', 'op "d" has no "before" and the message has no usable key', provenance);
      }
      beforeRow = { values: key };
    }
  } else {
    if (after === undefined || after === null) return missingField('after', provenance);
    if (!isObject(after)) return badValue('after', 'an object', provenance);
    afterRow = rowOf(after as RowValues, hints);
  }
  return {
    kind: 'change',
    op: op as Op,
    before: beforeRow,
    after: afterRow,
    version,
    sourceTsMs: tsMs,
    snapshot: snapshotKind(s.snapshot),
    provenance,
  };
}
