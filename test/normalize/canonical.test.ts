/**
 * Golden tables: every encoding a value can arrive in gives the one canonical text of its type
 * (docs/canonical-form.md). Rows are [what, declared type, raw value, hint, rule overrides, expected].
 */
import { describe, expect, test } from 'vitest';
import type { ColumnHint, RawValue } from '../../src/domain/change.ts';
import { UNAVAILABLE_VALUE } from '../../src/domain/change.ts';
import type { ColumnType } from '../../src/domain/entity.ts';
import {
  type ColumnRules,
  DATE_INFINITY_SENTINELS,
  TIMESTAMP_INFINITY_SENTINELS,
  canonicalValue,
  isUnavailable,
} from '../../src/normalize/canonical.ts';
import { NormalizeError } from '../../src/normalize/errors.ts';

function rules(over: Partial<ColumnRules> = {}): ColumnRules {
  return { name: 'c', declared: undefined, scale: undefined, unit: undefined, decimalHandling: 'string', ...over };
}

/** Big-endian two's complement of an integer, as Kafka Connect's Decimal encodes the unscaled value. */
function twos(n: bigint): Uint8Array {
  let bytes = 1;
  while (n >= 1n << BigInt(8 * bytes - 1) || n < -(1n << BigInt(8 * bytes - 1))) bytes++;
  const u = BigInt.asUintN(8 * bytes, n);
  return Uint8Array.from(Buffer.from(u.toString(16).padStart(2 * bytes, '0'), 'hex'));
}
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

const DECIMAL_HINT = (scale: number): ColumnHint => ({ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: String(scale) } });
const VSD: ColumnHint = { type: 'struct', name: 'io.debezium.data.VariableScaleDecimal' };
const hint = (type: string, name?: string): ColumnHint => (name === undefined ? { type } : { type, name });

type Row = [what: string, declared: ColumnType | undefined, raw: RawValue, hint: ColumnHint | undefined, over: Partial<ColumnRules>, expected: string | null];

function table(rows: Row[]): void {
  test.each(rows)('%s', (_what, declared, raw, h, over, expected) => {
    expect(canonicalValue(rules({ declared, ...over }), raw, h)).toBe(expected);
  });
}

describe('text and char', () => {
  table([
    ['text as is', 'text', 'Hello  ', undefined, {}, 'Hello  '],
    ['unicode and emoji untouched', 'text', 'Grüße 🙂 — 東京', undefined, {}, 'Grüße 🙂 — 東京'],
    ['empty string is not NULL', 'text', '', undefined, {}, ''],
    ['NULL stays null', 'text', null, undefined, {}, null],
    ['char: trailing spaces go (bpchar::text)', 'char', 'ab   ', undefined, {}, 'ab'],
    ['char: leading spaces stay', 'char', '  ab ', undefined, {}, '  ab'],
    ['char: all spaces become empty', 'char', '     ', undefined, {}, ''],
  ]);
});

describe('integer (B12: beyond 2^53 exact)', () => {
  table([
    ['number', 'integer', 42, undefined, {}, '42'],
    ['negative number', 'integer', -7, undefined, {}, '-7'],
    ['-0 is 0', 'integer', -0, undefined, {}, '0'],
    ['bigint 2^63-1', 'integer', 9223372036854775807n, undefined, {}, '9223372036854775807'],
    ['bigint -2^63', 'integer', -9223372036854775808n, undefined, {}, '-9223372036854775808'],
    ['2^53+1 as bigint', 'integer', 9007199254740993n, undefined, {}, '9007199254740993'],
    ['digit string', 'integer', '9007199254740993', undefined, {}, '9007199254740993'],
    ['digit string with leading zeros', 'integer', '-000120', undefined, {}, '-120'],
    ['digit string zero', 'integer', '-000', undefined, {}, '0'],
  ]);

  test('a JS number beyond 2^53 is refused: its digits are already lost', () => {
    expect(() => canonicalValue(rules({ declared: 'integer' }), 2 ** 60)).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_UNSAFE_NUMBER' }));
  });
  test('a fraction is not an integer', () => {
    expect(() => canonicalValue(rules({ declared: 'integer' }), 1.5)).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_BAD_VALUE' }));
  });
});

