/**
 * The canonical text of one column value, per logical column type (docs/canonical-form.md): the
 * same string Postgres computes with the type's SQL expression in src/sql/day-digest.ts, whatever
 * encoding the value arrived in (Debezium JSON with or without schema, Avro).
 */
import type { ColumnHint, RawValue } from '../domain/change.ts';
import { UNAVAILABLE_VALUE } from '../domain/change.ts';
import type { ColumnType, DecimalHandling, TimeUnit } from '../domain/entity.ts';
import { MS_PER_DAY, US_PER_DAY, isoDate, isoTime, parseDateTime, parseTime, yearOfDays } from './civil.ts';
import { DECIMAL_SPECIALS, bigIntFromTwosComplement, bytesFromBase64, decimalFromString, decimalFromUnscaled } from './decimal.ts';
import { NormalizeError, type NormalizeErrorCode } from './errors.ts';
import { float4Text, float8Text } from './float-text.ts';

/** How one column is read: its declared type and the overrides a schemaless stream needs. */
export interface ColumnRules {
  readonly name: string;
  /** Declared type; overrides the stream's hint and the inference from the value. */
  readonly declared: ColumnType | undefined;
  /** Scale of decimals sent as bytes when the stream does not carry it. */
  readonly scale: number | undefined;
  /** Unit of time values sent as numbers when the stream does not say. */
  readonly unit: TimeUnit | undefined;
  /** How this side's connector encodes decimals, for strings without a hint. */
  readonly decimalHandling: DecimalHandling;
}

/** What a Kafka Connect / Debezium schema hint says about a value. */
export interface HintMeaning {
  type: ColumnType | undefined;
  /** For numbers of time types. */
  unit: TimeUnit | undefined;
  /** For decimals: base64/bytes of the unscaled integer, a {scale, value} struct, or a decimal string. */
  decimal: 'bytes' | 'struct' | 'string' | undefined;
  /** For `bytes` decimals: the scale parameter. */
  scale: number | undefined;
}

const NO_MEANING: HintMeaning = Object.freeze({ type: undefined, unit: undefined, decimal: undefined, scale: undefined });

function meaning(type: ColumnType, unit?: TimeUnit): HintMeaning {
  return Object.freeze({ type, unit, decimal: undefined, scale: undefined });
}

const BY_NAME: ReadonlyMap<string, HintMeaning> = new Map([
  ['io.debezium.time.Date', meaning('date', 'days')],
  ['org.apache.kafka.connect.data.Date', meaning('date', 'days')],
  ['io.debezium.time.Time', meaning('time', 'ms')],
  ['io.debezium.time.MicroTime', meaning('time', 'us')],
  ['io.debezium.time.NanoTime', meaning('time', 'ns')],
  ['org.apache.kafka.connect.data.Time', meaning('time', 'ms')],
  ['io.debezium.time.Timestamp', meaning('timestamp', 'ms')],
  ['io.debezium.time.MicroTimestamp', meaning('timestamp', 'us')],
  ['io.debezium.time.NanoTimestamp', meaning('timestamp', 'ns')],
  ['org.apache.kafka.connect.data.Timestamp', meaning('timestamp', 'ms')],
  ['io.debezium.time.ZonedTimestamp', meaning('timestamptz')],
  ['io.debezium.time.IsoDate', meaning('date')],
  ['io.debezium.time.IsoTime', meaning('time')],
  ['io.debezium.time.IsoTimestamp', meaning('timestamp')],
  ['io.debezium.data.Uuid', meaning('uuid')],
  ['io.debezium.data.Json', meaning('json')],
  ['io.debezium.data.Xml', meaning('text')],
  ['io.debezium.data.Enum', meaning('text')],
  ['io.debezium.data.VariableScaleDecimal', Object.freeze({ type: 'decimal', unit: undefined, decimal: 'struct', scale: undefined } as const)],
]);

const BY_TYPE: ReadonlyMap<string, HintMeaning> = new Map([
  ['int8', meaning('integer')],
  ['int16', meaning('integer')],
  ['int32', meaning('integer')],
  ['int64', meaning('integer')],
  ['float32', meaning('float4')],
  ['float64', meaning('float8')],
  ['boolean', meaning('boolean')],
  ['string', meaning('text')],
  ['bytes', meaning('bytea')],
]);

const DECIMAL_NAME = 'org.apache.kafka.connect.data.Decimal';

