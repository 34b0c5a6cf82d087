/**
 * The SQL twin's generation, without a server: identifiers quoted (B14), the day range and the
 * time zone bound as parameters, refusals for what cannot be compared exactly. Its results are
 * checked against the stream side on real Postgres in day-digest.int.test.ts.
 */
import { describe, expect, test } from 'vitest';
import type { EntityModel } from '../../src/domain/entity.ts';
import { columnTypeFromPg, dayAggregateSql, parseDayAggregate, quoteIdentifier, quoteLiteral, rowHashSql } from '../../src/sql/day-digest.ts';

const entity = (over: Partial<EntityModel> = {}): EntityModel => ({
  name: 'orders',
  key: ['id'],
  dayColumn: 'created_at',
  timeZone: 'Asia/Bangkok',
  amounts: [{ column: 'amount', scale: 2 }],
  hashColumns: 'all',
  excludeColumns: ['synced_at'],
  safeColumns: [],
  columns: {},
  toastColumns: [],
  decimalHandling: 'string',
  ...over,
});
const types = { id: 'integer', amount: 'decimal', created_at: 'timestamptz', note: 'text', synced_at: 'timestamptz' } as const;
const table = { schema: 'public', name: 'orders' };

describe('quoting', () => {
  test.each([
    ['orders', '"orders"'],
    ['Mixed Case', '"Mixed Case"'],
    ['we"ird', '"we""ird"'],
    ['a; DROP TABLE x; --', '"a; DROP TABLE x; --"'],
  ])('identifier %s', (name, quoted) => {
    expect(quoteIdentifier(name)).toBe(quoted);
  });
  test('identifiers with NUL or empty are refused', () => {
    expect(() => quoteIdentifier('a\0b')).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_CONFIG' }));
    expect(() => quoteIdentifier('')).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_CONFIG' }));
  });
  test.each([
    ["it's", "'it''s'"],
    ['back\\slash', " E'back\\\\slash'"],
  ])('literal %s', (text, quoted) => {
    expect(quoteLiteral(text)).toBe(quoted);
  });
});

describe('dayAggregateSql', () => {
  test('binds the day range and the zone; hashes all columns but the excluded ones', () => {
    const q = dayAggregateSql(entity(), table, types);
    expect(q.values('2024-01-01', '2024-01-07')).toEqual(['2024-01-01', '2024-01-07', 'Asia/Bangkok']);
    expect(q.text).toContain('$3::text');
    expect(q.text).not.toContain('Asia/Bangkok');
    expect(q.hashedColumns).toEqual(['amount', 'created_at', 'id', 'note']);
    expect(q.text).not.toContain('synced_at');
    expect(q.text).toContain('FROM "public"."orders" AS t');
  });

  test('no zone parameter for a date or timestamp day column', () => {
    const q = dayAggregateSql(entity(), table, { ...types, created_at: 'timestamp' });
    expect(q.values('2024-01-01', '2024-01-07')).toEqual(['2024-01-01', '2024-01-07']);
    expect(q.text).not.toContain('$3');
  });

  test('declared types override the catalogue types', () => {
    const q = dayAggregateSql(entity({ columns: { note: { name: 'note', type: 'char' } } }), table, types);
    expect(q.text).toContain(`rtrim(t."note"::text, ' ')`);
  });

  test('hostile names stay inside their quotes', () => {
    const q = dayAggregateSql(entity({ key: ['id"; DROP TABLE x; --'] }), { schema: 's"; --', name: 't' }, { ...types, 'id"; DROP TABLE x; --': 'integer' });
    expect(q.text).toContain('"id""; DROP TABLE x; --"');
    expect(q.text).toContain('"s""; --"."t"');
    expect(q.text).toContain(`'21:id"; DROP TABLE x; --'`);
  });

  test.each([
    ['a float amount', entity({ amounts: [{ column: 'note', scale: 0 }] }), { ...types, note: 'float8' }],
    ['a text day column', entity({ dayColumn: 'note' }), types],
    ['a column with no known type', entity({ hashColumns: ['mystery'] }), types],
  ] as const)('refuses %s', (_w, model, columnTypes) => {
    expect(() => dayAggregateSql(model, table, columnTypes)).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_CONFIG' }));
  });

  test('parseDayAggregate reads exact integers and refuses a fractional sum', () => {
    expect(parseDayAggregate({ day: '2024-01-01', row_count: '3', digest: '18446744073709551615', amount_0: '-1050' }, 1)).toEqual({
      day: '2024-01-01',
      count: 3n,
      sums: [-1050n],
      digest: 18446744073709551615n,
    });
    expect(() => parseDayAggregate({ day: '2024-01-01', row_count: '3', digest: '1', amount_0: '10.5' }, 1)).toThrow(
      expect.objectContaining({ code: 'RECON_NORMALIZE_SCALE' }),
    );
  });
});

describe('rowHashSql', () => {
  test('by key: one parameter per key column, then the zone', () => {
    const q = rowHashSql(entity({ key: ['tenant', 'id'] }), table, { ...types, tenant: 'text' }, 'key');
    expect(q.text).toContain('t."tenant" = $1 AND t."id" = $2');
    expect(q.values(['acme', '42'])).toEqual(['acme', '42', 'Asia/Bangkok']);
    expect(() => q.values(['acme'])).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_CONFIG' }));
  });
});

test.each([
  ['int8', 'integer'],
  ['int4', 'integer'],
  ['numeric', 'decimal'],
  ['float4', 'float4'],
  ['float8', 'float8'],
  ['bool', 'boolean'],
  ['bpchar', 'char'],
  ['varchar', 'text'],
  ['timestamptz', 'timestamptz'],
  ['jsonb', 'jsonb'],
  ['my_enum', 'text'],
])('columnTypeFromPg(%s) = %s', (pgType, type) => {
  expect(columnTypeFromPg(pgType)).toBe(type);
});