describe('decimal (B9: string, precise bytes and variable scale give one value)', () => {
  table([
    ['string 10.50', 'decimal', '10.50', undefined, {}, '10.5'],
    ['string 10.00', 'decimal', '10.00', undefined, {}, '10'],
    ['string 10.', 'decimal', '10.', undefined, {}, '10'],
    ['string -0.0', 'decimal', '-0.0', undefined, {}, '0'],
    ['string .5', 'decimal', '.5', undefined, {}, '0.5'],
    ['string 0.000100', 'decimal', '0.000100', undefined, {}, '0.0001'],
    ['string with exponent 1E+3', 'decimal', '1E+3', undefined, {}, '1000'],
    ['string with exponent 12.5e-3', 'decimal', '12.5e-3', undefined, {}, '0.0125'],
    ['string leading zeros', 'decimal', '007.10', undefined, {}, '7.1'],
    ['string many digits', 'decimal', '-123456789012345678901234567890.123456789000', undefined, {}, '-123456789012345678901234567890.123456789'],
    ['NaN', 'decimal', 'NaN', undefined, {}, 'NaN'],
    ['Infinity', 'decimal', 'Infinity', undefined, {}, 'Infinity'],
    ['-Infinity', 'decimal', '-Infinity', undefined, {}, '-Infinity'],
    ['precise, hint scale 2: 1050 → 10.5', 'decimal', b64(twos(1050n)), DECIMAL_HINT(2), {}, '10.5'],
    ['precise literal BBo= (0x041a = 1050), scale 2', 'decimal', 'BBo=', DECIMAL_HINT(2), {}, '10.5'],
    ['precise negative: -1050 → -10.5', 'decimal', b64(twos(-1050n)), DECIMAL_HINT(2), {}, '-10.5'],
    ['precise literal ++Y= (0xfbe6 = -1050), scale 2', 'decimal', '++Y=', DECIMAL_HINT(2), {}, '-10.5'],
    ['precise zero bytes AA==, scale 2', 'decimal', 'AA==', DECIMAL_HINT(2), {}, '0'],
    ['precise 128 needs a sign byte (0x0080)', 'decimal', b64(twos(128n)), DECIMAL_HINT(0), {}, '128'],
    ['precise without hint: config precise + ColumnSpec.scale', 'decimal', b64(twos(1050n)), undefined, { decimalHandling: 'precise', scale: 2 }, '10.5'],
    ['precise, Avro bytes + hint scale', 'decimal', twos(1050n), DECIMAL_HINT(2), {}, '10.5'],
    ['precise, big unscaled value', 'decimal', b64(twos(-123456789012345678901234567890n)), DECIMAL_HINT(9), {}, '-123456789012345678901.23456789'],
    ['variable scale {scale: 2, value}', 'decimal', { scale: 2, value: b64(twos(1050n)) }, VSD, {}, '10.5'],
    ['variable scale {scale: 1, value: 105}', 'decimal', { scale: 1, value: b64(twos(105n)) }, VSD, {}, '10.5'],
    ['variable scale with Avro bytes', 'decimal', { scale: 3, value: twos(10500n) }, VSD, {}, '10.5'],
    ['variable scale inferred without hint', undefined, { scale: 2, value: b64(twos(1050n)) }, undefined, {}, '10.5'],
    ['hint string type: decimal string even in precise mode', 'decimal', '10.50', hint('string'), { decimalHandling: 'precise' }, '10.5'],
    ['precise mode, no hint, NaN word stays text', 'decimal', 'NaN', undefined, { decimalHandling: 'precise' }, 'NaN'],
    ['integer number into decimal', 'decimal', 42, undefined, {}, '42'],
    ['bigint into decimal', 'decimal', 12345678901234567890n, undefined, {}, '12345678901234567890'],
  ]);

  test('the same decimal via string, precise bytes and variable scale is one canonical value', () => {
    const viaString = canonicalValue(rules({ declared: 'decimal' }), '1234.5600');
    const viaPrecise = canonicalValue(rules({ declared: 'decimal' }), b64(twos(123456n)), DECIMAL_HINT(2));
    const viaAvro = canonicalValue(rules({ declared: 'decimal' }), twos(1234560n), DECIMAL_HINT(3));
    const viaVariable = canonicalValue(rules(), { scale: 2, value: b64(twos(123456n)) }, VSD);
    expect(new Set([viaString, viaPrecise, viaAvro, viaVariable])).toEqual(new Set(['1234.56']));
  });

  test.each([
    ['letters', 'decimal', '12a.5', undefined, {}],
    ['empty', 'decimal', '', undefined, {}],
    ['a lone point', 'decimal', '.', undefined, {}],
    ['a binary float (double mode)', 'decimal', 10.5, undefined, {}],
    ['precise but not base64', 'decimal', '10.50', DECIMAL_HINT(2), {}],
  ] as [string, ColumnType, RawValue, ColumnHint | undefined, Partial<ColumnRules>][])('refused: %s, with a message that never carries the value', (_w, declared, raw, h, over) => {
    let error: unknown;
    try {
      canonicalValue(rules({ declared, name: 'price', ...over }), raw, h);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NormalizeError);
    const ne = error as NormalizeError;
    expect(ne.code).toBe('RECON_NORMALIZE_BAD_VALUE');
    expect(ne.column).toBe('price');
    expect(ne.message).toContain("'price'");
    expect(ne.message).toContain('decimal');
    if (typeof raw === 'string' && raw.length > 1) expect(ne.message).not.toContain(raw);
  });

  test('precise bytes without any scale are refused', () => {
    expect(() => canonicalValue(rules({ declared: 'decimal', decimalHandling: 'precise' }), b64(twos(1050n)))).toThrow(
      expect.objectContaining({ code: 'RECON_NORMALIZE_SCALE' }),
    );
  });
});