/** What a hint says; an unknown hint says nothing (the value's own shape decides). */
export function hintMeaning(hint: ColumnHint | undefined): HintMeaning {
  if (hint === undefined) return NO_MEANING;
  if (hint.name !== undefined) {
    if (hint.name === DECIMAL_NAME) {
      const scaleText = hint.parameters?.scale;
      const scale = scaleText === undefined ? undefined : Number(scaleText);
      return {
        type: 'decimal',
        unit: undefined,
        decimal: hint.type === 'string' ? 'string' : 'bytes',
        scale: scale !== undefined && Number.isInteger(scale) ? scale : undefined,
      };
    }
    const named = BY_NAME.get(hint.name);
    if (named !== undefined) return named;
  }
  return BY_TYPE.get(hint.type) ?? NO_MEANING;
}

/** The type a value is read as: declared, else from the hint, else inferred from the value's shape. */
export function resolveType(rules: ColumnRules, raw: RawValue, hint: ColumnHint | undefined): ColumnType {
  if (rules.declared !== undefined) return rules.declared;
  const fromHint = hintMeaning(hint).type;
  if (fromHint !== undefined) return fromHint;
  return inferType(raw);
}

/** Without a declared type or a hint: integers, booleans, strings, {scale, value} decimals, bytes; else text. */
export function inferType(raw: RawValue): ColumnType {
  switch (typeof raw) {
    case 'bigint':
      return 'integer';
    case 'number':
      return Number.isInteger(raw) ? 'integer' : 'text';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'text';
    default:
      if (raw instanceof Uint8Array) return 'bytea';
      if (isScaledStruct(raw)) return 'decimal';
      return 'text';
  }
}

function isScaledStruct(raw: RawValue): raw is { scale: number | bigint; value: string | Uint8Array } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) return false;
  const r = raw as Record<string, RawValue>;
  return (
    (typeof r.scale === 'number' || typeof r.scale === 'bigint') &&
    (typeof r.value === 'string' || r.value instanceof Uint8Array) &&
    Object.keys(r).length === 2
  );
}

const PLACEHOLDER_BYTES = Buffer.from(UNAVAILABLE_VALUE, 'utf8');
const PLACEHOLDER_BASE64 = PLACEHOLDER_BYTES.toString('base64');

/**
 * Whether a value is Debezium's unchanged-TOAST placeholder: the string; for binary columns its
 * bytes (Avro) or their base64 (JSON).
 */
export function isUnavailable(raw: RawValue, type: ColumnType): boolean {
  if (typeof raw === 'string') return raw === UNAVAILABLE_VALUE || (type === 'bytea' && raw === PLACEHOLDER_BASE64);
  if (raw instanceof Uint8Array) return raw.length === PLACEHOLDER_BYTES.length && PLACEHOLDER_BYTES.equals(raw);
  return false;
}

export function fail(code: NormalizeErrorCode, reason: string, rules: ColumnRules, type: ColumnType): never {
  throw new NormalizeError(code, reason, { column: rules.name, columnType: type });
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** Decimal digits of an exact integer value (number, bigint or digit string), or undefined. */
function integerDigits(raw: RawValue, rules: ColumnRules, type: ColumnType): string | undefined {
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw)) return undefined;
    if (!Number.isSafeInteger(raw)) fail('RECON_NORMALIZE_UNSAFE_NUMBER', 'integer beyond 2^53 arrived as a JS number (digits already lost)', rules, type);
    return `${raw}`;
  }
  if (typeof raw === 'bigint') return `${raw}`;
  if (typeof raw === 'string' && /^[+-]?\d+$/.test(raw)) {
    const negative = raw[0] === '-';
    const digits = raw.replace(/^[+-]?0*/, '');
    return digits === '' ? '0' : negative ? `-${digits}` : digits;
  }
  return undefined;
}

function canonicalInteger(raw: RawValue, rules: ColumnRules): string {
  const digits = integerDigits(raw, rules, 'integer');
  if (digits === undefined) fail('RECON_NORMALIZE_BAD_VALUE', 'not an integer', rules, 'integer');
  return digits;
}

function scaleOf(rules: ColumnRules, m: HintMeaning): number {
  const scale = m.scale ?? rules.scale;
  if (scale === undefined) {
    fail('RECON_NORMALIZE_SCALE', 'decimal sent as bytes without a scale (no schema parameter, no configured scale)', rules, 'decimal');
  }
  return scale;
}

