/**
 * Bad input (B13, invariant 9): every dead-letter code the decoders produce, with its provenance, a
 * reason naming the field, and never a row value (S1). The decoders never throw.
 *
 * RECON_DL_SCHEMA_CHANGED and RECON_DL_UNAVAILABLE_UNRESOLVED are the engine's codes (they need
 * per-entity state), not the decoders'.
 */
import { load } from './fixtures.ts';
import { describe, expect, test } from 'vitest';
import type { DeadLetter, DeadLetterCode, DecodeResult } from '../../src/domain/change.ts';
import { createDecoder, decodeHeartbeat, type DecoderFormat, type KafkaRecord, type SchemaDecoder } from '../../src/sources/decode/index.ts';

const plain = load('debezium-json-string');
const withSchema = load('debezium-json-schema-precise');
const rows = load('json-rows');
const createMsg = plain.find((m) => m.case === 'create')!;
const createText = createMsg.value!;
const EMAIL = 'carol@example.com';
expect(createText).toContain(EMAIL);

const TOPIC = 'a.public.orders';
const PARTITION = 7;
const OFFSET = '9223372036854775806';

function rec(value: string | Buffer | null, key: string | Buffer | null = '{"id":3}', topic = TOPIC): KafkaRecord {
  return {
    topic,
    partition: PARTITION,
    offset: OFFSET,
    key: typeof key === 'string' ? Buffer.from(key) : key,
    value: typeof value === 'string' ? Buffer.from(value) : value,
  };
}

/** Asserts a dead letter with the code, the provenance, a reason that names `field`, and no row value. */
function expectDeadLetter(result: DecodeResult, code: DeadLetterCode, field?: string): DeadLetter {
  expect(result.kind).toBe('dead-letter');
  const letter = result as DeadLetter;
  expect(letter.code).toBe(code);
  expect(letter.provenance).toEqual({ topic: TOPIC, partition: PARTITION, offset: OFFSET });
  expect(letter.reason.length).toBeGreaterThan(10);
  if (field !== undefined) expect(letter.reason).toContain(field);
  for (const secret of [EMAIL, 'example.com', 'carol', 'apetixmbq', '99999999.99', 'c0eebc99']) expect(letter.reason).not.toContain(secret);
  return letter;
}

/** The captured create envelope, re-serialised after `edit` changed it. */
function editEnvelope(edit: (e: Record<string, unknown> & { source: Record<string, unknown> }) => void): string {
  const e = JSON.parse(createText) as Record<string, unknown> & { source: Record<string, unknown> };
  edit(e);
  return JSON.stringify(e);
}

const decode = createDecoder('debezium-json');