describe('float8 and float4 (Postgres float8out/float4out text)', () => {
  table([
    ['float8 0.1', 'float8', 0.1, undefined, {}, '0.1'],
    ['float8 0.1+0.2', 'float8', 0.1 + 0.2, undefined, {}, '0.30000000000000004'],
    ['float8 1e15 goes exponential', 'float8', 1e15, undefined, {}, '1e+15'],
    ['float8 1e14 stays positional', 'float8', 1e14, undefined, {}, '100000000000000'],
    ['float8 1e20', 'float8', 1e20, undefined, {}, '1e+20'],
    ['float8 1.5e-05', 'float8', 1.5e-5, undefined, {}, '1.5e-05'],
    ['float8 0.0001 stays positional', 'float8', 0.0001, undefined, {}, '0.0001'],
    ['float8 -0', 'float8', -0, undefined, {}, '-0'],
    ['float8 NaN string', 'float8', 'NaN', undefined, {}, 'NaN'],
    ['float8 Infinity string', 'float8', 'Infinity', undefined, {}, 'Infinity'],
    ['float8 -Infinity number', 'float8', -Infinity, undefined, {}, '-Infinity'],
    ['float8 smallest subnormal', 'float8', 5e-324, undefined, {}, '5e-324'],
    ['float8 max', 'float8', 1.7976931348623157e308, undefined, {}, '1.7976931348623157e+308'],
    // Postgres excludes the rounding interval's ends (Ryu without STRICTLY_SHORTEST); JS prints 1e+23
    ['float8 1e23 sits on an interval end', 'float8', 1e23, undefined, {}, '9.999999999999999e+22'],
    ['float8 integer on an interval end', 'float8', -221666630565922000, undefined, {}, '-2.2166663056592198e+17'],
    ['float8 another one', 'float8', 26938570371482750, undefined, {}, '2.6938570371482752e+16'],
    ['float4 0.1 (sent as Java Float.toString)', 'float4', 0.1, undefined, {}, '0.1'],
    ['float4 1.1 read as float32', 'float4', 1.100000023841858, undefined, {}, '1.1'],
    ['float4 1e6 goes exponential', 'float4', 1e6, undefined, {}, '1e+06'],
    ['float4 123456 stays positional', 'float4', 123456, undefined, {}, '123456'],
    ['float4 2^30', 'float4', 2 ** 30, undefined, {}, '1.0737418e+09'],
    ['float4 16777217 rounds to 16777216', 'float4', 16777217, undefined, {}, '1.6777216e+07'],
    ['float4 max', 'float4', 3.4028234663852886e38, undefined, {}, '3.4028235e+38'],
    ['float4 smallest subnormal', 'float4', 1.401298464324817e-45, undefined, {}, '1e-45'],
    ['float4 1/3', 'float4', 1 / 3, undefined, {}, '0.33333334'],
    ['float inferred from hint float64', undefined, 2.5, hint('float64'), {}, '2.5'],
    ['float inferred from hint float32', undefined, 0.30000001192092896, hint('float32'), {}, '0.3'],
  ]);
});