/** Canonical decimal text; see docs/canonical-form.md for the encodings. */
export function canonicalDecimalValue(raw: RawValue, hint: ColumnHint | undefined, rules: ColumnRules): string {
  const m = hintMeaning(hint);
  if (typeof raw === 'string') {
    // The hint decides; without one, the side's decimal.handling.mode. Precise mode cannot carry
    // NaN/Infinity as bytes, so those words are read as text even then ("Infinity" is valid base64).
    const encoding = m.decimal ?? (m.type === undefined ? (rules.decimalHandling === 'precise' ? 'bytes' : 'string') : m.type === 'bytea' ? 'bytes' : 'string');
    if (encoding === 'bytes' && !(m.decimal === undefined && DECIMAL_SPECIALS.has(raw))) {
      const bytes = bytesFromBase64(raw);
      if (bytes === undefined) fail('RECON_NORMALIZE_BAD_VALUE', 'decimal (precise) is not base64', rules, 'decimal');
      return decimalFromUnscaled(bigIntFromTwosComplement(bytes), scaleOf(rules, m));
    }
    const text = decimalFromString(raw);
    if (text === undefined) fail('RECON_NORMALIZE_BAD_VALUE', 'not a decimal', rules, 'decimal');
    return text;
  }
  if (raw instanceof Uint8Array) return decimalFromUnscaled(bigIntFromTwosComplement(raw), scaleOf(rules, m));
  if (typeof raw === 'bigint') return `${raw}`;
  if (typeof raw === 'number') {
    const digits = integerDigits(raw, rules, 'decimal');
    if (digits === undefined) {
      fail('RECON_NORMALIZE_BAD_VALUE', 'decimal arrived as a binary floating-point number (lossy; use decimal.handling.mode string or precise)', rules, 'decimal');
    }
    return digits;
  }
  if (isScaledStruct(raw)) {
    const scale = Number(raw.scale);
    if (!Number.isSafeInteger(scale) || Math.abs(scale) > 100_000) fail('RECON_NORMALIZE_BAD_VALUE', 'variable-scale decimal with an invalid scale', rules, 'decimal');
    const bytes = typeof raw.value === 'string' ? bytesFromBase64(raw.value) : raw.value;
    if (bytes === undefined) fail('RECON_NORMALIZE_BAD_VALUE', 'variable-scale decimal value is not base64', rules, 'decimal');
    return decimalFromUnscaled(bigIntFromTwosComplement(bytes), scale);
  }
  fail('RECON_NORMALIZE_BAD_VALUE', 'not a decimal', rules, 'decimal');
}

function floatOf(raw: RawValue, rules: ColumnRules, type: ColumnType): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string') {
    if (raw === 'NaN') return NaN;
    if (raw === 'Infinity' || raw === '+Infinity') return Infinity;
    if (raw === '-Infinity') return -Infinity;
    if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(raw)) return Number(raw);
  }
  if (typeof raw === 'bigint') return Number(raw);
  fail('RECON_NORMALIZE_BAD_VALUE', 'not a floating-point number', rules, type);
}

// ---------------------------------------------------------------------------------------------
// Dates and times

/** The infinite timestamps and dates Postgres has. */
export type Infinite = 'infinity' | '-infinity';

/** A finite time point: whole days since 1970-01-01 plus microseconds into that day. */
export interface DayAndTime {
  days: number;
  us: number;
}

/**
 * What Debezium 3.x sends for Postgres' ±infinity timestamps as numbers
 * (PostgresValueConverter: pgjdbc's PGStatement.DATE_POSITIVE_INFINITY / DATE_NEGATIVE_INFINITY
 * read as microseconds, converted to the field's unit; NanoTimestamp uses Long.MAX/MIN_VALUE).
 * Zoned timestamps come as the strings "infinity" / "-infinity" instead.
 */
export const TIMESTAMP_INFINITY_SENTINELS: Readonly<Record<'ms' | 'us' | 'ns', readonly [bigint, bigint]>> = {
  us: [9_223_372_036_825_200_000n, -9_223_372_036_832_400_000n],
  ms: [9_223_372_036_825_200n, -9_223_372_036_832_400n],
  ns: [9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n],
};

