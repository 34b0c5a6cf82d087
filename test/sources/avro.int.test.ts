/**
 * `debezium-avro` against the real Confluent-compatible registry: Debezium-like envelope, key and
 * heartbeat schemas are registered, messages encoded in the Confluent wire format and decoded
 * through ConfluentSchemaDecoder. Each test uses its own subjects (deleted afterwards).
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, onTestFinished, test } from 'vitest';
import { AVRO_BIGINT_OPTIONS, ConfluentSchemaDecoder } from '../../src/sources/decode/avro.ts';
import { createDecoder, type KafkaRecord, SchemaRegistryUnavailableError } from '../../src/sources/decode/index.ts';
import { stack, uniqueName } from '../harness/resources.ts';

function envelopeSchema(namespace: string) {
  const optional = (type: unknown) => ['null', type];
  return {
    type: 'record',
    name: 'Envelope',
    namespace,
    fields: [
      {
        name: 'before',
        default: null,
        type: optional({
          type: 'record',
          name: 'Value',
          fields: [
            { name: 'id', type: 'long' },
            { name: 'email', type: 'string' },
            {
              name: 'amount',
              default: null,
              type: optional({
                type: 'bytes',
                scale: 2,
                precision: 12,
                'connect.version': 1,
                'connect.parameters': { scale: '2', 'connect.decimal.precision': '12' },
                'connect.name': 'org.apache.kafka.connect.data.Decimal',
                logicalType: 'decimal',
              }),
            },
            { name: 'created_at', default: null, type: optional({ type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.time.ZonedTimestamp' }) },
            { name: 'local_ts', default: null, type: optional({ type: 'long', 'connect.version': 1, 'connect.name': 'io.debezium.time.MicroTimestamp' }) },
            { name: 'notes', default: null, type: optional('string') },
          ],
          'connect.name': `${namespace}.Value`,
        }),
      },
      { name: 'after', default: null, type: optional('Value') },
      {
        name: 'source',
        type: {
          type: 'record',
          name: 'Source',
          namespace: 'io.debezium.connector.postgresql',
          fields: [
            { name: 'version', type: 'string' },
            { name: 'connector', type: 'string' },
            { name: 'ts_ms', type: 'long' },
            { name: 'snapshot', default: 'false', type: [{ type: 'string', 'connect.name': 'io.debezium.data.Enum' }, 'null'] },
            { name: 'sequence', default: null, type: optional('string') },
            { name: 'txId', default: null, type: optional('long') },
            { name: 'lsn', default: null, type: optional('long') },
          ],
          'connect.name': 'io.debezium.connector.postgresql.Source',
        },
      },
      { name: 'op', type: 'string' },
      { name: 'ts_ms', default: null, type: optional('long') },
      { name: 'ts_ns', default: null, type: optional('long') },
    ],
    'connect.name': `${namespace}.Envelope`,
  };
}

interface Registered {
  registry: SchemaRegistry;
  valueId: number;
  keyId: number;
  heartbeatId: number;
}

async function registerSchemas(): Promise<Registered> {
  const host = stack().schemaRegistryUrl;
  const registry = new SchemaRegistry({ host }, AVRO_BIGINT_OPTIONS);
  const namespace = uniqueName('fx');
  const subjects = [`${namespace}-value`, `${namespace}-key`, `__debezium-heartbeat.${namespace}-value`];
  onTestFinished(async () => {
    for (const subject of subjects) {
      await fetch(`${host}/subjects/${encodeURIComponent(subject)}`, { method: 'DELETE' }).catch(() => undefined);
      await fetch(`${host}/subjects/${encodeURIComponent(subject)}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
    }
  });
  const register = async (schema: object, subject: string) =>
    (await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject })).id;
  return {
    registry,
    valueId: await register(envelopeSchema(namespace), subjects[0]!),
    keyId: await register({ type: 'record', name: 'Key', namespace, fields: [{ name: 'id', type: 'long' }] }, subjects[1]!),
    heartbeatId: await register(
      { type: 'record', name: 'Heartbeat', namespace: 'io.debezium.connector.common', fields: [{ name: 'ts_ms', type: 'long' }] },
      subjects[2]!,
    ),
  };
}

const source = (lsn: number | bigint | null, sequence: string | null = null) => ({
  version: '3.6.1.Final',
  connector: 'postgresql',
  ts_ms: 1_795_672_259_608,
  snapshot: 'false',
  sequence,
  txId: 794,
  lsn,
});

const row = {
  id: 9_007_199_254_740_993n,
  email: 'carol@example.com',
  amount: Buffer.from([0x02, 0x54, 0x0b, 0xe3, 0xff]),
  created_at: '2026-06-30T23:59:59.999999Z',
  local_ts: 1_782_863_999_999_999,
  notes: 'x'.repeat(5000),
};

function rec(value: Buffer | null, key: Buffer | null, topic = 'fx.public.fixture'): KafkaRecord {
  return { topic, partition: 3, offset: '41', key, value };
}

describe('debezium-avro through the schema registry', () => {
  test('create, update, delete, tombstone, truncate and heartbeat decode; longs beyond 2^53 are exact', async () => {
    const { registry, valueId, keyId, heartbeatId } = await registerSchemas();
    const decode = createDecoder('debezium-avro', { schemaDecoder: new ConfluentSchemaDecoder({ host: stack().schemaRegistryUrl }) });
    const key = await registry.encode(keyId, { id: row.id });
    const envelope = (op: string, before: object | null, after: object | null, lsn: bigint | number | null = 9_223_372_036_854_775_807n) =>
      registry.encode(valueId, { before, after, source: source(lsn), op, ts_ms: 1_795_672_259_777, ts_ns: 1_795_672_259_777_586_126n });

    const created = await decode(rec(await envelope('c', null, row), key));
    expect(created).toMatchObject({ kind: 'change', op: 'c', before: null, version: 9_223_372_036_854_775_807n, sourceTsMs: 1_795_672_259_608, snapshot: 'no' });
    if (created.kind !== 'change') throw new Error(created.kind);
    expect(created.after?.values).toEqual({ ...row, amount: expect.any(Uint8Array) });
    expect(Buffer.from(created.after!.values.amount as Uint8Array)).toEqual(row.amount);
    expect(created.after?.hints).toEqual({
      id: { type: 'int64' },
      email: { type: 'string' },
      amount: { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2', 'connect.decimal.precision': '12' } },
      created_at: { type: 'string', name: 'io.debezium.time.ZonedTimestamp' },
      local_ts: { type: 'int64', name: 'io.debezium.time.MicroTimestamp' },
      notes: { type: 'string' },
    });

    const updated = await decode(rec(await envelope('u', row, { ...row, email: 'new@example.com' }, 48_878_312), key));
    expect(updated).toMatchObject({ kind: 'change', op: 'u', version: 48_878_312n, before: { values: { email: 'carol@example.com' } }, after: { values: { email: 'new@example.com' } } });

    // A delete without before (REPLICA IDENTITY NOTHING) takes its key from the Avro message key.
    expect(await decode(rec(await envelope('d', null, null, 48_884_512), key))).toMatchObject({
      kind: 'change',
      op: 'd',
      before: { values: { id: 9_007_199_254_740_993n } },
    });
    expect(await decode(rec(null, key))).toMatchObject({ kind: 'tombstone', key: { id: 9_007_199_254_740_993n } });
    expect(await decode(rec(await envelope('t', null, null, 48_890_560), null))).toMatchObject({ kind: 'truncate', sourceTsMs: 1_795_672_259_608 });

    // An incremental-snapshot row: lsn null, the version from source.sequence.
    const incremental = await registry.encode(valueId, { before: null, after: row, source: { ...source(null, '["48886488","48886489"]'), snapshot: 'incremental' }, op: 'r', ts_ms: null, ts_ns: null });
    expect(await decode(rec(incremental, key))).toMatchObject({ kind: 'change', op: 'r', snapshot: 'incremental', version: 48_886_489n });

    const heartbeat = await registry.encode(heartbeatId, { ts_ms: 1_795_672_251_030 });
    expect(await decode(rec(heartbeat, null, '__debezium-heartbeat.fx'))).toMatchObject({ kind: 'heartbeat', sourceTsMs: 1_795_672_251_030 });
  });

  test('no magic byte, an unknown schema id and a truncated body are dead letters with provenance', async () => {
    const { registry, valueId } = await registerSchemas();
    const decode = createDecoder('debezium-avro', { schemaDecoder: new ConfluentSchemaDecoder({ host: stack().schemaRegistryUrl }) });
    const good = await registry.encode(valueId, { before: null, after: row, source: source(1), op: 'c', ts_ms: null, ts_ns: null });
    const provenance = { topic: 'fx.public.fixture', partition: 3, offset: '41' };

    const json = Buffer.from('{"op":"c","after":{"email":"carol@example.com"}}');
    expect(await decode(rec(json, null))).toMatchObject({ kind: 'dead-letter', code: 'RECON_DL_AVRO_NO_MAGIC_BYTE', provenance });

    const unknownId = Buffer.from(good);
    unknownId.writeInt32BE(2_000_000_000, 1);
    const unknown = await decode(rec(unknownId, null));
    expect(unknown).toMatchObject({ kind: 'dead-letter', code: 'RECON_DL_AVRO_DECODE', provenance });

    const truncated = await decode(rec(good.subarray(0, 40), null));
    expect(truncated).toMatchObject({ kind: 'dead-letter', code: 'RECON_DL_AVRO_DECODE', provenance });
    for (const letter of [unknown, truncated]) {
      if (letter.kind === 'dead-letter') expect(letter.reason).not.toContain('carol@example.com');
    }
  });

  test('an unreachable registry rejects with the retriable error instead of dead-lettering the message', async () => {
    const { registry, valueId } = await registerSchemas();
    const framed = await registry.encode(valueId, { before: null, after: row, source: source(1), op: 'c', ts_ms: null, ts_ns: null });
    const unreachable = new ConfluentSchemaDecoder({ host: 'http://127.0.0.1:1/apis/ccompat/v7' });
    const decode = createDecoder('debezium-avro', { schemaDecoder: unreachable });
    await expect(decode(rec(framed, null))).rejects.toBeInstanceOf(SchemaRegistryUnavailableError);
    await expect(unreachable.rowHints(valueId)).rejects.toMatchObject({ retriable: true });
  });

  test('what the library does by default: a long beyond 2^53 fails to decode ("potential precision loss")', async () => {
    const { registry, valueId } = await registerSchemas();
    const framed = await registry.encode(valueId, { before: null, after: row, source: source(9_007_199_254_740_993n), op: 'c', ts_ms: null, ts_ns: null });
    const plainRegistry = new SchemaRegistry({ host: stack().schemaRegistryUrl });
    await expect(plainRegistry.decode(framed)).rejects.toThrow(/precision loss/);
    // Through the adapter's long type the same bytes decode exactly.
    const decoded = (await new ConfluentSchemaDecoder({ host: stack().schemaRegistryUrl }).decode(framed)) as { source: { lsn: bigint } };
    expect(decoded.source.lsn).toBe(9_007_199_254_740_993n);
  });
});