describe('dead letters of the JSON envelope formats', () => {
  test('RECON_DL_NOT_JSON: truncated, binary, or not UTF-8 JSON', () => {
    expectDeadLetter(decode(rec(createText.slice(0, 200))), 'RECON_DL_NOT_JSON', 'value');
    expectDeadLetter(decode(rec(Buffer.from([0, 1, 2, 0xff, 0xfe]))), 'RECON_DL_NOT_JSON');
    expectDeadLetter(decode(rec(`${createText}}`)), 'RECON_DL_NOT_JSON');
    // V8's own SyntaxError text quotes the input; the reason must not.
    expectDeadLetter(decode(rec(`{"after":{"email":"${EMAIL}"`)), 'RECON_DL_NOT_JSON');
  });

  test('RECON_DL_NOT_AN_ENVELOPE: JSON that is not an object, or an object without op and source', () => {
    for (const text of ['42', '"carol@example.com"', '[1,2]', 'null', 'true']) expectDeadLetter(decode(rec(text)), 'RECON_DL_NOT_AN_ENVELOPE');
    // An unwrapped row on a topic configured as debezium-json:
    const unwrapped = rows.find((m) => m.case === 'create')!.value!;
    expectDeadLetter(decode(rec(unwrapped)), 'RECON_DL_NOT_AN_ENVELOPE', 'json-rows');
  });

  test('RECON_DL_UNKNOWN_OP: an op other than c, u, d, r, t (the value is not echoed)', () => {
    for (const op of ['m', 'x', EMAIL, 5]) {
      expectDeadLetter(decode(rec(editEnvelope((e) => (e.op = op)))), 'RECON_DL_UNKNOWN_OP', 'op');
    }
  });

  test('RECON_DL_MISSING_FIELD: op, source, source.ts_ms, source.lsn (and no sequence), after of c/u/r', () => {
    expectDeadLetter(decode(rec(editEnvelope((e) => delete e.op))), 'RECON_DL_MISSING_FIELD', 'op');
    expectDeadLetter(decode(rec(editEnvelope((e) => (e.source = null as never)))), 'RECON_DL_MISSING_FIELD', 'source');
    expectDeadLetter(decode(rec(editEnvelope((e) => delete e.source.ts_ms))), 'RECON_DL_MISSING_FIELD', 'source.ts_ms');
    expectDeadLetter(
      decode(rec(editEnvelope((e) => ((e.source.lsn = null), delete e.source.sequence)))),
      'RECON_DL_MISSING_FIELD',
      'source.lsn',
    );
    for (const op of ['c', 'u', 'r']) {
      expectDeadLetter(decode(rec(editEnvelope((e) => ((e.op = op), (e.after = null))))), 'RECON_DL_MISSING_FIELD', 'after');
      expectDeadLetter(decode(rec(editEnvelope((e) => ((e.op = op), delete e.after)))), 'RECON_DL_MISSING_FIELD', 'after');
    }
    // A truncate needs its time too.
    expectDeadLetter(decode(rec(editEnvelope((e) => ((e.op = 't'), delete e.source.ts_ms)))), 'RECON_DL_MISSING_FIELD', 'source.ts_ms');
  });

  test('RECON_DL_BAD_VALUE: wrong types where the envelope needs them', () => {
    expectDeadLetter(decode(rec(editEnvelope((e) => (e.source.ts_ms = '1700000000000')))), 'RECON_DL_BAD_VALUE', 'source.ts_ms');
    expectDeadLetter(decode(rec(editEnvelope((e) => (e.source.lsn = -5)))), 'RECON_DL_BAD_VALUE', 'source.lsn');
    expectDeadLetter(decode(rec(editEnvelope((e) => (e.source.lsn = 1.5)))), 'RECON_DL_BAD_VALUE', 'source.lsn');
    expectDeadLetter(decode(rec(editEnvelope((e) => ((e.source.lsn = null), (e.source.sequence = 'nope'))))), 'RECON_DL_BAD_VALUE', 'source.sequence');
    expectDeadLetter(decode(rec(editEnvelope((e) => (e.source = EMAIL as never)))), 'RECON_DL_BAD_VALUE', 'source');
    expectDeadLetter(decode(rec(editEnvelope((e) => (e.after = [EMAIL])))), 'RECON_DL_BAD_VALUE', 'after');
    expectDeadLetter(decode(rec(editEnvelope((e) => ((e.op = 'u'), (e.before = EMAIL))))), 'RECON_DL_BAD_VALUE', 'before');
  });

  test('RECON_DL_KEY_MISSING: a delete without before and without a usable key', () => {
    const deleteWithoutBefore = editEnvelope((e) => ((e.op = 'd'), (e.before = null), (e.after = null)));
    for (const key of [null, '', 'not json', '42', `"${EMAIL}"`]) {
      expectDeadLetter(decode(rec(deleteWithoutBefore, key)), 'RECON_DL_KEY_MISSING', 'before');
    }
    // With a key it decodes.
    expect(decode(rec(deleteWithoutBefore, '{"id":3}'))).toMatchObject({ kind: 'change', op: 'd', before: { values: { id: 3 } } });
  });

  test('RECON_DL_TOO_LARGE: a 2 MiB message is refused before parsing, under the 1 MiB default', () => {
    const huge = createText.replace(/"notes":"[a-z]+"/, `"notes":"${'x'.repeat(2 * 1024 * 1024)}"`);
    expect(Buffer.byteLength(huge)).toBeGreaterThan(2 * 1024 * 1024);
    const letter = expectDeadLetter(decode(rec(huge)), 'RECON_DL_TOO_LARGE', 'maxMessageBytes');
    expect(letter.reason).toContain(String(Buffer.byteLength(huge)));
    // The limit is configurable: with 4 MiB the same message decodes.
    const roomy = createDecoder('debezium-json', { maxMessageBytes: 4 * 1024 * 1024 });
    expect(roomy(rec(huge))).toMatchObject({ kind: 'change', op: 'c' });
    // Every format checks it.
    for (const format of ['debezium-json-schema', 'json-rows'] as const) {
      expectDeadLetter(createDecoder(format, { maxMessageBytes: 1000 })(rec(createText)), 'RECON_DL_TOO_LARGE');
    }
    expectDeadLetter(decodeHeartbeat(rec('{"ts_ms":1}'), 5), 'RECON_DL_TOO_LARGE');
  });

  test('schema format and json-rows dead letters', () => {
    const schemaDecode = createDecoder('debezium-json-schema');
    const schemaCreate = withSchema.find((m) => m.case === 'create')!.value!;
    expectDeadLetter(schemaDecode(rec(schemaCreate.slice(0, -40))), 'RECON_DL_NOT_JSON');
    expectDeadLetter(schemaDecode(rec(createText)), 'RECON_DL_NOT_AN_ENVELOPE', 'payload');
    expectDeadLetter(schemaDecode(rec(schemaCreate.replace('"op":"c"', '"op":"z"'))), 'RECON_DL_UNKNOWN_OP');

    const rowsDecode = createDecoder('json-rows');
    const rowCreate = rows.find((m) => m.case === 'create')!.value!;
    expectDeadLetter(rowsDecode(rec('[1]')), 'RECON_DL_NOT_AN_ENVELOPE');
    expectDeadLetter(rowsDecode(rec(rowCreate.replace('"__op":"c"', '"__op":"q"'))), 'RECON_DL_UNKNOWN_OP', '__op');
    expectDeadLetter(rowsDecode(rec(rowCreate.replace(/"__source_ts_ms":\d+/, '"__source_ts_ms":null'))), 'RECON_DL_MISSING_FIELD', '__source_ts_ms');
    expectDeadLetter(rowsDecode(rec(rowCreate.replace(/"__lsn":\d+/, '"__x":1'))), 'RECON_DL_MISSING_FIELD', '__lsn');
    expectDeadLetter(rowsDecode(rec(rowCreate.replace(/"__lsn":\d+/, '"__lsn":"abc"'))), 'RECON_DL_BAD_VALUE', '__lsn');
    expectDeadLetter(rowsDecode(rec(rowCreate.slice(1))), 'RECON_DL_NOT_JSON');
  });

  test('heartbeats: missing or bad ts_ms', () => {
    const topic = '__debezium-heartbeat.a';
    const r = (v: string) => ({ ...rec(v), topic });
    const check = (result: DecodeResult, code: DeadLetterCode) => {
      expect(result).toMatchObject({ kind: 'dead-letter', code, provenance: { topic, partition: PARTITION, offset: OFFSET } });
    };
    check(decode(r('{}')), 'RECON_DL_MISSING_FIELD');
    check(decode(r('{"ts_ms":"soon"}')), 'RECON_DL_BAD_VALUE');
    check(decode(r('nope')), 'RECON_DL_NOT_JSON');
    check(decode(r('7')), 'RECON_DL_NOT_AN_ENVELOPE');
    expect(decode({ ...rec(null), topic })).toMatchObject({ kind: 'tombstone' });
  });
});