/**
 * What Debezium 3.x sends for Postgres' ±infinity dates (io.debezium.time.Date, int32 days):
 * its sentinel dates +5877611-06-21 and -5877611-06-22 are DATEVAL_NOEND / DATEVAL_NOBEGIN shifted
 * by Postgres' 2000-01-01 epoch, and `(int) toEpochDay()` wraps them to these two values.
 */
export const DATE_INFINITY_SENTINELS: readonly [number, number] = [-2_147_472_692, -2_147_472_691];

const SENTINEL_NUMBERS: Readonly<Record<'ms' | 'us' | 'ns', readonly [number, number]>> = {
  us: [Number(TIMESTAMP_INFINITY_SENTINELS.us[0]), Number(TIMESTAMP_INFINITY_SENTINELS.us[1])],
  ms: [Number(TIMESTAMP_INFINITY_SENTINELS.ms[0]), Number(TIMESTAMP_INFINITY_SENTINELS.ms[1])],
  ns: [Number(TIMESTAMP_INFINITY_SENTINELS.ns[0]), Number(TIMESTAMP_INFINITY_SENTINELS.ns[1])],
};

const PER_DAY: Readonly<Record<TimeUnit, number>> = { days: 1, ms: MS_PER_DAY, us: US_PER_DAY, ns: US_PER_DAY * 1000 };
const PER_DAY_BIG: Readonly<Record<TimeUnit, bigint>> = { days: 1n, ms: BigInt(MS_PER_DAY), us: BigInt(US_PER_DAY), ns: BigInt(US_PER_DAY) * 1000n };

function infiniteText(raw: string): Infinite | undefined {
  if (raw === 'infinity' || raw === '+infinity' || raw === 'Infinity') return 'infinity';
  if (raw === '-infinity' || raw === '-Infinity') return '-infinity';
  return undefined;
}

/** Splits an integer count of `unit` since the epoch into days and microseconds of the day. */
function splitEpoch(raw: number | bigint, unit: TimeUnit, rules: ColumnRules, type: ColumnType): DayAndTime | Infinite {
  if (unit !== 'days') {
    if (typeof raw === 'bigint') {
      const [pos, neg] = TIMESTAMP_INFINITY_SENTINELS[unit];
      if (raw === pos) return 'infinity';
      if (raw === neg) return '-infinity';
    } else {
      const [pos, neg] = SENTINEL_NUMBERS[unit];
      if (raw === pos) return 'infinity';
      if (raw === neg) return '-infinity';
    }
  }
  let days: number;
  let rem: number;
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw)) fail('RECON_NORMALIZE_BAD_VALUE', `not a whole number of ${unit}`, rules, type);
    if (!Number.isSafeInteger(raw)) fail('RECON_NORMALIZE_UNSAFE_NUMBER', `count of ${unit} beyond 2^53 arrived as a JS number`, rules, type);
    const perDay = PER_DAY[unit];
    days = Math.floor(raw / perDay);
    rem = raw - days * perDay;
  } else {
    const perDay = PER_DAY_BIG[unit];
    let d = raw / perDay;
    let r = raw - d * perDay;
    if (r < 0n) {
      d -= 1n;
      r += perDay;
    }
    days = Number(d);
    rem = Number(r);
  }
  switch (unit) {
    case 'days':
      return { days, us: 0 };
    case 'ms':
      return { days, us: rem * 1000 };
    case 'us':
      return { days, us: rem };
    case 'ns':
      if (rem % 1000 !== 0) fail('RECON_NORMALIZE_PRECISION', 'time finer than a microsecond', rules, type);
      return { days, us: rem / 1000 };
  }
}

function checkYear(days: number, rules: ColumnRules, type: ColumnType): void {
  const year = yearOfDays(days);
  if (!(year >= 1 && year <= 294_276)) fail('RECON_NORMALIZE_OUT_OF_RANGE', 'date outside years 1..294276', rules, type);
}

