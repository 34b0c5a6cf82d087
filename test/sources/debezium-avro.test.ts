/**
 * The `debezium-avro` decoder with a fake SchemaDecoder (no registry: the registry adapter has its
 * own integration test), and column hints from a Debezium-style Avro envelope schema.
 */
import { describe, expect, test } from 'vitest';
import type { ColumnHint } from '../../src/domain/change.ts';
import { rowHintsFromAvroSchema } from '../../src/sources/decode/avro-hints.ts';
import { toPlain } from '../../src/sources/decode/debezium-avro.ts';
import { registryUnavailable } from '../../src/sources/decode/avro.ts';
import { createDecoder, type KafkaRecord, type SchemaDecoder, SchemaRegistryUnavailableError } from '../../src/sources/decode/index.ts';

/** What Confluent's AvroConverter writes for a Debezium Postgres envelope (abridged to a few columns). */
const envelopeSchema = {
  type: 'record',
  name: 'Envelope',
  namespace: 'fx.public.orders',
  fields: [
    {
      name: 'before',
      type: [
        'null',
        {
          type: 'record',
          name: 'Value',
          fields: [
            { name: 'id', type: 'long' },
            { name: 'email', type: 'string' },
            {
              name: 'amount',
              type: [
                'null',
                {
                  type: 'bytes',
                  scale: 2,
                  precision: 12,
                  'connect.version': 1,
                  'connect.parameters': { scale: '2', 'connect.decimal.precision': '12' },
                  'connect.name': 'org.apache.kafka.connect.data.Decimal',
                  logicalType: 'decimal',
                },
              ],
              default: null,
            },
            { name: 'created_at', type: ['null', { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.time.ZonedTimestamp' }], default: null },
            { name: 'local_ts', type: ['null', { type: 'long', 'connect.version': 1, 'connect.name': 'io.debezium.time.MicroTimestamp' }], default: null },
            { name: 'day', type: ['null', { type: 'int', 'connect.version': 1, 'connect.name': 'io.debezium.time.Date' }], default: null },
            { name: 'small', type: ['null', { type: 'int', 'connect.type': 'int16' }], default: null },
            {
              name: 'ratio',
              type: [
                'null',
                {
                  type: 'record',
                  name: 'VariableScaleDecimal',
                  namespace: 'io.debezium.data',
                  fields: [
                    { name: 'scale', type: 'int' },
                    { name: 'value', type: 'bytes' },
                  ],
                  'connect.doc': 'Variable scaled decimal',
                  'connect.version': 1,
                  'connect.name': 'io.debezium.data.VariableScaleDecimal',
                },
              ],
              default: null,
            },
            { name: 'notes', type: ['null', 'string'], default: null },
          ],
          'connect.name': 'fx.public.orders.Value',
        },
      ],
      default: null,
    },
    { name: 'after', type: ['null', 'Value'], default: null },
    {
      name: 'source',
      type: {
        type: 'record',
        name: 'Source',
        namespace: 'io.debezium.connector.postgresql',
        fields: [
          { name: 'version', type: 'string' },
          { name: 'connector', type: 'string' },
          { name: 'name', type: 'string' },
          { name: 'ts_ms', type: 'long' },
          {
            name: 'snapshot',
            type: [
              {
                type: 'string',
                'connect.version': 1,
                'connect.parameters': { allowed: 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental' },
                'connect.default': 'false',
                'connect.name': 'io.debezium.data.Enum',
              },
              'null',
            ],
            default: 'false',
          },
          { name: 'db', type: 'string' },
          { name: 'sequence', type: ['null', 'string'], default: null },
          { name: 'schema', type: 'string' },
          { name: 'table', type: 'string' },
          { name: 'txId', type: ['null', 'long'], default: null },
          { name: 'lsn', type: ['null', 'long'], default: null },
        ],
        'connect.name': 'io.debezium.connector.postgresql.Source',
      },
    },
    { name: 'op', type: 'string' },
    { name: 'ts_ms', type: ['null', 'long'], default: null },
  ],
  'connect.version': 2,
  'connect.name': 'fx.public.orders.Envelope',
};

const expectedHints: Record<string, ColumnHint> = {
  id: { type: 'int64' },
  email: { type: 'string' },
  amount: { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2', 'connect.decimal.precision': '12' } },
  created_at: { type: 'string', name: 'io.debezium.time.ZonedTimestamp' },
  local_ts: { type: 'int64', name: 'io.debezium.time.MicroTimestamp' },
  day: { type: 'int32', name: 'io.debezium.time.Date' },
  small: { type: 'int16' },
  ratio: { type: 'struct', name: 'io.debezium.data.VariableScaleDecimal' },
  notes: { type: 'string' },
};

describe('rowHintsFromAvroSchema', () => {
  test('Connect types and semantic names from connect.* attributes, through unions and named references', () => {
    expect(rowHintsFromAvroSchema(envelopeSchema)).toEqual(expectedHints);
    // `after` alone, referring to the Value record by name defined elsewhere, resolves too.
    const afterFirst = { ...envelopeSchema, fields: [envelopeSchema.fields[1], envelopeSchema.fields[0], ...envelopeSchema.fields.slice(2)] };
    expect(rowHintsFromAvroSchema(afterFirst)).toEqual(expectedHints);
  });

  test('plain Avro logical types without connect attributes map to Connect names', () => {
    const schema = {
      type: 'record',
      name: 'E',
      fields: [
        {
          name: 'after',
          type: [
            'null',
            {
              type: 'record',
              name: 'V',
              fields: [
                { name: 'd', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 3 } },
                { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
                { name: 'day', type: { type: 'int', logicalType: 'date' } },
              ],
            },
          ],
        },
      ],
    };
    expect(rowHintsFromAvroSchema(schema)).toEqual({
      d: { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '3' } },
      ts: { type: 'int64', name: 'org.apache.kafka.connect.data.Timestamp' },
      day: { type: 'int32', name: 'org.apache.kafka.connect.data.Date' },
    });
  });

  test('not an envelope: undefined', () => {
    expect(rowHintsFromAvroSchema({ type: 'record', name: 'Heartbeat', fields: [{ name: 'ts_ms', type: 'long' }] })).toBeUndefined();
    expect(rowHintsFromAvroSchema('long')).toBeUndefined();
  });
});

describe('debezium-avro decoding (fake SchemaDecoder)', () => {
  /** Record instances like avsc's: fields as own properties, methods on an enumerable prototype. */
  class AvroRecord {
    constructor(fields: Record<string, unknown>) {
      Object.assign(this, fields);
    }
  }
  (AvroRecord.prototype as unknown as Record<string, unknown>).clone = () => undefined;

  const bodies = new Map<number, unknown>();
  const hintCalls: number[] = [];
  const fake: SchemaDecoder = {
    decode: async (framed) => {
      const id = framed.readInt32BE(1);
      if (!bodies.has(id)) throw new Error('unknown schema id');
      return bodies.get(id);
    },
    rowHints: async (id) => {
      hintCalls.push(id);
      return id === 1 ? rowHintsFromAvroSchema(envelopeSchema) : undefined;
    },
  };
  const frame = (id: number) => Buffer.from([0, (id >>> 24) & 255, (id >>> 16) & 255, (id >>> 8) & 255, id & 255, 1, 2, 3]);
  const rec = (value: Buffer | null, key: Buffer | null = null, topic = 'fx.public.orders'): KafkaRecord => ({ topic, partition: 0, offset: '5', key, value });
  const source = (lsn: number | bigint | null) => new AvroRecord({ version: '3.6.1.Final', ts_ms: 1700000000123, snapshot: 'false', lsn, sequence: '[null,"77"]' });

  bodies.set(1, new AvroRecord({ before: null, after: new AvroRecord({ id: 9007199254740993n, email: 'x@example.com', amount: Buffer.from([1, 0xe2, 0x3a]), ratio: new AvroRecord({ scale: 2, value: Buffer.from([5]) }) }), source: source(9223372036854775807n), op: 'c', ts_ms: 1 }));
  bodies.set(2, new AvroRecord({ before: null, after: null, source: source(12), op: 'd' }));
  bodies.set(3, new AvroRecord({ id: 9007199254740995n }));
  bodies.set(4, new AvroRecord({ ts_ms: 1700000000999 }));
  bodies.set(5, new AvroRecord({ before: null, after: null, source: source(13), op: 't' }));

  const decode = createDecoder('debezium-avro', { schemaDecoder: fake });

  test('create: plain rows, bigint longs, bytes as Buffer, hints of the writer schema', async () => {
    const result = await decode(rec(frame(1)));
    expect(result).toMatchObject({ kind: 'change', op: 'c', version: 9223372036854775807n, sourceTsMs: 1700000000123, snapshot: 'no' });
    if (result.kind !== 'change') throw new Error(result.kind);
    expect(Object.getPrototypeOf(result.after!.values)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result.after!.values.ratio)).toBe(Object.prototype);
    expect(result.after!.values).toEqual({ id: 9007199254740993n, email: 'x@example.com', amount: Buffer.from([1, 0xe2, 0x3a]), ratio: { scale: 2, value: Buffer.from([5]) } });
    expect(result.after!.hints).toEqual(expectedHints);
    expect(hintCalls).toContain(1);
  });

  test('a delete without before takes the Avro key; a tombstone carries it', async () => {
    expect(await decode(rec(frame(2), frame(3)))).toMatchObject({ kind: 'change', op: 'd', version: 12n, before: { values: { id: 9007199254740995n } } });
    expect(await decode(rec(frame(2), null))).toMatchObject({ kind: 'dead-letter', code: 'RECON_DL_KEY_MISSING' });
    expect(await decode(rec(null, frame(3)))).toMatchObject({ kind: 'tombstone', key: { id: 9007199254740995n } });
    expect(await decode(rec(null, Buffer.from('{"id":1}')))).toEqual({ kind: 'tombstone', provenance: { topic: 'fx.public.orders', partition: 0, offset: '5' } });
  });

  test('truncate and heartbeat', async () => {
    expect(await decode(rec(frame(5)))).toMatchObject({ kind: 'truncate', sourceTsMs: 1700000000123 });
    expect(await decode(rec(frame(4), null, '__debezium-heartbeat.fx'))).toMatchObject({ kind: 'heartbeat', sourceTsMs: 1700000000999 });
  });

  test('a failing rowHints only loses the hints', async () => {
    const decodeNoHints = createDecoder('debezium-avro', { schemaDecoder: { decode: fake.decode, rowHints: () => Promise.reject(new Error('down')) } });
    const result = await decodeNoHints(rec(frame(1)));
    expect(result).toMatchObject({ kind: 'change', op: 'c' });
    if (result.kind === 'change') expect(result.after?.hints).toBeUndefined();
  });

  test('toPlain keeps bigint, bytes and arrays', () => {
    expect(toPlain([new AvroRecord({ a: 1n, b: new Uint8Array([1]) }), null, 'x'])).toEqual([{ a: 1n, b: new Uint8Array([1]) }, null, 'x']);
  });
});

describe('an unavailable registry is retried, not dead-lettered', () => {
  const frame = Buffer.from([0, 0, 0, 0, 9, 1, 2, 3]);
  const rec = (value: Buffer | null, key: Buffer | null = null): KafkaRecord => ({ topic: 't', partition: 0, offset: '1', key, value });
  const down = () => Promise.reject(new SchemaRegistryUnavailableError('registry down'));

  test('decode, key decode and hint lookup failing for the registry reject with the retriable error', async () => {
    const body = { before: null, after: null, source: { ts_ms: 1, lsn: 1 }, op: 'd' };
    const cases: SchemaDecoder[] = [
      { decode: down },
      { decode: async () => ({ ...body, op: 'c', after: { id: 1 } }), rowHints: down },
      { decode: async (framed) => (framed.equals(frame) ? body : down()) },
    ];
    for (const schemaDecoder of cases) {
      const decode = createDecoder('debezium-avro', { schemaDecoder });
      const failure = await decode(rec(frame, Buffer.from([0, 0, 0, 0, 8, 1]))).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(SchemaRegistryUnavailableError);
      expect(failure).toMatchObject({ retriable: true, code: 'RECON_SCHEMA_REGISTRY_UNAVAILABLE' });
    }
    await expect(createDecoder('debezium-avro', { schemaDecoder: { decode: down } })(rec(null, frame))).rejects.toThrow(SchemaRegistryUnavailableError);
  });

  test('which library errors count as the registry being unavailable', () => {
    const withStatus = (status: number, message: string) => Object.assign(new Error(message), { status });
    expect(registryUnavailable(withStatus(400, 'Confluent_Schema_Registry - Error, status 400: connect ECONNREFUSED 127.0.0.1:1'))).toBe(true);
    expect(registryUnavailable(withStatus(503, 'Service Unavailable'))).toBe(true);
    expect(registryUnavailable(withStatus(401, 'Unauthorized'))).toBe(true);
    expect(registryUnavailable(withStatus(404, "No content with id/hash 'contentId-7' was found."))).toBe(false);
    expect(registryUnavailable(new Error('truncated buffer'))).toBe(false);
    expect(registryUnavailable(new Error('potential precision loss'))).toBe(false);
  });
});
