/**
 * Golden tests of the `debezium-json` format against envelopes captured from Debezium 3.6.1 on
 * Postgres (test/fixtures/debezium/debezium-json-*.json; how they were captured is in each file).
 */
import { change, load, only, record } from './fixtures.ts';
import { describe, expect, test } from 'vitest';
import { UNAVAILABLE_VALUE } from '../../src/domain/change.ts';
import { createDecoder } from '../../src/sources/decode/index.ts';

const stringMode = load('debezium-json-string');
const preciseMode = load('debezium-json-precise');
const decode = createDecoder('debezium-json');

describe('debezium-json golden envelopes (decimal.handling.mode=string)', () => {
  test('initial snapshot rows: op r, snapshot "first" and "last" are both the initial snapshot', () => {
    const first = change(decode(record(only(stringMode, 'snapshot-first'))));
    const last = change(decode(record(only(stringMode, 'snapshot-last'))));
    for (const c of [first, last]) {
      expect(c.op).toBe('r');
      expect(c.snapshot).toBe('initial');
      expect(c.before).toBeNull();
    }
    expect(first.after?.values).toMatchObject({ id: 1, email: 'alice@example.com', amount: '1234.50', active: true, day: 20526 });
    expect(first.after?.values.ratio).toBe('3.14159265358979323846264338327950288');
    expect((first.after?.values.notes as string).length).toBe(5000);
    expect(first.after?.hints).toBeUndefined();
    // Both rows of one snapshot share its LSN.
    expect(first.version).toBe(last.version);
  });

  test('create: every column type as Debezium sends it, version from source.lsn, time from source.ts_ms', () => {
    const m = only(stringMode, 'create');
    const c = change(decode(record(m)));
    const envelope = JSON.parse(m.value!) as { source: { lsn: number; ts_ms: number } };
    expect(c).toMatchObject({ kind: 'change', op: 'c', before: null, snapshot: 'no' });
    expect(c.version).toBe(BigInt(envelope.source.lsn));
    expect(c.sourceTsMs).toBe(envelope.source.ts_ms);
    expect(c.provenance).toEqual({ topic: m.topic, partition: 0, offset: m.offset });
    expect(c.after?.values).toEqual({
      id: 3,
      email: 'carol@example.com',
      amount: '99999999.99',
      ratio: '0',
      created_at: '2026-06-30T23:59:59.999999Z',
      local_ts: 1782863999999999,
      day: 20634,
      at_time: 43200000000,
      active: true,
      uid: 'c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13',
      doc: '{"a": {"b": null}}',
      blob: 'aGVsbG8=',
      status: 'new',
      notes: expect.stringMatching(/^[a-z]{5000}$/),
    });
  });

  test('create with NULLs keeps them as null', () => {
    const c = change(decode(record(only(stringMode, 'create-nulls'))));
    expect(c.after?.values).toMatchObject({ id: 4, amount: null, created_at: null, active: null, blob: null, notes: null });
  });

  test('update under REPLICA IDENTITY DEFAULT: no before image, unchanged TOAST column is the placeholder (B1, B2)', () => {
    const c = change(decode(record(only(stringMode, 'update-toast-unavailable'))));
    expect(c.op).toBe('u');
    expect(c.before).toBeNull();
    expect(c.after?.values.notes).toBe(UNAVAILABLE_VALUE);
    expect(c.after?.values).toMatchObject({ id: 3, amount: '100.00', status: 'paid' });
  });

  test('update under REPLICA IDENTITY FULL: full before image, TOAST column present on both sides', () => {
    const c = change(decode(record(only(stringMode, 'update-identity-full'))));
    expect(c.op).toBe('u');
    expect(c.before?.values).toMatchObject({ id: 3, status: 'paid' });
    expect(c.after?.values).toMatchObject({ id: 3, status: 'shipped' });
    expect((c.before?.values.notes as string).length).toBe(5000);
    expect(c.after?.values.notes).toBe(c.before?.values.notes);
  });

  test('delete then tombstone (B3): the delete carries the row, the tombstone only the key', () => {
    const d = change(decode(record(only(stringMode, 'delete-identity-full'))));
    expect(d).toMatchObject({ op: 'd', after: null });
    expect(d.before?.values).toMatchObject({ id: 4, email: 'dave@example.com' });
    const t = decode(record(only(stringMode, 'tombstone-after-delete')));
    expect(t).toEqual({ kind: 'tombstone', key: { id: 4 }, provenance: expect.objectContaining({ offset: '8' }) });
  });

  test('delete under REPLICA IDENTITY DEFAULT: key column real, the others null or a NOT NULL default', () => {
    const d = change(decode(record(only(stringMode, 'delete-identity-default'))));
    expect(d.before?.values).toMatchObject({ id: 1, email: '', amount: null });
  });

  test('primary-key change (B4): delete of the old key, its tombstone, create of the new key, one LSN', () => {
    const [del, tomb, create] = ['pk-change-delete-old-key', 'pk-change-tombstone-old-key', 'pk-change-create-new-key'].map((label) =>
      decode(record(only(stringMode, label))),
    );
    expect(change(del!)).toMatchObject({ op: 'd', after: null, before: { values: { id: 2 } } });
    expect(tomb).toMatchObject({ kind: 'tombstone', key: { id: 2 } });
    expect(change(create!)).toMatchObject({ op: 'c', before: null, after: { values: { id: 20, email: 'bob@example.com' } } });
    expect(change(del!).version).toBe(change(create!).version);
  });

  test('incremental snapshot rows: source.lsn is null, the version comes from source.sequence', () => {
    const rows = stringMode.filter((m) => m.case === 'incremental-snapshot');
    expect(rows).toHaveLength(3);
    for (const m of rows) {
      const envelope = JSON.parse(m.value!) as { source: { lsn: null; sequence: string } };
      expect(envelope.source.lsn).toBeNull();
      const c = change(decode(record(m)));
      expect(c).toMatchObject({ op: 'r', snapshot: 'incremental' });
      expect(c.version).toBe(BigInt((JSON.parse(envelope.source.sequence) as string[])[1]!));
    }
  });

  test('truncate (B6): a TruncateMessage with the source time', () => {
    const m = only(stringMode, 'truncate');
    expect(m.key).toBeNull();
    expect(decode(record(m))).toEqual({
      kind: 'truncate',
      sourceTsMs: (JSON.parse(m.value!) as { source: { ts_ms: number } }).source.ts_ms,
      provenance: { topic: m.topic, partition: 0, offset: m.offset },
    });
  });

  test('heartbeat topic messages are heartbeats', () => {
    const m = only(stringMode, 'heartbeat');
    expect(m.topic.startsWith('__debezium-heartbeat.')).toBe(true);
    expect(decode(record(m))).toEqual({ kind: 'heartbeat', sourceTsMs: (JSON.parse(m.value!) as { ts_ms: number }).ts_ms, provenance: expect.any(Object) });
  });

  test('every captured message decodes to something other than a dead letter', () => {
    for (const m of stringMode) expect(decode(record(m)).kind, m.case).not.toBe('dead-letter');
  });
});