/** Days since 1970-01-01 of a date value, or an infinity. */
export function readDate(raw: RawValue, hint: ColumnHint | undefined, rules: ColumnRules): number | Infinite {
  if (typeof raw === 'number' || typeof raw === 'bigint') {
    const unit = hintMeaning(hint).unit ?? rules.unit ?? 'days';
    if (unit === 'days') {
      const n = Number(raw);
      if (n === DATE_INFINITY_SENTINELS[0]) return 'infinity';
      if (n === DATE_INFINITY_SENTINELS[1]) return '-infinity';
    }
    const point = splitEpoch(raw, unit, rules, 'date');
    if (typeof point === 'string') return point;
    if (point.us !== 0) fail('RECON_NORMALIZE_BAD_VALUE', 'date with a time of day', rules, 'date');
    checkYear(point.days, rules, 'date');
    return point.days;
  }
  if (typeof raw === 'string') {
    const inf = infiniteText(raw);
    if (inf !== undefined) return inf;
    const parsed = parseDateTime(raw);
    if (parsed === undefined) fail('RECON_NORMALIZE_BAD_VALUE', 'not a date', rules, 'date');
    checkYear(parsed.days, rules, 'date');
    return parsed.days;
  }
  fail('RECON_NORMALIZE_BAD_VALUE', 'not a date', rules, 'date');
}

/** Microseconds since midnight of a time value. */
export function readTime(raw: RawValue, hint: ColumnHint | undefined, rules: ColumnRules): number {
  if (typeof raw === 'number' || typeof raw === 'bigint') {
    const unit = hintMeaning(hint).unit ?? rules.unit ?? 'us';
    const n = Number(raw);
    if (!Number.isSafeInteger(n)) fail('RECON_NORMALIZE_BAD_VALUE', `not a whole number of ${unit}`, rules, 'time');
    let us: number;
    switch (unit) {
      case 'ms':
        us = n * 1000;
        break;
      case 'us':
        us = n;
        break;
      case 'ns':
        if (n % 1000 !== 0) fail('RECON_NORMALIZE_PRECISION', 'time finer than a microsecond', rules, 'time');
        us = n / 1000;
        break;
      default:
        fail('RECON_NORMALIZE_CONFIG', 'a time of day cannot be counted in days', rules, 'time');
    }
    if (us < 0 || us > US_PER_DAY) fail('RECON_NORMALIZE_OUT_OF_RANGE', 'time of day outside 00:00..24:00', rules, 'time');
    return us;
  }
  if (typeof raw === 'string') {
    const t = parseTime(raw);
    if (t === undefined) fail('RECON_NORMALIZE_BAD_VALUE', 'not a time of day', rules, 'time');
    if (t.subMicro) fail('RECON_NORMALIZE_PRECISION', 'time finer than a microsecond', rules, 'time');
    return t.us;
  }
  fail('RECON_NORMALIZE_BAD_VALUE', 'not a time of day', rules, 'time');
}

/**
 * A timestamp value as days + microseconds: wall-clock for `timestamp`, UTC for `timestamptz`.
 * A text with a zone is converted to UTC for both (a `timestamp` sent with a zone means that
 * instant's UTC wall clock); a `timestamptz` text without a zone is read as UTC.
 */
export function readTimestamp(raw: RawValue, hint: ColumnHint | undefined, rules: ColumnRules, type: 'timestamp' | 'timestamptz'): DayAndTime | Infinite {
  let point: DayAndTime | Infinite;
  if (typeof raw === 'number' || typeof raw === 'bigint') {
    const unit = hintMeaning(hint).unit ?? rules.unit ?? (type === 'timestamptz' ? 'ms' : 'us');
    point = splitEpoch(raw, unit, rules, type);
  } else if (typeof raw === 'string') {
    const inf = infiniteText(raw);
    if (inf !== undefined) return inf;
    if (/^[+-]?\d+$/.test(raw)) return readTimestamp(BigInt(raw), hint, rules, type);
    const parsed = parseDateTime(raw);
    if (parsed === undefined) fail('RECON_NORMALIZE_BAD_VALUE', 'not a timestamp', rules, type);
    if (parsed.subMicro) fail('RECON_NORMALIZE_PRECISION', 'timestamp finer than a microsecond', rules, type);
    let us = parsed.us - (parsed.offsetSeconds ?? 0) * 1_000_000;
    let days = parsed.days;
    if (us < 0 || us >= US_PER_DAY) {
      const shift = Math.floor(us / US_PER_DAY);
      days += shift;
      us -= shift * US_PER_DAY;
    }
    point = { days, us };
  } else {
    fail('RECON_NORMALIZE_BAD_VALUE', 'not a timestamp', rules, type);
  }
  if (typeof point !== 'string') checkYear(point.days, rules, type);
  return point;
}

export function dateText(days: number | Infinite): string {
  return typeof days === 'string' ? days : isoDate(days);
}

