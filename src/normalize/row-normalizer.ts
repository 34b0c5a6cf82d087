/**
 * Compiles an entity into a RowNormalizer: the hot path from a decoded row to everything the state
 * needs (canonical key, business day, scaled amounts, row hash, per-column hashes and fingerprints),
 * and nothing that carries a row value.
 */
import type { ColumnHint, RawRow, RawValue, Side } from '../domain/change.ts';
import type { ColumnType, EntityModel } from '../domain/entity.ts';
import {
  type ColumnRules,
  type DayAndTime,
  type Infinite,
  canonicalDecimalValue,
  canonicalOf,
  dateText,
  fail,
  hintMeaning,
  isUnavailable,
  readDate,
  readTimestamp,
  resolveType,
  timestampText,
} from './canonical.ts';
import { MS_PER_DAY } from './civil.ts';
import { scaledAmount } from './decimal.ts';
import { NormalizeError } from './errors.ts';
import { canonicalKey, columnHashFromParts, lengthPrefixed } from './hash.ts';
import { ZoneOffsets, zoneOffsets } from './zone-offsets.ts';

/** Everything the engine keeps of one row version; no raw values. */
export interface NormalizedRow {
  /** Canonical key (length-prefixed canonical values of the key columns, in key order). */
  key: string;
  /**
   * Business day, days since 1970-01-01: a timestamptz's date in the entity's time zone, a
   * timestamp's or date's own date. null when the day column is NULL or ±infinity: such a row
   * belongs to no day (the SQL twin leaves it out of every day too).
   */
  day: number | null;
  /** One per configured amount, scaled by 10^scale, exact; NULL counts as 0 (as SQL's sum skips it). */
  amounts: bigint[];
  /** Σ columnHashes mod 2^64, over the columns that were present and available. */
  rowHash: bigint;
  /** One per hashed column (RowNormalizer.hashedColumns); 0n for a missing or unavailable column. */
  columnHashes: bigint[];
  /** Low 16 bits of each column hash, aligned likewise (0 for missing or unavailable). */
  fingerprints: Uint16Array;
  /**
   * Hashed columns that carried `__debezium_unavailable_value` (unchanged TOAST): their hash is
   * not in rowHash; the engine adds the stored one.
   */
  unavailable: string[];
  /** Hashed columns absent from the row (a schema change on this side): not in rowHash either. */
  missingColumns: string[];
}

export interface RowNormalizer {
  readonly entity: string;
  readonly keyColumns: readonly string[];
  /** The columns hashed, sorted by name (UTF-16 code unit order); aligned with columnHashes. */
  readonly hashedColumns: readonly string[];
  /** The amount columns, in the configured order; aligned with amounts. */
  readonly amountColumns: readonly string[];
  /** @throws NormalizeError */
  normalize(row: RawRow): NormalizedRow;
  /** The canonical key alone, for deletes that carry only the key. @throws NormalizeError */
  canonicalKeyOf(row: RawRow): string;
  /** The canonical value of any column of the row (e.g. a safe column for a mismatch event); undefined when absent or unavailable. */
  canonicalValueOf(column: string, row: RawRow): string | null | undefined;
}

export interface CompileOptions {
  /** The side whose stream is read: picks `sources[side].decimalHandling` when the model has sources. */
  side?: Side;
}

const DAY_TYPES: ReadonlySet<ColumnType> = new Set(['date', 'timestamp', 'timestamptz']);
const AMOUNT_TYPES: ReadonlySet<ColumnType> = new Set(['integer', 'decimal']);

interface HashedColumn {
  rules: ColumnRules;
  /** `${octets(name)}:${name}`, computed once. */
  part: string;
  /** Index among the key columns, or -1. */
  keyIndex: number;
  isDay: boolean;
}

function configError(reason: string, column?: string): NormalizeError {
  return new NormalizeError('RECON_NORMALIZE_CONFIG', reason, column === undefined ? {} : { column });
}

/**
 * Builds the normaliser of an entity. `columnNames` are the table's columns as this side knows
 * them (they resolve `hashColumns: 'all'`); the SQL twin must be given the same list.
 * @throws NormalizeError RECON_NORMALIZE_CONFIG when the model cannot be normalised
 */