describe('boolean, uuid, json, bytea', () => {
  table([
    ['true', 'boolean', true, undefined, {}, 'true'],
    ['false', 'boolean', false, undefined, {}, 'false'],
    ['uuid uppercase', 'uuid', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', undefined, {}, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    ['uuid without hyphens', 'uuid', 'a0eebc999c0b4ef8bb6d6bb9bd380a11', undefined, {}, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    ['uuid in braces', 'uuid', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', undefined, {}, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    ['uuid from hint', undefined, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', hint('string', 'io.debezium.data.Uuid'), {}, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    ['json text as sent', 'json', '{"b": 1,  "a": [1, 2]}', undefined, {}, '{"b": 1,  "a": [1, 2]}'],
    ['jsonb text as sent', 'jsonb', '{"a": [1, 2], "b": 1}', undefined, {}, '{"a": [1, 2], "b": 1}'],
    ['bytea base64 (JSON)', 'bytea', 'AAEC/w==', undefined, {}, '000102ff'],
    ['bytea Uint8Array (Avro)', 'bytea', Uint8Array.from([0, 1, 2, 255]), undefined, {}, '000102ff'],
    ['bytea empty', 'bytea', '', undefined, {}, ''],
    ['bytea from hint bytes', undefined, 'AAEC/w==', hint('bytes'), {}, '000102ff'],
  ]);
});

describe('date', () => {
  const days = Date.UTC(2024, 1, 29) / 86_400_000;
  table([
    ['days since epoch (io.debezium.time.Date)', 'date', days, hint('int32', 'io.debezium.time.Date'), {}, '2024-02-29'],
    ['days, no hint, default unit', 'date', days, undefined, {}, '2024-02-29'],
    ['Connect Date', undefined, days, hint('int32', 'org.apache.kafka.connect.data.Date'), {}, '2024-02-29'],
    ['ISO string', 'date', '2024-02-29', undefined, {}, '2024-02-29'],
    ['IsoDate with Z', undefined, '2024-02-29Z', hint('string', 'io.debezium.time.IsoDate'), {}, '2024-02-29'],
    ['epoch', 'date', 0, undefined, {}, '1970-01-01'],
    ['before the epoch', 'date', -1, undefined, {}, '1969-12-31'],
    ['year 1', 'date', '0001-01-01', undefined, {}, '0001-01-01'],
    ['year 9999', 'date', '9999-12-31', undefined, {}, '9999-12-31'],
    ['year 12345', 'date', '+12345-06-01', undefined, {}, '12345-06-01'],
    ['Debezium +infinity sentinel', 'date', DATE_INFINITY_SENTINELS[0], hint('int32', 'io.debezium.time.Date'), {}, 'infinity'],
    ['Debezium -infinity sentinel', 'date', DATE_INFINITY_SENTINELS[1], hint('int32', 'io.debezium.time.Date'), {}, '-infinity'],
    ['infinity string', 'date', 'infinity', undefined, {}, 'infinity'],
  ]);
  test('a non-date is refused', () => {
    expect(() => canonicalValue(rules({ declared: 'date' }), '2023-02-29')).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_BAD_VALUE' }));
  });
});

describe('time', () => {
  const us = ((13 * 60 + 5) * 60 + 9) * 1_000_000 + 123_456;
  table([
    ['MicroTime', undefined, us, hint('int64', 'io.debezium.time.MicroTime'), {}, '13:05:09.123456'],
    ['µs, no hint, default unit', 'time', us, undefined, {}, '13:05:09.123456'],
    ['Time (ms)', undefined, 47_109_123, hint('int32', 'io.debezium.time.Time'), {}, '13:05:09.123000'],
    ['Connect Time (ms)', undefined, 47_109_123, hint('int32', 'org.apache.kafka.connect.data.Time'), {}, '13:05:09.123000'],
    ['NanoTime', undefined, us * 1000, hint('int64', 'io.debezium.time.NanoTime'), {}, '13:05:09.123456'],
    ['configured unit ms', 'time', 47_109_123, undefined, { unit: 'ms' }, '13:05:09.123000'],
    ['ISO string', 'time', '13:05:09.123456', undefined, {}, '13:05:09.123456'],
    ['ISO string short fraction', 'time', '13:05:09.1', undefined, {}, '13:05:09.100000'],
    ['ISO string without seconds', 'time', '13:05', undefined, {}, '13:05:00.000000'],
    ['IsoTime with Z', undefined, '13:05:09.123456Z', hint('string', 'io.debezium.time.IsoTime'), {}, '13:05:09.123456'],
    ['midnight', 'time', 0, undefined, {}, '00:00:00.000000'],
    ['24:00:00 (Postgres allows it)', 'time', 86_400_000_000, undefined, {}, '24:00:00.000000'],
  ]);
});

describe('timestamp and timestamptz (B10: ms, µs, ns and ISO with or without zone agree)', () => {
  const ms = Date.UTC(2024, 2, 10, 1, 59, 59, 123);
  const expected = '2024-03-10T01:59:59.123000';
  table([
    ['Timestamp (ms)', undefined, ms, hint('int64', 'io.debezium.time.Timestamp'), {}, expected],
    ['Connect Timestamp (ms)', undefined, ms, hint('int64', 'org.apache.kafka.connect.data.Timestamp'), {}, expected],
    ['MicroTimestamp', undefined, ms * 1000, hint('int64', 'io.debezium.time.MicroTimestamp'), {}, expected],
    ['NanoTimestamp as bigint', undefined, BigInt(ms) * 1_000_000n, hint('int64', 'io.debezium.time.NanoTimestamp'), {}, expected],
    ['µs without hint: default unit', 'timestamp', ms * 1000, undefined, {}, expected],
    ['ms without hint: configured unit', 'timestamp', ms, undefined, { unit: 'ms' }, expected],
    ['ISO without zone', 'timestamp', '2024-03-10T01:59:59.123', undefined, {}, expected],
    ['ISO with space', 'timestamp', '2024-03-10 01:59:59.123000', undefined, {}, expected],
    ['ISO with Z', 'timestamp', '2024-03-10T01:59:59.123Z', undefined, {}, expected],
    ['ISO with zone: converted to UTC', 'timestamp', '2024-03-10T02:59:59.123+01:00', undefined, {}, expected],
    ['IsoTimestamp', undefined, '2024-03-10T01:59:59.123Z', hint('string', 'io.debezium.time.IsoTimestamp'), {}, expected],
    ['before the epoch, µs', 'timestamp', -1, undefined, {}, '1969-12-31T23:59:59.999999'],
    ['before the epoch, ms bigint', 'timestamp', -1n, undefined, { unit: 'ms' }, '1969-12-31T23:59:59.999000'],
    ['year 9999 as bigint µs', 'timestamp', 253402300799999999n, undefined, {}, '9999-12-31T23:59:59.999999'],
    ['µs +infinity sentinel (bigint)', undefined, TIMESTAMP_INFINITY_SENTINELS.us[0], hint('int64', 'io.debezium.time.MicroTimestamp'), {}, 'infinity'],
    ['µs -infinity sentinel (bigint)', undefined, TIMESTAMP_INFINITY_SENTINELS.us[1], hint('int64', 'io.debezium.time.MicroTimestamp'), {}, '-infinity'],
    ['µs +infinity sentinel read lossily as a number', 'timestamp', Number(TIMESTAMP_INFINITY_SENTINELS.us[0]), undefined, {}, 'infinity'],
    ['ms +infinity sentinel', undefined, TIMESTAMP_INFINITY_SENTINELS.ms[0], hint('int64', 'io.debezium.time.Timestamp'), {}, 'infinity'],
    ['ms -infinity sentinel', undefined, TIMESTAMP_INFINITY_SENTINELS.ms[1], hint('int64', 'io.debezium.time.Timestamp'), {}, '-infinity'],
    ['ns Long.MAX_VALUE', undefined, 9223372036854775807n, hint('int64', 'io.debezium.time.NanoTimestamp'), {}, 'infinity'],
    ['ns Long.MIN_VALUE', undefined, -9223372036854775808n, hint('int64', 'io.debezium.time.NanoTimestamp'), {}, '-infinity'],
    ['infinity string', 'timestamp', 'infinity', undefined, {}, 'infinity'],
  ]);

  const tz = '2024-03-10T01:59:59.123000Z';
  table([
    ['ZonedTimestamp Z', undefined, '2024-03-10T01:59:59.123Z', hint('string', 'io.debezium.time.ZonedTimestamp'), {}, tz],
    ['ZonedTimestamp +05:30', 'timestamptz', '2024-03-10T07:29:59.123+05:30', undefined, {}, tz],
    ['ZonedTimestamp -03:00 crossing the day', 'timestamptz', '2024-03-09T22:59:59.123-03:00', undefined, {}, tz],
    ['ZonedTimestamp +12:45 (Chatham)', 'timestamptz', '2024-03-10T14:44:59.123+12:45', undefined, {}, tz],
    ['9 fraction digits, zeros beyond µs', 'timestamptz', '2024-03-10T01:59:59.123000000Z', undefined, {}, tz],
    ['no fraction', 'timestamptz', '2024-03-10T01:59:59Z', undefined, {}, '2024-03-10T01:59:59.000000Z'],
    ['Postgres text form +05', 'timestamptz', '2024-03-10 06:59:59.123+05', undefined, {}, tz],
    ['offset with seconds', 'timestamptz', '2024-03-10T02:53:27.123+00:53:28', undefined, {}, tz],
    ['ms number (default unit)', 'timestamptz', ms, undefined, {}, tz],
    ['µs number (configured unit)', 'timestamptz', ms * 1000, undefined, { unit: 'us' }, tz],
    ['infinity string', undefined, 'infinity', hint('string', 'io.debezium.time.ZonedTimestamp'), {}, 'infinity'],
    ['-infinity string', undefined, '-infinity', hint('string', 'io.debezium.time.ZonedTimestamp'), {}, '-infinity'],
  ]);

  test('sub-microsecond digits are refused, not rounded', () => {
    expect(() => canonicalValue(rules({ declared: 'timestamptz' }), '2024-03-10T01:59:59.1234567Z')).toThrow(
      expect.objectContaining({ code: 'RECON_NORMALIZE_PRECISION' }),
    );
    expect(() => canonicalValue(rules(), 1n, hint('int64', 'io.debezium.time.NanoTimestamp'))).toThrow(
      expect.objectContaining({ code: 'RECON_NORMALIZE_PRECISION' }),
    );
  });
  test('a ns count as a lossy JS number is refused', () => {
    expect(() => canonicalValue(rules(), ms * 1e6, hint('int64', 'io.debezium.time.NanoTimestamp'))).toThrow(
      expect.objectContaining({ code: 'RECON_NORMALIZE_UNSAFE_NUMBER' }),
    );
  });
});

describe('inference without a declared type or a hint', () => {
  table([
    ['number integer → integer', undefined, 12, undefined, {}, '12'],
    ['bigint → integer', undefined, 12n, undefined, {}, '12'],
    ['boolean → boolean', undefined, true, undefined, {}, 'true'],
    ['string → text', undefined, '2024-01-01', undefined, {}, '2024-01-01'],
    ['{scale, value} → decimal', undefined, { scale: 2, value: b64(twos(1050n)) }, undefined, {}, '10.5'],
    ['a non-integer number → its JSON text', undefined, 1.5, undefined, {}, '1.5'],
    ['an array → JSON text', undefined, [1, 'a', null, 2n], undefined, {}, '[1,"a",null,2]'],
    ['an object → JSON text', undefined, { x: 1, y: { z: 'w' } }, undefined, {}, '{"x":1,"y":{"z":"w"}}'],
    ['a hint overrides inference', undefined, 19782, hint('int32', 'io.debezium.time.Date'), {}, '2024-02-29'],
    ['a declared type overrides the hint', 'text', 19782, hint('int32', 'io.debezium.time.Date'), {}, '19782'],
  ]);
});

describe('the unavailable-value placeholder (B2) is recognised, not normalised', () => {
  test.each([
    ['string in a text column', UNAVAILABLE_VALUE, 'text', true],
    ['string in a json column', UNAVAILABLE_VALUE, 'json', true],
    ['base64 of it in a bytea column', Buffer.from(UNAVAILABLE_VALUE).toString('base64'), 'bytea', true],
    ['its bytes (Avro)', Uint8Array.from(Buffer.from(UNAVAILABLE_VALUE)), 'bytea', true],
    ['base64 of it in a text column is just text', Buffer.from(UNAVAILABLE_VALUE).toString('base64'), 'text', false],
    ['an ordinary value', 'x', 'text', false],
  ] as [string, RawValue, ColumnType, boolean][])('%s', (_w, raw, type, expected) => {
    expect(isUnavailable(raw, type)).toBe(expected);
  });
});