export function timestampText(point: DayAndTime | Infinite, zoned: boolean): string {
  if (typeof point === 'string') return point;
  return `${isoDate(point.days)}T${isoTime(point.us)}${zoned ? 'Z' : ''}`;
}

// ---------------------------------------------------------------------------------------------
// The rest

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

function canonicalUuid(raw: RawValue, rules: ColumnRules): string {
  let hex: string | undefined;
  if (typeof raw === 'string') {
    const s = raw.length === 38 && raw[0] === '{' && raw[37] === '}' ? raw.slice(1, 37) : raw;
    if (UUID_RE.test(s)) hex = s.replaceAll('-', '').toLowerCase();
  } else if (raw instanceof Uint8Array && raw.length === 16) {
    hex = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
  }
  if (hex === undefined || hex.length !== 32) fail('RECON_NORMALIZE_BAD_VALUE', 'not a UUID', rules, 'uuid');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function canonicalBytea(raw: RawValue, rules: ColumnRules): string {
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
  if (typeof raw === 'string') {
    const bytes = bytesFromBase64(raw);
    if (bytes !== undefined) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  }
  fail('RECON_NORMALIZE_BAD_VALUE', 'not base64 or bytes', rules, 'bytea');
}

function canonicalBoolean(raw: RawValue, rules: ColumnRules): string {
  if (raw === true || raw === 'true' || raw === 't') return 'true';
  if (raw === false || raw === 'false' || raw === 'f') return 'false';
  fail('RECON_NORMALIZE_BAD_VALUE', 'not a boolean', rules, 'boolean');
}

/** JSON text of any raw value, with bigints as their digits and bytes as base64 (keys in arrival order). */
export function stringifyRaw(raw: RawValue): string {
  if (raw === null) return 'null';
  switch (typeof raw) {
    case 'string':
      return JSON.stringify(raw);
    case 'number':
      return Number.isFinite(raw) ? `${raw}` : 'null';
    case 'bigint':
      return `${raw}`;
    case 'boolean':
      return raw ? 'true' : 'false';
  }
  if (raw instanceof Uint8Array) return JSON.stringify(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64'));
  if (Array.isArray(raw)) return `[${raw.map(stringifyRaw).join(',')}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(raw)) parts.push(`${JSON.stringify(k)}:${stringifyRaw(v)}`);
  return `{${parts.join(',')}}`;
}

function canonicalText(raw: RawValue): string {
  switch (typeof raw) {
    case 'string':
      return raw;
    case 'boolean':
      return raw ? 'true' : 'false';
    case 'bigint':
      return `${raw}`;
    case 'number':
      return `${raw}`;
    default:
      return stringifyRaw(raw);
  }
}

/**
 * The canonical text of a non-null, available value of the given type.
 * @throws NormalizeError naming the column and type (never the value)
 */
export function canonicalOf(type: ColumnType, raw: RawValue, hint: ColumnHint | undefined, rules: ColumnRules): string {
  switch (type) {
    case 'text':
      return canonicalText(raw);
    case 'char':
      return canonicalText(raw).replace(/ +$/, '');
    case 'integer':
      return canonicalInteger(raw, rules);
    case 'decimal':
      return canonicalDecimalValue(raw, hint, rules);
    case 'float8':
      return float8Text(floatOf(raw, rules, type));
    case 'float4':
      return float4Text(floatOf(raw, rules, type));
    case 'boolean':
      return canonicalBoolean(raw, rules);
    case 'uuid':
      return canonicalUuid(raw, rules);
    case 'json':
    case 'jsonb':
      if (typeof raw !== 'string') fail('RECON_NORMALIZE_BAD_VALUE', 'JSON must arrive as its text', rules, type);
      return raw;
    case 'bytea':
      return canonicalBytea(raw, rules);
    case 'date':
      return dateText(readDate(raw, hint, rules));
    case 'time':
      return isoTime(readTime(raw, hint, rules));
    case 'timestamp':
      return timestampText(readTimestamp(raw, hint, rules, 'timestamp'), false);
    case 'timestamptz':
      return timestampText(readTimestamp(raw, hint, rules, 'timestamptz'), true);
  }
}

/** Canonical text of a value (null stays null); the caller has already set the placeholder aside. */
export function canonicalValue(rules: ColumnRules, raw: RawValue, hint?: ColumnHint): string | null {
  if (raw === null) return null;
  return canonicalOf(resolveType(rules, raw, hint), raw, hint, rules);
}