export function compileEntity(model: EntityModel, columnNames: readonly string[], options: CompileOptions = {}): RowNormalizer {
  const decimalHandling = (options.side !== undefined ? model.sources?.[options.side]?.decimalHandling : undefined) ?? model.decimalHandling;
  const rulesCache = new Map<string, ColumnRules>();
  const rulesOf = (name: string): ColumnRules => {
    let r = rulesCache.get(name);
    if (r === undefined) {
      const spec = Object.hasOwn(model.columns, name) ? model.columns[name] : undefined;
      r = Object.freeze({ name, declared: spec?.type, scale: spec?.scale, unit: spec?.unit, decimalHandling });
      rulesCache.set(name, r);
    }
    return r;
  };

  if (model.key.length === 0) throw configError('an entity needs at least one key column');
  let zone: ZoneOffsets;
  try {
    zone = zoneOffsets(model.timeZone);
  } catch {
    throw configError(`unknown time zone for entity '${model.name}'`);
  }
  const dayRules = rulesOf(model.dayColumn);
  if (dayRules.declared !== undefined && !DAY_TYPES.has(dayRules.declared)) {
    throw configError('the business-day column must be a date, timestamp or timestamptz', model.dayColumn);
  }
  for (const a of model.amounts) {
    const declared = rulesOf(a.column).declared;
    if (declared !== undefined && !AMOUNT_TYPES.has(declared)) {
      throw configError('an amount column must be an integer or decimal (floating point cannot be summed exactly)', a.column);
    }
    if (!Number.isInteger(a.scale) || a.scale < 0) throw configError('an amount scale must be a whole number >= 0', a.column);
  }

  const excluded = new Set(model.excludeColumns);
  const chosen = model.hashColumns === 'all' ? columnNames.filter((c) => !excluded.has(c)) : [...model.hashColumns];
  const hashedNames = [...new Set([...chosen, ...model.key])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const keyRules = model.key.map(rulesOf);
  const hashed: HashedColumn[] = hashedNames.map((name) => ({
    rules: rulesOf(name),
    part: lengthPrefixed(name),
    keyIndex: model.key.indexOf(name),
    isDay: name === model.dayColumn,
  }));
  const amounts = model.amounts.map((a) => ({ rules: rulesOf(a.column), scale: a.scale }));
  const n = hashed.length;

  function keyValues(values: Record<string, RawValue>, hints: Record<string, ColumnHint> | undefined): string[] {
    const out: string[] = new Array<string>(keyRules.length);
    for (let i = 0; i < keyRules.length; i++) {
      const rules = keyRules[i] as ColumnRules;
      const raw = values[rules.name];
      if (raw === undefined || raw === null) {
        throw new NormalizeError('RECON_NORMALIZE_MISSING_KEY', 'key column is NULL or absent', { column: rules.name });
      }
      const hint = hints?.[rules.name];
      const type = resolveType(rules, raw, hint);
      if (isUnavailable(raw, type)) {
        throw new NormalizeError('RECON_NORMALIZE_UNAVAILABLE', 'key column carries the unavailable-value placeholder', { column: rules.name });
      }
      out[i] = canonicalOf(type, raw, hint, rules);
    }
    return out;
  }

  /** The business day and, when its type is the one hashing would use, the day column's canonical text. */
  function businessDay(values: Record<string, RawValue>, hints: Record<string, ColumnHint> | undefined): { day: number | null; canonical: string | null | undefined } {
    const raw = values[dayRules.name];
    if (raw === undefined) throw new NormalizeError('RECON_NORMALIZE_MISSING_COLUMN', 'business-day column is absent', { column: dayRules.name });
    if (raw === null) return { day: null, canonical: null };
    const hint = hints?.[dayRules.name];
    let type = resolveType(dayRules, raw, hint);
    if (isUnavailable(raw, type)) throw new NormalizeError('RECON_NORMALIZE_UNAVAILABLE', 'business-day column carries the unavailable-value placeholder', { column: dayRules.name });
    let reuse = true;
    if (!DAY_TYPES.has(type)) {
      // Undeclared, no hint: an ISO text with a zone is an instant, without one a wall-clock time.
      if (dayRules.declared !== undefined || hintMeaning(hint).type !== undefined || typeof raw !== 'string') {
        fail('RECON_NORMALIZE_CONFIG', 'business-day value is not a date or timestamp (declare the column type)', dayRules, type);
      }
      type = /(?:Z|z|[+-]\d\d(?::?\d\d)?)$/.test(raw) && raw.length > 10 ? 'timestamptz' : 'timestamp';
      reuse = false;
    }
    if (type === 'date') {
      const d = readDate(raw, hint, dayRules);
      return { day: typeof d === 'string' ? null : d, canonical: reuse ? dateText(d) : undefined };
    }
    const point: DayAndTime | Infinite = readTimestamp(raw, hint, dayRules, type as 'timestamp' | 'timestamptz');
    const canonical = reuse ? timestampText(point, type === 'timestamptz') : undefined;
    if (typeof point === 'string') return { day: null, canonical };
    if (type === 'timestamp') return { day: point.days, canonical };
    if (!ZoneOffsets.inRange(point.days * MS_PER_DAY)) fail('RECON_NORMALIZE_OUT_OF_RANGE', 'timestamp beyond the time-zone tables', dayRules, type);
    return { day: zone.localDay(point.days, point.us), canonical };
  }

  function amountOf(values: Record<string, RawValue>, hints: Record<string, ColumnHint> | undefined, rules: ColumnRules, scale: number): bigint {
    const raw = values[rules.name];
    if (raw === undefined) throw new NormalizeError('RECON_NORMALIZE_MISSING_COLUMN', 'amount column is absent', { column: rules.name });
    if (raw === null) return 0n;
    const hint = hints?.[rules.name];
    const type = resolveType(rules, raw, hint);
    if (isUnavailable(raw, type)) throw new NormalizeError('RECON_NORMALIZE_UNAVAILABLE', 'amount column carries the unavailable-value placeholder', { column: rules.name });
    const canonical = type === 'integer' ? canonicalOf('integer', raw, hint, rules) : canonicalDecimalValue(raw, hint, rules);
    const scaled = scaledAmount(canonical, scale);
    if (scaled === undefined) {
      if (canonical === 'NaN' || canonical.endsWith('Infinity')) fail('RECON_NORMALIZE_BAD_VALUE', 'an amount must be a finite number', rules, 'decimal');
      fail('RECON_NORMALIZE_SCALE', `amount has more fraction digits than its scale ${scale}`, rules, 'decimal');
    }
    return scaled;
  }

  function normalize(row: RawRow): NormalizedRow {
    const values = row.values;
    const hints = row.hints;
    const keys = keyValues(values, hints);
    const key = canonicalKey(keys);
    const keyPart = lengthPrefixed(key);
    const { day, canonical: dayCanonical } = businessDay(values, hints);

    const columnHashes: bigint[] = new Array<bigint>(n);
    const fingerprints = new Uint16Array(n);
    const unavailable: string[] = [];
    const missingColumns: string[] = [];
    let sum = 0n;
    for (let i = 0; i < n; i++) {
      const col = hashed[i] as HashedColumn;
      const name = col.rules.name;
      let value: string | null;
      if (col.keyIndex >= 0) value = keys[col.keyIndex] as string;
      else if (col.isDay && dayCanonical !== undefined) value = dayCanonical;
      else {
        const raw = values[name];
        if (raw === undefined) {
          missingColumns.push(name);
          columnHashes[i] = 0n;
          continue;
        }
        if (raw === null) value = null;
        else {
          const hint = hints?.[name];
          const type = resolveType(col.rules, raw, hint);
          if (isUnavailable(raw, type)) {
            unavailable.push(name);
            columnHashes[i] = 0n;
            continue;
          }
          value = canonicalOf(type, raw, hint, col.rules);
        }
      }
      const h = columnHashFromParts(keyPart, col.part, value);
      columnHashes[i] = h;
      fingerprints[i] = Number(h & 0xffffn);
      sum += h;
    }

    const amountValues: bigint[] = new Array<bigint>(amounts.length);
    for (let j = 0; j < amounts.length; j++) {
      const a = amounts[j] as { rules: ColumnRules; scale: number };
      amountValues[j] = amountOf(values, hints, a.rules, a.scale);
    }
    return {
      key,
      day,
      amounts: amountValues,
      rowHash: BigInt.asUintN(64, sum),
      columnHashes,
      fingerprints,
      unavailable,
      missingColumns,
    };
  }

  return Object.freeze({
    entity: model.name,
    keyColumns: Object.freeze([...model.key]),
    hashedColumns: Object.freeze(hashedNames),
    amountColumns: Object.freeze(model.amounts.map((a) => a.column)),
    normalize,
    canonicalKeyOf(row: RawRow): string {
      return canonicalKey(keyValues(row.values, row.hints));
    },
    canonicalValueOf(column: string, row: RawRow): string | null | undefined {
      const raw = row.values[column];
      if (raw === undefined) return undefined;
      if (raw === null) return null;
      const rules = rulesOf(column);
      const hint = row.hints?.[column];
      const type = resolveType(rules, raw, hint);
      return isUnavailable(raw, type) ? undefined : canonicalOf(type, raw, hint, rules);
    },
  });
}
