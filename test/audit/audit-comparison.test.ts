/**
 * The batch audit's pure comparison: key reconciliation (A EXCEPT B, B EXCEPT A, changed rows),
 * per-column differences named without values, verdicts of A against B and of the stream against
 * SQL, exact sums, keys shown only through the presenter and only up to the limit.
 */
import { describe, expect, test } from 'vitest';
import {
  type DayTotals,
  type KeyColumns,
  ZERO_TOTALS,
  auditDay,
  auditVerdicts,
  differingColumns,
  keyDifferences,
  resolveHashedColumns,
  sideRows,
  totalsEqual,
} from '../../src/compare/audit-comparison.ts';
import { keyPresenter } from '../../src/compare/mismatch-factory.ts';
import type { EntityModel } from '../../src/domain/entity.ts';

const amounts = [{ column: 'amount', scale: 2 }];
const plain = keyPresenter('plain', undefined);
const options = { amounts, maxKeys: 10, presentKey: (k: string) => plain('orders', k) };
const totals = (count: bigint, sum: bigint, digest: bigint): DayTotals => ({ count, sums: [sum], digest });

describe('key reconciliation', () => {
  test('A EXCEPT B, B EXCEPT A and the keys whose row hashes differ, each sorted', () => {
    const a = new Map([['1:3', 30n], ['1:1', 10n], ['1:2', 20n], ['2:10', 100n]]);
    const b = new Map([['1:1', 10n], ['1:2', 21n], ['1:4', 40n], ['2:10', 101n]]);
    expect(keyDifferences(a, b)).toEqual({ onlyInA: ['1:3'], onlyInB: ['1:4'], changed: ['1:2', '2:10'] });
    expect(keyDifferences(b, a)).toEqual({ onlyInA: ['1:4'], onlyInB: ['1:3'], changed: ['1:2', '2:10'] });
    expect(keyDifferences(new Map(), new Map())).toEqual({ onlyInA: [], onlyInB: [], changed: [] });
  });

  test('length-prefixed integer keys sort in numeric order', () => {
    const a = new Map(['2:10', '1:9', '3:100', '1:1'].map((k) => [k, 1n] as const));
    expect(keyDifferences(a, new Map()).onlyInA).toEqual(['1:1', '1:9', '2:10', '3:100']);
  });

  test('a key seen twice on one side is counted as a duplicate, once in the map', () => {
    const rows = sideRows([
      { key: '1:1', rowHash: 1n },
      { key: '1:1', rowHash: 2n },
      { key: '1:2', rowHash: 3n },
    ]);
    expect([...rows.hashes]).toEqual([['1:1', 1n], ['1:2', 3n]]);
    expect(rows.duplicates).toBe(1);
  });

  test('differing columns are named by comparing column hashes', () => {
    const names = ['amount', 'order_id', 'status'];
    const a: KeyColumns = { hashes: ['aa', 'bb', 'cc'] };
    expect(differingColumns(names, a, { hashes: ['aa', 'bb', 'cc'] })).toEqual([]);
    expect(differingColumns(names, a, { hashes: ['ax', 'bb', 'cx'] })).toEqual(['amount', 'status']);
  });
});