describe('debezium-json golden envelopes (decimal.handling.mode=precise, transaction metadata)', () => {
  test('decimals arrive as base64 bytes and variable-scale structs; transaction block is ignored', () => {
    const c = change(decode(record(only(preciseMode, 'snapshot-first'))));
    expect(c.after?.values.amount).toBe('AeI6'); // 123450 = 1234.50 at scale 2
    expect(c.after?.values.ratio).toEqual({ scale: 35, value: 'PIE/ZjbZhPJZW2o3KlPQ' });
    const created = change(decode(record(only(preciseMode, 'create'))));
    expect(created.op).toBe('c');
  });

  test('every captured message decodes', () => {
    const kinds = preciseMode.map((m) => decode(record(m)).kind);
    expect(kinds.filter((k) => k === 'dead-letter')).toEqual([]);
    expect(kinds.filter((k) => k === 'tombstone')).toHaveLength(3);
    expect(kinds).toContain('truncate');
  });
});

describe('64-bit keys and LSNs beyond 2^53 stay exact (B12)', () => {
  test('a real bigint primary key 2^53 + 1 (captured) is a bigint, not 2^53', () => {
    const m = only(stringMode, 'create-unsafe-key');
    expect(m.value).toContain('"id":9007199254740993');
    expect(JSON.parse(m.value!).after.id).toBe(9007199254740992); // what plain JSON.parse makes of it
    const c = change(decode(record(m)));
    expect(c.after?.values.id).toBe(9007199254740993n);
    expect(c.after?.values.local_ts).toBe(1772280000000000); // a safe 16-digit integer stays a number
    // The same digits inside the jsonb text stay text.
    expect(c.after?.values.doc).toBe('{"big": 12345678901234567890}');
  });

  test('an LSN edited beyond 2^53 (up to 2^63 - 1) is the exact version', () => {
    const m = only(stringMode, 'create');
    const lsn = String((JSON.parse(m.value!) as { source: { lsn: number } }).source.lsn);
    for (const big of ['9007199254740993', '9223372036854775807', '18014398509481985']) {
      const c = change(decode(record(m, (t) => t.replace(`"lsn":${lsn}`, `"lsn":${big}`))));
      expect(c.version).toBe(BigInt(big));
    }
  });

  test('a delete without before takes its key, exact, from the message key', () => {
    const m = only(stringMode, 'delete-identity-full');
    const c = change(
      decode({
        ...record(m, (t) => t.replace(/"before":\{[^}]*\}/, '"before":null')),
        key: Buffer.from('{"id":9007199254740995}'),
      }),
    );
    expect(c.before).toEqual({ values: { id: 9007199254740995n } });
  });

  test('a tombstone key beyond 2^53 is exact', () => {
    const m = only(stringMode, 'tombstone-after-delete');
    expect(decode({ ...record(m), key: Buffer.from('{"id":-9007199254740995}') })).toMatchObject({ key: { id: -9007199254740995n } });
  });

  test('two different literals that round to the same double: both exact (fallback parse)', () => {
    const m = only(stringMode, 'create');
    const c = change(decode(record(m, (t) => t.replace('"id":3,', '"id":9007199254740993,"other":9007199254740992,'))));
    expect(c.after?.values.id).toBe(9007199254740993n);
    expect(c.after?.values.other).toBe(9007199254740992n);
  });
});