describe('dead letters of debezium-avro (fake SchemaDecoder: the wire header rules are pure)', () => {
  const failing: SchemaDecoder = { decode: () => Promise.reject(new Error(`boom ${EMAIL}`)) };
  const jsonBody: SchemaDecoder = { decode: (framed) => Promise.resolve(JSON.parse(framed.subarray(5).toString())) };
  const frame = (body: string) => Buffer.concat([Buffer.from([0, 0, 0, 0, 42]), Buffer.from(body)]);

  test('RECON_DL_AVRO_NO_MAGIC_BYTE: JSON on an Avro topic, a wrong magic byte, a short header', async () => {
    const avro = createDecoder('debezium-avro', { schemaDecoder: jsonBody });
    expectDeadLetter(await avro(rec(createText)), 'RECON_DL_AVRO_NO_MAGIC_BYTE', 'magic byte');
    expectDeadLetter(await avro(rec(Buffer.from([1, 0, 0, 0, 1, 2]))), 'RECON_DL_AVRO_NO_MAGIC_BYTE');
    expectDeadLetter(await avro(rec(Buffer.from([0, 0, 0]))), 'RECON_DL_AVRO_NO_MAGIC_BYTE');
  });

  test('RECON_DL_AVRO_DECODE: the SchemaDecoder fails (its error text is not passed on)', async () => {
    const avro = createDecoder('debezium-avro', { schemaDecoder: failing });
    const letter = expectDeadLetter(await avro(rec(frame(createText))), 'RECON_DL_AVRO_DECODE', 'schema id 42');
    expect(letter.reason).not.toContain('boom');
  });

  test('the envelope rules apply to Avro-decoded envelopes too; a 2 MiB message is refused', async () => {
    const avro = createDecoder('debezium-avro', { schemaDecoder: jsonBody });
    expect(await avro(rec(frame(createText)))).toMatchObject({ kind: 'change', op: 'c', after: { values: { email: EMAIL } } });
    expectDeadLetter(await avro(rec(frame(createText.replace('"op":"c"', '"op":"k"')))), 'RECON_DL_UNKNOWN_OP');
    expectDeadLetter(await avro(rec(Buffer.alloc(2 * 1024 * 1024 + 5))), 'RECON_DL_TOO_LARGE');
  });
});

