/**
 * `debezium-json`: Debezium envelopes from JsonConverter with `schemas.enable=false`. Synchronous:
 * one UTF-8 decode and one JSON.parse per message on the common path (a second, exact parse only
 * when a row or the LSN holds an integer beyond 2^53; see exact-json.ts).
 */
import type { DecodeResult, Provenance } from '../../domain/change.ts';
import { internalError, notJson, provenanceOf, tooLarge } from './dead-letter.ts';
import { decodeEnvelope } from './envelope.ts';
import { hasInexactInteger, isObject, NOT_JSON, parseJson, parseJsonExact } from './exact-json.ts';
import { readJsonKey } from './json-key.ts';
import type { KafkaRecord, RowValues } from './types.ts';

/** Whether a plainly parsed envelope may have lost digits where they matter. */
export function envelopeNeedsExactParse(envelope: unknown): boolean {
  if (!isObject(envelope)) return false;
  const source = envelope.source;
  if (isObject(source)) {
    const lsn = source.lsn;
    if (typeof lsn === 'number' && !Number.isSafeInteger(lsn) && Number.isInteger(lsn)) return true;
  }
  return hasInexactInteger(envelope.before) || hasInexactInteger(envelope.after);
}

export function tombstoneOf(keyRow: RowValues | null, provenance: Provenance): DecodeResult {
  return keyRow === null ? { kind: 'tombstone', provenance } : { kind: 'tombstone', key: keyRow, provenance };
}

export function createDebeziumJsonDecoder(maxBytes: number): (record: KafkaRecord) => DecodeResult {
  return function decodeDebeziumJson(record: KafkaRecord): DecodeResult {
    const provenance = provenanceOf(record);
    try {
      const value = record.value;
      if (value === null) return tombstoneOf(readJsonKey(record.key, maxBytes, false), provenance);
      if (value.length > maxBytes) return tooLarge('value', value.length, maxBytes, provenance);
      const text = value.toString('utf8');
      let envelope = parseJson(text);
      if (envelope === NOT_JSON) return notJson('value', value.length, provenance);
      if (envelopeNeedsExactParse(envelope)) envelope = parseJsonExact(text);
      return decodeEnvelope(envelope, provenance, undefined, () => readJsonKey(record.key, maxBytes, false));
    } catch {
      return internalError(provenance);
    }
  };
}