describe('one audited day', () => {
  test('equal totals: A and B agree, keys not compared, the stream compared per side', () => {
    const t = totals(3n, 1050n, 0xffn);
    const day = auditDay({ day: '2026-03-01', sql: { a: t, b: t }, stream: { a: t, b: totals(2n, 1050n, 0xffn) } }, options);
    expect(day).toMatchObject({
      day: '2026-03-01',
      sql: { a: { count: '3', sums: { amount: '10.50' }, digest: '00000000000000ff' } },
      digestEqual: true,
      keysCompared: false,
      keysOnlyInA: { count: 0, keys: [] },
      valueMismatches: { count: 0, columns: {}, keys: [] },
      verdicts: { sqlAgrees: true, streamAgreesWithSql: { a: true, b: false } },
    });
    expect(day.stream?.b.count).toBe('2');
  });

  test('without the stream its verdicts are null', () => {
    const t = totals(1n, 0n, 1n);
    const day = auditDay({ day: '2026-03-01', sql: { a: t, b: t } }, options);
    expect(day.stream).toBeNull();
    expect(day.verdicts.streamAgreesWithSql).toEqual({ a: null, b: null });
  });

  test('the differences of a day: keys only on one side, differing columns counted, safe values only for safe columns', () => {
    const a = sideRows([
      { key: '1:1', rowHash: 1n },
      { key: '1:2', rowHash: 2n },
      { key: '1:3', rowHash: 3n },
      { key: '1:4', rowHash: 4n },
    ]);
    const b = sideRows([
      { key: '1:1', rowHash: 1n },
      { key: '1:3', rowHash: 33n },
      { key: '1:4', rowHash: 44n },
      { key: '1:9', rowHash: 9n },
    ]);
    const names = ['amount', 'order_id', 'status'];
    const columns = {
      names,
      a: new Map<string, KeyColumns>([
        ['1:3', { hashes: ['a1', 'k3', 's1'], safeValues: { status: 'new' } }],
        ['1:4', { hashes: ['a2', 'k4', 's2'], safeValues: { status: 'new' } }],
      ]),
      b: new Map<string, KeyColumns>([
        ['1:3', { hashes: ['A1', 'k3', 's1'], safeValues: { status: 'new' } }],
        ['1:4', { hashes: ['A2', 'k4', 'S2'], safeValues: { status: 'paid' } }],
      ]),
    };
    const day = auditDay(
      { day: '2026-03-02', sql: { a: totals(4n, -5n, 10n), b: totals(4n, 7n, 87n) }, rows: { a, b }, columns },
      options,
    );
    expect(day.sql.a.sums).toEqual({ amount: '-0.05' });
    expect(day.keysCompared).toBe(true);
    expect(day.keysOnlyInA).toEqual({ count: 1, keys: [{ mode: 'plain', value: '1:2' }] });
    expect(day.keysOnlyInB).toEqual({ count: 1, keys: [{ mode: 'plain', value: '1:9' }] });
    expect(day.valueMismatches).toEqual({
      count: 2,
      columns: { amount: 2, status: 1 },
      keys: [
        { key: { mode: 'plain', value: '1:3' }, columns: ['amount'] },
        { key: { mode: 'plain', value: '1:4' }, columns: ['amount', 'status'], safeValues: { status: { a: 'new', b: 'paid' } } },
      ],
    });
    expect(day.verdicts.sqlAgrees).toBe(false);
    expect(day.digestEqual).toBe(false);
  });

  test('keys are shown per keys.mode, and only up to maxKeys; the counts stay complete', () => {
    const a = sideRows(Array.from({ length: 25 }, (_, i) => ({ key: `2:${10 + i}`, rowHash: 1n })));
    const b = sideRows([]);
    const hmac = keyPresenter('hmac', 'a-secret-of-sixteen-plus');
    const day = auditDay(
      { day: '2026-03-03', sql: { a: totals(25n, 0n, 25n), b: ZERO_TOTALS(1) }, rows: { a, b } },
      { ...options, maxKeys: 3, presentKey: (k) => hmac('orders', k) },
    );
    expect(day.keysOnlyInA.count).toBe(25);
    expect(day.keysOnlyInA.keys).toHaveLength(3);
    expect(day.keysOnlyInA.keys[0]).toEqual(hmac('orders', '2:10'));
    expect(JSON.stringify(day)).not.toContain('2:10');
  });

  test('duplicate keys make the sides disagree even when the key sets match', () => {
    const rows = sideRows([{ key: '1:1', rowHash: 1n }]);
    const dup = sideRows([{ key: '1:1', rowHash: 1n }, { key: '1:1', rowHash: 1n }]);
    const day = auditDay({ day: '2026-03-04', sql: { a: totals(1n, 0n, 1n), b: totals(2n, 0n, 2n) }, rows: { a: rows, b: dup } }, options);
    expect(day.duplicateKeys).toEqual({ a: 0, b: 1 });
    expect(day.verdicts.sqlAgrees).toBe(false);
  });
});

