/**
 * Golden tests of the `json-rows` format: rows unwrapped by Debezium's ExtractNewRecordState
 * (add.fields=op,lsn,source.ts_ms, delete.tombstone.handling.mode=rewrite-with-tombstone), captured.
 */
import { change, load, only as onlyIn, record } from './fixtures.ts';
import { describe, expect, test } from 'vitest';
import { UNAVAILABLE_VALUE } from '../../src/domain/change.ts';
import { createDecoder } from '../../src/sources/decode/index.ts';

const rows = load('json-rows');
const only = (label: string) => onlyIn(rows, label);

const decode = createDecoder('json-rows');

describe('json-rows golden rows', () => {
  test('create: metadata fields become op, version and time, and leave the row', () => {
    const m = only('create');
    const raw = JSON.parse(m.value!) as Record<string, unknown>;
    const c = change(decode(record(m)));
    expect(c).toMatchObject({ op: 'c', before: null, snapshot: 'no', sourceTsMs: raw.__source_ts_ms });
    expect(c.version).toBe(BigInt(raw.__lsn as number));
    expect(Object.keys(c.after!.values)).toEqual(['id', 'email', 'amount', 'ratio', 'created_at', 'local_ts', 'day', 'at_time', 'active', 'uid', 'doc', 'blob', 'status', 'notes']);
    expect(c.after?.values).toMatchObject({ id: 3, email: 'carol@example.com', amount: '99999999.99' });
  });

  test('snapshot rows are op r, counted as the initial snapshot without __source_snapshot', () => {
    expect(change(decode(record(only('snapshot-first'))))).toMatchObject({ op: 'r', snapshot: 'initial' });
  });

  test('update with the TOAST placeholder (B2)', () => {
    const c = change(decode(record(only('update-toast-unavailable'))));
    expect(c).toMatchObject({ op: 'u', before: null });
    expect(c.after?.values.notes).toBe(UNAVAILABLE_VALUE);
  });

  test('delete rewritten with __deleted: the row is the before image; the tombstone carries the key (B3)', () => {
    const d = change(decode(record(only('delete-identity-full'))));
    expect(d).toMatchObject({ op: 'd', after: null, before: { values: { id: 4, email: 'dave@example.com' } } });
    expect(d.before?.values).not.toHaveProperty('__deleted');
    expect(decode(record(only('tombstone-after-delete')))).toMatchObject({ kind: 'tombstone', key: { id: 4 } });
  });

  test('__deleted alone (no __op) is a delete; no __op otherwise is an upsert', () => {
    const m = only('create');
    expect(change(decode(record(m, (t) => t.replace('"__op":"c",', '').replace('"__deleted":"false"', '"__deleted":true'))))).toMatchObject({ op: 'd' });
    expect(change(decode(record(m, (t) => t.replace('"__op":"c",', ''))))).toMatchObject({ op: 'u' });
  });

  test('primary-key change (B4)', () => {
    expect(change(decode(record(only('pk-change-delete-old-key'))))).toMatchObject({ op: 'd', before: { values: { id: 2 } } });
    expect(decode(record(only('pk-change-tombstone-old-key')))).toMatchObject({ kind: 'tombstone', key: { id: 2 } });
    expect(change(decode(record(only('pk-change-create-new-key'))))).toMatchObject({ op: 'c', after: { values: { id: 20 } } });
  });

  test('64-bit key and __lsn beyond 2^53 (B12)', () => {
    expect(change(decode(record(only('create-unsafe-key')))).after?.values.id).toBe(9007199254740993n);
    const m = only('create');
    const lsn = String((JSON.parse(m.value!) as { __lsn: number }).__lsn);
    expect(change(decode(record(m, (t) => t.replace(`"__lsn":${lsn}`, '"__lsn":9223372036854775807')))).version).toBe(9223372036854775807n);
  });

  test('configurable metadata names, __source_sequence fallback and __source_snapshot', () => {
    const custom = createDecoder('json-rows', { rowFields: { op: 'op_', lsn: 'pos', sourceTsMs: 'ts', deleted: 'gone' } });
    const c = change(custom({ ...record(only('create')), value: Buffer.from('{"id":1,"op_":"u","pos":42,"ts":1000,"gone":false,"x":"y"}') }));
    expect(c).toMatchObject({ op: 'u', version: 42n, sourceTsMs: 1000, after: { values: { id: 1, x: 'y' } } });
    const bySequence = change(
      decode({ ...record(only('create')), value: Buffer.from('{"id":1,"__op":"r","__lsn":null,"__source_sequence":"[\\"10\\",\\"12\\"]","__source_snapshot":"incremental","__source_ts_ms":5}') }),
    );
    expect(bySequence).toMatchObject({ op: 'r', version: 12n, snapshot: 'incremental', after: { values: { id: 1 } } });
  });

  test('every captured message decodes; the SMT dropped the truncate', () => {
    expect(rows.map((m) => decode(record(m)).kind).filter((k) => k === 'dead-letter')).toEqual([]);
    expect(rows.some((m) => m.case === 'truncate')).toBe(false);
    expect(decode(record(only('heartbeat')))).toMatchObject({ kind: 'heartbeat' });
  });
});
