/**
 * `debezium-avro`: Debezium envelopes in the Confluent wire format (magic byte 0, 4-byte big-endian
 * schema id, Avro body), decoded through an injected SchemaDecoder (the registry adapter lives in
 * avro.ts, so this file stays pure). Asynchronous, since a schema may have to be fetched once.
 *
 * - Not starting with the magic byte (or shorter than the 5-byte header): RECON_DL_AVRO_NO_MAGIC_BYTE.
 * - A failure of the SchemaDecoder caused by the message (unknown schema id, truncated or corrupt
 *   body): RECON_DL_AVRO_DECODE.
 * - The registry cannot be asked (SchemaRegistryUnavailableError, `retriable`): not the message's
 *   fault, so no dead letter; the returned promise rejects, the consumer retries without committing.
 *   This is the one case where a decoder rejects.
 * - The decoded envelope follows the same rules as JSON (envelope.ts); hints come from the writer
 *   schema. Avro records are copied into plain objects, bytes stay Uint8Array (Buffer), longs beyond
 *   2^53 are bigint if the SchemaDecoder keeps them so (ConfluentSchemaDecoder does).
 */
import type { ColumnHint, DecodeResult, Provenance, RawValue } from '../../domain/change.ts';
import { setOwn } from './connect-hints.ts';
import { deadLetter, internalError, provenanceOf, tooLarge } from './dead-letter.ts';
import { tombstoneOf } from './debezium-json.ts';
import { decodeEnvelope } from './envelope.ts';
import { isObject } from './exact-json.ts';
import { heartbeatFromValue } from './heartbeat.ts';
import { isRetriable, type KafkaRecord, type RowValues, type SchemaDecoder } from './types.ts';

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

/** Copies decoded Avro (record class instances) into plain objects; Uint8Array, bigint and scalars pass through. */
export function toPlain(value: unknown, depth = 0): RawValue {
  if (value === null || typeof value !== 'object') return value as RawValue;
  if (value instanceof Uint8Array) return value;
  if (depth > 64) throw new RangeError('nesting too deep');
  if (Array.isArray(value)) return value.map((v) => toPlain(v, depth + 1));
  const out: Record<string, RawValue> = {};
  for (const k of Object.keys(value)) setOwn(out, k, toPlain((value as Record<string, unknown>)[k], depth + 1));
  return out;
}

function isFramed(buffer: Buffer): boolean {
  return buffer.length >= HEADER_BYTES && buffer[0] === MAGIC_BYTE;
}

export function createDebeziumAvroDecoder(
  schemaDecoder: SchemaDecoder,
  maxBytes: number,
  heartbeatTopicPrefix: string,
): (record: KafkaRecord) => Promise<DecodeResult> {
  async function keyRow(key: Buffer | null): Promise<RowValues | null> {
    if (key === null || key.length > maxBytes || !isFramed(key)) return null;
    try {
      const decoded = toPlain(await schemaDecoder.decode(key));
      return isObject(decoded) ? decoded : null;
    } catch (error) {
      if (isRetriable(error)) throw error;
      return null;
    }
  }

  async function hintsOf(schemaId: number): Promise<Record<string, ColumnHint> | undefined> {
    if (schemaDecoder.rowHints === undefined) return undefined;
    try {
      return await schemaDecoder.rowHints(schemaId);
    } catch (error) {
      // Retry rather than decode without hints: rows of one schema must always normalise alike.
      if (isRetriable(error)) throw error;
      return undefined; // the schema has no usable hints: normalisation uses the configured column types
    }
  }

  async function decodeValue(record: KafkaRecord, value: Buffer, provenance: Provenance): Promise<DecodeResult> {
    if (!isFramed(value)) {
      return deadLetter(
        'RECON_DL_AVRO_NO_MAGIC_BYTE',
        `value does not start with the Confluent header (magic byte 0 and a 4-byte schema id); ${value.length} bytes`,
        provenance,
      );
    }
    const schemaId = value.readInt32BE(1);
    const isHeartbeat = record.topic.startsWith(heartbeatTopicPrefix);
    let decoded: unknown;
    let hints: Record<string, ColumnHint> | undefined;
    try {
      [decoded, hints] = await Promise.all([schemaDecoder.decode(value), isHeartbeat ? undefined : hintsOf(schemaId)]);
    } catch (error) {
      if (isRetriable(error)) throw error;
      return deadLetter('RECON_DL_AVRO_DECODE', `value could not be decoded with writer schema id ${schemaId}`, provenance);
    }
    const envelope = toPlain(decoded);
    if (isHeartbeat) return heartbeatFromValue(envelope, provenance);
    let key: RowValues | null = null;
    if (isObject(envelope) && envelope.op === 'd' && (envelope.before === null || envelope.before === undefined)) {
      key = await keyRow(record.key);
    }
    return decodeEnvelope(envelope, provenance, hints, () => key);
  }

  return async function decodeDebeziumAvro(record: KafkaRecord): Promise<DecodeResult> {
    const provenance = provenanceOf(record);
    try {
      const value = record.value;
      if (value === null) return tombstoneOf(await keyRow(record.key), provenance);
      if (value.length > maxBytes) return tooLarge('value', value.length, maxBytes, provenance);
      return await decodeValue(record, value, provenance);
    } catch (error) {
      if (isRetriable(error)) throw error;
      return internalError(provenance);
    }
  };
}