describe('verdicts over the range', () => {
  const t = totals(1n, 0n, 1n);
  const agree = auditDay({ day: '2026-03-01', sql: { a: t, b: t }, stream: { a: t, b: t } }, options);
  const streamLagsOnB = auditDay({ day: '2026-03-02', sql: { a: t, b: t }, stream: { a: t, b: ZERO_TOTALS(1) } }, options);
  const differ = auditDay({ day: '2026-03-03', sql: { a: t, b: ZERO_TOTALS(1) }, stream: { a: t, b: ZERO_TOTALS(1) } }, options);

  test('ok only when A and B agree and the stream equals SQL on both sides', () => {
    expect(auditVerdicts([agree], true)).toEqual({ sqlAgrees: true, streamAgreesWithSql: { a: true, b: true }, ok: true });
    expect(auditVerdicts([agree, streamLagsOnB], true)).toEqual({ sqlAgrees: true, streamAgreesWithSql: { a: true, b: false }, ok: false });
    expect(auditVerdicts([agree, differ], true)).toEqual({ sqlAgrees: false, streamAgreesWithSql: { a: true, b: true }, ok: false });
  });

  test('without the stream, SQL alone decides', () => {
    const sqlOnly = [auditDay({ day: '2026-03-01', sql: { a: t, b: t } }, options)];
    expect(auditVerdicts(sqlOnly, false)).toEqual({ sqlAgrees: true, streamAgreesWithSql: { a: null, b: null }, ok: true });
  });

  test('totalsEqual compares count, every sum and the digest', () => {
    expect(totalsEqual(totals(1n, 2n, 3n), totals(1n, 2n, 3n))).toBe(true);
    expect(totalsEqual(totals(1n, 2n, 3n), totals(1n, 2n, 4n))).toBe(false);
    expect(totalsEqual(totals(1n, 2n, 3n), totals(1n, 5n, 3n))).toBe(false);
    expect(totalsEqual(totals(1n, 2n, 3n), totals(0n, 2n, 3n))).toBe(false);
  });
});

describe('the hashed columns', () => {
  const model = (patch: Partial<EntityModel>): EntityModel => ({
    name: 'orders',
    key: ['order_id'],
    dayColumn: 'created_at',
    timeZone: 'UTC',
    amounts,
    hashColumns: 'all',
    excludeColumns: ['notes'],
    safeColumns: [],
    columns: {},
    toastColumns: [],
    decimalHandling: 'string',
    ...patch,
  });
  const catalogue = new Map([['order_id', 'int8'], ['created_at', 'timestamptz'], ['amount', 'numeric'], ['notes', 'text'], ['added_later', 'text']]);

  test('the stream\'s fixed list wins over the catalogue, both minus the excluded, with the key, sorted', () => {
    expect(resolveHashedColumns(model({}), ['amount', 'created_at', 'notes', 'order_id'], catalogue)).toEqual({
      hashedColumns: ['amount', 'created_at', 'order_id'],
      source: 'stream',
    });
    expect(resolveHashedColumns(model({}), null, catalogue)).toEqual({
      hashedColumns: ['added_later', 'amount', 'created_at', 'order_id'],
      source: 'catalogue',
    });
  });

  test('a configured list is used as it is, plus the key', () => {
    expect(resolveHashedColumns(model({ hashColumns: ['status', 'amount'] }), ['x'], catalogue)).toEqual({
      hashedColumns: ['amount', 'order_id', 'status'],
      source: 'config',
    });
  });
});
