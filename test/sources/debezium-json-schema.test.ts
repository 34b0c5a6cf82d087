/**
 * Golden tests of the `debezium-json-schema` format (JsonConverter schemas.enable=true) against
 * captured Debezium 3.6.1 messages, and of its schema cache.
 */
import { change, load, only, record } from './fixtures.ts';
import { describe, expect, test } from 'vitest';

import { createDecoder } from '../../src/sources/decode/index.ts';

const precise = load('debezium-json-schema-precise');
const stringMode = load('debezium-json-schema-string');
const plain = load('debezium-json-string');

describe('debezium-json-schema golden messages', () => {
  test('the payload decodes like the schemaless envelope, plus per-column hints from schema.fields', () => {
    const decode = createDecoder('debezium-json-schema');
    const c = change(decode(record(only(precise, 'create'))));
    expect(c).toMatchObject({ op: 'c', before: null, snapshot: 'no' });
    expect(c.after?.values).toMatchObject({ id: 3, email: 'carol@example.com', amount: 'AlQL4/8=', ratio: { scale: 0, value: 'AA==' } });
    expect(c.after?.hints).toEqual({
      id: { type: 'int64' },
      email: { type: 'string' },
      amount: { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2', 'connect.decimal.precision': '12' } },
      ratio: { type: 'struct', name: 'io.debezium.data.VariableScaleDecimal' },
      created_at: { type: 'string', name: 'io.debezium.time.ZonedTimestamp' },
      local_ts: { type: 'int64', name: 'io.debezium.time.MicroTimestamp' },
      day: { type: 'int32', name: 'io.debezium.time.Date' },
      at_time: { type: 'int64', name: 'io.debezium.time.MicroTime' },
      active: { type: 'boolean' },
      uid: { type: 'string', name: 'io.debezium.data.Uuid' },
      doc: { type: 'string', name: 'io.debezium.data.Json' },
      blob: { type: 'bytes' },
      status: { type: 'string' },
      notes: { type: 'string' },
    });
  });

  test('decimal.handling.mode=string: the decimal columns are plain strings in the hints', () => {
    const c = change(createDecoder('debezium-json-schema')(record(only(stringMode, 'snapshot-first'))));
    expect(c.after?.values.amount).toBe('1234.50');
    expect(c.after?.hints?.amount).toEqual({ type: 'string' });
    expect(c.after?.hints?.ratio).toEqual({ type: 'string' });
  });

  test('every op decodes the same as its schemaless twin (values, op, snapshot)', () => {
    const decode = createDecoder('debezium-json-schema');
    const decodePlain = createDecoder('debezium-json');
    for (const m of stringMode) {
      if (m.case === 'heartbeat') continue;
      const twin = only(
        plain.filter((p) => p.case !== 'incremental-snapshot'),
        m.case,
      );
      const a = decode(record(m));
      const b = decodePlain(record(twin));
      expect(a.kind, m.case).toBe(b.kind);
      if (a.kind === 'change' && b.kind === 'change') {
        expect(a.op).toBe(b.op);
        expect(a.snapshot).toBe(b.snapshot);
        expect(a.before?.values ?? null, m.case).toEqual(b.before?.values ?? null);
        expect(a.after?.values ?? null, m.case).toEqual(b.after?.values ?? null);
        expect(a.before?.hints ?? a.after?.hints).toBeDefined();
      }
      if (a.kind === 'tombstone' && b.kind === 'tombstone') expect(a.key).toEqual(b.key);
    }
  });

  test('tombstone, truncate and heartbeat with schemas', () => {
    const decode = createDecoder('debezium-json-schema');
    expect(decode(record(only(precise, 'tombstone-after-delete')))).toMatchObject({ kind: 'tombstone', key: { id: 4 } });
    expect(decode(record(only(precise, 'truncate')))).toMatchObject({ kind: 'truncate', sourceTsMs: expect.any(Number) });
    expect(decode(record(only(precise, 'heartbeat')))).toMatchObject({ kind: 'heartbeat', sourceTsMs: expect.any(Number) });
  });

  test('primary-key change (B4) and the unsafe key (B12) with schemas', () => {
    const decode = createDecoder('debezium-json-schema');
    expect(change(decode(record(only(precise, 'pk-change-delete-old-key'))))).toMatchObject({ op: 'd', before: { values: { id: 2 } } });
    expect(change(decode(record(only(precise, 'pk-change-create-new-key'))))).toMatchObject({ op: 'c', after: { values: { id: 20 } } });
    expect(change(decode(record(only(precise, 'create-unsafe-key')))).after?.values.id).toBe(9007199254740993n);
    const m = only(precise, 'create');
    const lsn = String((JSON.parse(m.value!) as { payload: { source: { lsn: number } } }).payload.source.lsn);
    // Twice: once through the full parse (cache miss), once through the payload-only parse (hit).
    for (let i = 0; i < 2; i++) {
      expect(change(decode(record(m, (t) => t.replace(`"lsn":${lsn}`, '"lsn":9223372036854775807')))).version).toBe(9223372036854775807n);
    }
  });
});

describe('the schema cache', () => {
  test('messages with the same schema share one frozen hints object', () => {
    const decode = createDecoder('debezium-json-schema');
    const a = change(decode(record(only(precise, 'create'))));
    const b = change(decode(record(only(precise, 'update-identity-full'))));
    expect(b.after?.hints).toBe(a.after?.hints);
    expect(b.before?.hints).toBe(a.after?.hints);
    expect(Object.isFrozen(a.after?.hints)).toBe(true);
    const other = change(decode(record(only(stringMode, 'create'))));
    expect(other.after?.hints).not.toBe(a.after?.hints);
    expect(other.after?.hints?.amount).toEqual({ type: 'string' });
  });

  test('a hit parses only the payload and gives the same result as a miss', () => {
    const m = only(precise, 'update-identity-full');
    const cold = change(createDecoder('debezium-json-schema')(record(m)));
    const decode = createDecoder('debezium-json-schema');
    decode(record(only(precise, 'create')));
    const warm = change(decode(record(m)));
    expect(warm).toEqual(cold);
  });

  test('a column called "payload" does not confuse the split', () => {
    const decode = createDecoder('debezium-json-schema');
    const m = only(precise, 'create');
    const edit = (t: string) => t.replaceAll('"field":"status"', '"field":"payload"').replace('"status":"new"', '"payload":"new"');
    for (let i = 0; i < 2; i++) {
      const c = change(decode(record(m, edit)));
      expect(c.after?.values.payload).toBe('new');
      expect(c.after?.hints?.payload).toEqual({ type: 'string' });
    }
  });

  test('a schema containing `,"payload":` itself is never cached under a wrong split', () => {
    const decode = createDecoder('debezium-json-schema');
    const m = only(precise, 'create');
    const edit = (t: string) => t.replaceAll('"parameters":{"scale":"2"', '"parameters":{"x":"1","payload":"2","scale":"2"');
    for (let i = 0; i < 3; i++) {
      const c = change(decode(record(m, edit)));
      expect(c.after?.values.id).toBe(3);
      expect(c.after?.hints?.amount?.parameters).toEqual({ x: '1', payload: '2', scale: '2', 'connect.decimal.precision': '12' });
    }
  });

  test('another key order or extra keys take the plain path', () => {
    const decode = createDecoder('debezium-json-schema');
    const m = only(precise, 'create');
    const message = JSON.parse(m.value!) as { schema: unknown; payload: unknown };
    const reordered = JSON.stringify({ payload: message.payload, schema: message.schema });
    const extra = m.value!.slice(0, -1) + ',"extra":1}';
    decode(record(m)); // warm the cache for this schema
    for (const text of [reordered, extra]) {
      const c = change(decode(record(m, () => text)));
      expect(c.after?.values.id).toBe(3);
      expect(c.after?.hints?.amount?.name).toBe('org.apache.kafka.connect.data.Decimal');
    }
  });

  test('a message without payload is not an envelope', () => {
    const decode = createDecoder('debezium-json-schema');
    const m = only(precise, 'create');
    expect(decode(record(m, () => '{"schema":{"type":"struct"}}'))).toMatchObject({ kind: 'dead-letter', code: 'RECON_DL_NOT_AN_ENVELOPE' });
  });
});