describe('the decoders never throw', () => {
  const fake: SchemaDecoder = { decode: (framed) => Promise.resolve(JSON.parse(framed.subarray(5).toString())) };
  const formats: DecoderFormat[] = ['debezium-json', 'debezium-json-schema', 'json-rows', 'debezium-avro'];

  test('every prefix of real messages, random bytes and hostile shapes give a result', async () => {
    const inputs: (string | Buffer)[] = [];
    for (const m of [...plain, ...withSchema, ...rows]) {
      if (m.value === null) continue;
      for (let cut = 0; cut < m.value.length; cut += 97) inputs.push(m.value.slice(0, cut));
    }
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 200; i++) inputs.push(Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256))));
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    inputs.push(
      '[' .repeat(100_000),
      editEnvelope((e) => (e.after = JSON.parse(deep(500)))),
      editEnvelope((e) => (e.after = { id: 2 ** 53 + 2, nested: [2 ** 60] })),
      '{"__proto__":{"op":"c"},"op":"c","source":{"ts_ms":1,"lsn":1},"after":{"__proto__":{"x":1}}}',
      '{"op":"c","source":{"ts_ms":1e400,"lsn":1},"after":{}}',
      '{"op":"c","source":{"ts_ms":1,"lsn":1e400},"after":{"x":-1e400}}',
    );
    for (const format of formats) {
      const d = createDecoder(format, { schemaDecoder: fake });
      for (const input of inputs) {
        const value = format === 'debezium-avro' ? Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.from(input)]) : input;
        const result = await d(rec(value, typeof input === 'string' ? input : null));
        expect(['change', 'tombstone', 'truncate', 'heartbeat', 'dead-letter']).toContain(result.kind);
        expect(result.provenance).toEqual({ topic: TOPIC, partition: PARTITION, offset: OFFSET });
      }
    }
  });

  test('a structure nested too deep inside a row is a dead letter, not a stack overflow', () => {
    const text = editEnvelope((e) => (e.after = JSON.parse('{"a":'.repeat(500) + '9007199254740993' + '}'.repeat(500))));
    expectDeadLetter(decode(rec(text)), 'RECON_DL_BAD_VALUE');
  });

  test('misconfiguration throws at set-up, naming the option', () => {
    expect(() => createDecoder('debezium-avro', {} as never)).toThrow(/schemaDecoder/);
    expect(() => createDecoder('debezium-json', { maxMessageBytes: 0 })).toThrow(/maxMessageBytes/);
    expect(() => createDecoder('xml' as never)).toThrow(/format/);
  });
});
