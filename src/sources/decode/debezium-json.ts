/**
 * `debezium-json`: Debezium envelopes from JsonConverter with `schemas.enable=false`. Synchronous:
 * one UTF-8 decode and one JSON.parse per message; integers beyond 2^53 in a row or the LSN are
 * then recovered exactly from the text (exact-json.ts).
 */
import type { DecodeResult, Provenance } from '../../domain/change.ts';
import { internalError, notJson, provenanceOf, tooLarge } from './dead-letter.ts';
import { decodeEnvelope } from './envelope.ts';
import { hasInexactInteger, isObject, NOT_EXACT, NOT_JSON, parseJson, parseJsonExact, restoreExactIntegers } from './exact-json.ts';
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

/**
 * The envelope with its rounded integers (rows, `source.lsn`) made exact from `text`, the JSON it was
 * parsed from; the same object on the common path where nothing was rounded. `inPayload`: `text` is
 * a whole `{schema, payload}` message and the envelope its payload.
 */
export function exactEnvelope(text: string, envelope: unknown, inPayload = false): unknown {
  if (!envelopeNeedsExactParse(envelope)) return envelope;
  const e = envelope as Record<string, unknown>;
  const before = restoreExactIntegers(text, e.before);
  const after = restoreExactIntegers(text, e.after);
  const source = e.source as Record<string, unknown> | undefined;
  const lsn = isObject(source) ? restoreExactIntegers(text, source.lsn) : undefined;
  if (before === NOT_EXACT || after === NOT_EXACT || lsn === NOT_EXACT) {
    const exact = parseJsonExact(text);
    return inPayload && isObject(exact) ? exact.payload : exact;
  }
  e.before = before;
  e.after = after;
  if (isObject(source)) (source as Record<string, unknown>).lsn = lsn;
  return e;
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
      const envelope = parseJson(text);
      if (envelope === NOT_JSON) return notJson('value', value.length, provenance);
      return decodeEnvelope(exactEnvelope(text, envelope), provenance, undefined, () => readJsonKey(record.key, maxBytes, false));
    } catch {
      return internalError(provenance);
    }
  };
}
