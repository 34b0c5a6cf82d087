/**
 * compileEntity / RowNormalizer: the hashed column list, business days, amounts, TOAST placeholders
 * and schema changes, and that the same row in different encodings gives the same result.
 */
import { describe, expect, test } from 'vitest';
import type { ColumnHint, RawRow, RawValue } from '../../src/domain/change.ts';
import { UNAVAILABLE_VALUE } from '../../src/domain/change.ts';
import type { EntityModel } from '../../src/domain/entity.ts';
import { dayToIso, isoToDay } from '../../src/normalize/days.ts';
import { NormalizeError } from '../../src/normalize/errors.ts';
import { canonicalKey, columnHash, sumHashes } from '../../src/normalize/hash.ts';
import { compileEntity } from '../../src/normalize/row-normalizer.ts';

function entity(over: Partial<EntityModel> = {}): EntityModel {
  return {
    name: 'orders',
    key: ['id'],
    dayColumn: 'created_at',
    timeZone: 'Europe/Berlin',
    amounts: [{ column: 'amount', scale: 2 }],
    hashColumns: 'all',
    excludeColumns: [],
    safeColumns: [],
    columns: {
      id: { name: 'id', type: 'integer' },
      amount: { name: 'amount', type: 'decimal' },
      created_at: { name: 'created_at', type: 'timestamptz' },
      note: { name: 'note', type: 'text' },
    },
    toastColumns: ['note'],
    decimalHandling: 'string',
    ...over,
  };
}
const COLUMNS = ['id', 'amount', 'created_at', 'note', 'status', 'updated_at'];
const MICRO: ColumnHint = { type: 'int64', name: 'io.debezium.time.MicroTimestamp' };
const ZONED: ColumnHint = { type: 'string', name: 'io.debezium.time.ZonedTimestamp' };
const DECIMAL2: ColumnHint = { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2' } };

const baseValues: Record<string, RawValue> = {
  id: 42,
  amount: '10.50',
  created_at: '2024-03-30T22:59:59.999999Z', // 23:59:59.999999 in Berlin (CET)
  note: 'hello',
  status: 'paid',
  updated_at: 1_711_839_599_999_999,
};
const row = (values: Record<string, RawValue> = {}, hints?: Record<string, ColumnHint>): RawRow =>
  hints === undefined ? { values: { ...baseValues, ...values } } : { values: { ...baseValues, ...values }, hints };

describe('compileEntity', () => {
  test("'all' hashes the given columns minus the excluded ones, keys included, sorted by name", () => {
    const n = compileEntity(entity({ excludeColumns: ['updated_at', 'id'] }), COLUMNS);
    expect(n.hashedColumns).toEqual(['amount', 'created_at', 'id', 'note', 'status']);
    expect(Object.isFrozen(n)).toBe(true);
  });

  test('an explicit list gets the key columns added', () => {
    expect(compileEntity(entity({ hashColumns: ['note', 'amount'] }), COLUMNS).hashedColumns).toEqual(['amount', 'id', 'note']);
  });

  test.each([
    ['a float amount', entity({ columns: { ...entity().columns, amount: { name: 'amount', type: 'float8' } } })],
    ['a text business day', entity({ columns: { ...entity().columns, created_at: { name: 'created_at', type: 'text' } } })],
    ['an unknown time zone', entity({ timeZone: 'Nowhere/Land' })],
    ['no key', entity({ key: [] })],
  ])('refuses %s', (_w, model) => {
    expect(() => compileEntity(model, COLUMNS)).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_CONFIG' }));
  });
});

describe('normalize', () => {
  const n = compileEntity(entity(), COLUMNS);

  test('key, day, amounts, row hash = Σ column hashes, fingerprints', () => {
    const r = n.normalize(row());
    expect(r.key).toBe('2:42');
    expect(dayToIso(r.day as number)).toBe('2024-03-30');
    expect(r.amounts).toEqual([1050n]);
    expect(r.columnHashes).toHaveLength(n.hashedColumns.length);
    expect(r.rowHash).toBe(sumHashes(r.columnHashes));
    expect([...r.fingerprints]).toEqual(r.columnHashes.map((h) => Number(h & 0xffffn)));
    const i = n.hashedColumns.indexOf('amount');
    expect(r.columnHashes[i]).toBe(columnHash('2:42', 'amount', '10.5'));
    expect(r.unavailable).toEqual([]);
    expect(r.missingColumns).toEqual([]);
  });

  test('B8: 23:59:59.999999 local is the previous day, 00:00:00 local the next', () => {
    expect(dayToIso(n.normalize(row({ created_at: '2024-03-30T23:59:59.999999+01:00' })).day as number)).toBe('2024-03-30');
    expect(dayToIso(n.normalize(row({ created_at: '2024-03-31T00:00:00+01:00' })).day as number)).toBe('2024-03-31');
    // across the DST change that night: 23:00Z is 00:00 CET, 22:00Z on Oct 26 is 00:00 CEST
    expect(dayToIso(n.normalize(row({ created_at: '2024-10-26T21:59:59.999999Z' })).day as number)).toBe('2024-10-26');
    expect(dayToIso(n.normalize(row({ created_at: '2024-10-26T22:00:00Z' })).day as number)).toBe('2024-10-27');
  });

  test('B10: the day column as ms, µs, ISO with and without zone: same bucket, same hash', () => {
    const ms = Date.UTC(2024, 2, 30, 22, 59, 59, 999);
    const asTimestamp = compileEntity(entity({ columns: { ...entity().columns, created_at: { name: 'created_at' } } }), COLUMNS);
    const variants: RawRow[] = [
      row({ created_at: '2024-03-30T22:59:59.999Z' }, { created_at: ZONED }),
      row({ created_at: '2024-03-30T23:59:59.999+01:00' }, { created_at: ZONED }),
      row({ created_at: '2024-03-31T04:29:59.999+05:30' }, { created_at: ZONED }),
    ];
    const results = variants.map((v) => asTimestamp.normalize(v));
    for (const r of results) {
      expect(dayToIso(r.day as number)).toBe('2024-03-30');
      expect(r.rowHash).toBe(results[0]?.rowHash);
    }
    // the same wall-clock time in a timestamp (no zone) column, in each encoding
    const wall = compileEntity(entity({ columns: { ...entity().columns, created_at: { name: 'created_at', type: 'timestamp' } } }), COLUMNS);
    const wallVariants: RawRow[] = [
      row({ created_at: ms }, { created_at: { type: 'int64', name: 'io.debezium.time.Timestamp' } }),
      row({ created_at: ms * 1000 }, { created_at: MICRO }),
      row({ created_at: ms * 1000 }),
      row({ created_at: '2024-03-30T22:59:59.999' }),
      row({ created_at: '2024-03-30T23:59:59.999+01:00' }),
    ];
    const wallResults = wallVariants.map((v) => wall.normalize(v));
    for (const r of wallResults) {
      expect(dayToIso(r.day as number)).toBe('2024-03-30');
      expect(r.rowHash).toBe(wallResults[0]?.rowHash);
    }
  });

  test('B10: ±infinity day columns belong to no day, and hash as infinity', () => {
    const inf = n.normalize(row({ created_at: 'infinity' }));
    expect(inf.day).toBeNull();
    const i = n.hashedColumns.indexOf('created_at');
    expect(inf.columnHashes[i]).toBe(columnHash('2:42', 'created_at', 'infinity'));
    expect(n.normalize(row({ created_at: null })).day).toBeNull();
  });

  test('B9: the amount as string, precise bytes, Avro bytes and variable scale: one row hash, one sum', () => {
    const bytes = Buffer.from('041a', 'hex'); // 1050
    const encodings: RawRow[] = [
      row({ amount: '10.50' }),
      row({ amount: '10.5' }),
      row({ amount: bytes.toString('base64') }, { amount: DECIMAL2 }),
      row({ amount: Uint8Array.from(bytes) }, { amount: DECIMAL2 }),
      row({ amount: { scale: 2, value: bytes.toString('base64') } }, { amount: { type: 'struct', name: 'io.debezium.data.VariableScaleDecimal' } }),
    ];
    const results = encodings.map((r) => n.normalize(r));
    for (const r of results) {
      expect(r.rowHash).toBe(results[0]?.rowHash);
      expect(r.amounts).toEqual([1050n]);
    }
    // schemaless precise mode: base64 with the configured scale
    const precise = compileEntity(
      entity({ decimalHandling: 'string', sources: { a: { topic: 'a', format: 'debezium-json', decimalHandling: 'precise' }, b: { topic: 'b', format: 'debezium-json', decimalHandling: 'string' } }, columns: { ...entity().columns, amount: { name: 'amount', type: 'decimal', scale: 2 } } }),
      COLUMNS,
      { side: 'a' },
    );
    expect(precise.normalize(row({ amount: bytes.toString('base64') })).rowHash).toBe(results[0]?.rowHash);
  });

  test('B12: 64-bit keys beyond 2^53 stay exact', () => {
    const r = n.normalize(row({ id: 9223372036854775807n }));
    expect(r.key).toBe('19:9223372036854775807');
    expect(n.normalize(row({ id: 9223372036854775806n })).key).toBe('19:9223372036854775806');
    expect(() => n.normalize(row({ id: 2 ** 62 }))).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_UNSAFE_NUMBER' }));
  });

  test('B2: an unavailable TOAST column is reported and left out of the row hash', () => {
    const full = n.normalize(row());
    const partial = n.normalize(row({ note: UNAVAILABLE_VALUE }));
    const i = n.hashedColumns.indexOf('note');
    expect(partial.unavailable).toEqual(['note']);
    expect(partial.columnHashes[i]).toBe(0n);
    expect(partial.fingerprints[i]).toBe(0);
    // the engine substitutes the stored hash and gets the full row hash back
    expect(BigInt.asUintN(64, partial.rowHash + (full.columnHashes[i] as bigint))).toBe(full.rowHash);
  });

  test('B11: a missing hashed column is reported, an extra column ignored', () => {
    const values = { ...baseValues } as Record<string, RawValue>;
    delete values.status;
    const r = n.normalize({ values: { ...values, added_later: 'x' } });
    expect(r.missingColumns).toEqual(['status']);
    expect(r.columnHashes[n.hashedColumns.indexOf('status')]).toBe(0n);
    expect(n.normalize(row({ added_later: 'x' })).rowHash).toBe(n.normalize(row()).rowHash);
  });

  test('amounts: NULL is 0; more fraction digits than the scale is refused without the value', () => {
    expect(n.normalize(row({ amount: null })).amounts).toEqual([0n]);
    expect(n.normalize(row({ amount: '-0.01' })).amounts).toEqual([-1n]);
    expect(n.normalize(row({ amount: '12345678901234567890.99' })).amounts).toEqual([1234567890123456789099n]);
    let error: unknown;
    try {
      n.normalize(row({ amount: '10.505' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NormalizeError);
    expect((error as NormalizeError).code).toBe('RECON_NORMALIZE_SCALE');
    expect((error as NormalizeError).message).not.toContain('10.505');
    expect(() => n.normalize(row({ amount: 'NaN' }))).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_BAD_VALUE' }));
  });

  test('errors for the key, day and amount columns', () => {
    expect(() => n.normalize(row({ id: null }))).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_MISSING_KEY' }));
    expect(() => n.normalize({ values: { amount: '1', created_at: '2024-01-01T00:00:00Z' } })).toThrow(
      expect.objectContaining({ code: 'RECON_NORMALIZE_MISSING_KEY' }),
    );
    expect(() => n.normalize({ values: { id: 1, amount: '1' } })).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_MISSING_COLUMN' }));
    expect(() => n.normalize(row({ created_at: UNAVAILABLE_VALUE }))).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_UNAVAILABLE' }));
    expect(() => n.normalize(row({ created_at: 'yesterday' }))).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_BAD_VALUE' }));
  });

  test('composite keys, and canonicalKeyOf for deletes that carry only the key', () => {
    const c = compileEntity(entity({ key: ['tenant', 'id'], columns: { ...entity().columns, tenant: { name: 'tenant', type: 'text' } } }), [...COLUMNS, 'tenant']);
    const r = c.normalize(row({ tenant: 'ünï', id: 7 }));
    expect(r.key).toBe(canonicalKey(['ünï', '7']));
    expect(r.key).toBe('5:ünï1:7');
    expect(c.canonicalKeyOf({ values: { tenant: 'ünï', id: 7n } })).toBe(r.key);
  });

  test('a business day from a date or a timestamp column is its own date, whatever the zone', () => {
    const byDate = compileEntity(entity({ dayColumn: 'd', columns: { ...entity().columns, d: { name: 'd', type: 'date' } } }), [...COLUMNS, 'd']);
    expect(byDate.normalize(row({ d: isoToDay('2024-02-29') })).day).toBe(isoToDay('2024-02-29'));
    expect(byDate.normalize(row({ d: '2024-02-29' })).day).toBe(isoToDay('2024-02-29'));
    const byTs = compileEntity(entity({ dayColumn: 'ts', columns: { ...entity().columns, ts: { name: 'ts', type: 'timestamp' } } }), [...COLUMNS, 'ts']);
    expect(byTs.normalize(row({ ts: '2024-02-29T23:59:59.999999' })).day).toBe(isoToDay('2024-02-29'));
  });

  test('canonicalValueOf gives a safe column its canonical text', () => {
    expect(n.canonicalValueOf('amount', row())).toBe('10.5');
    expect(n.canonicalValueOf('nope', row())).toBeUndefined();
  });

  test('throughput: a typical 6-column row normalises at well over 20,000 rows/s', () => {
    const rows: RawRow[] = Array.from({ length: 2000 }, (_, i) =>
      row({ id: i, amount: `${i}.25`, created_at: `2024-03-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00.123456Z`, updated_at: 1_711_839_599_999_999 + i }, {
        updated_at: MICRO,
      }),
    );
    for (const r of rows) n.normalize(r);
    const t0 = performance.now();
    let rounds = 0;
    while (performance.now() - t0 < 300) {
      for (const r of rows) n.normalize(r);
      rounds++;
    }
    const perSecond = (rounds * rows.length) / ((performance.now() - t0) / 1000);
    expect(perSecond).toBeGreaterThan(20_000);
  });
});

describe('days', () => {
  test('dayToIso / isoToDay round-trip and refuse non-dates', () => {
    for (const iso of ['1970-01-01', '1969-12-31', '2000-02-29', '2024-12-31', '0001-01-01', '9999-12-31']) expect(dayToIso(isoToDay(iso))).toBe(iso);
    expect(isoToDay('1970-01-02')).toBe(1);
    expect(() => isoToDay('2023-02-29')).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_BAD_VALUE' }));
    expect(() => isoToDay('2023-2-1')).toThrow(NormalizeError);
  });
});
