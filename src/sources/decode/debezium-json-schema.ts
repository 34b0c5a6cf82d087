/**
 * `debezium-json-schema`: JsonConverter with `schemas.enable=true`, i.e. `{"schema": {...}, "payload": <envelope>}`.
 *
 * The schema repeats in every message and is about half its bytes. JsonConverter writes `schema`
 * first, so the schema's text is the slice between `{"schema":` and the first `,"payload":`. That
 * slice is the cache key: on a hit only the payload is parsed (cheaper than parsing the whole
 * message), and the column hints come from the cache. A slice enters the cache only after it parsed
 * as a complete JSON object on its own, which proves the split was at the real boundary (a complete
 * object starting at the schema's position can only end where the schema ends). Anything unusual
 * (other key order, whitespace, extra keys) takes the plain path: parse everything, no caching.
 */
import type { DecodeResult } from '../../domain/change.ts';
import { deadLetter, internalError, notJson, provenanceOf, tooLarge } from './dead-letter.ts';
import { type RowHints, rowHintsFromConnectSchema } from './connect-hints.ts';
import { exactEnvelope, tombstoneOf } from './debezium-json.ts';
import { decodeEnvelope } from './envelope.ts';
import { isObject, NOT_JSON, parseJson } from './exact-json.ts';
import { readJsonKey } from './json-key.ts';
import type { KafkaRecord } from './types.ts';

const SCHEMA_PREFIX = '{"schema":';
const PAYLOAD_SEPARATOR = ',"payload":';
/** One entry per distinct envelope schema (table x schema version); more means something odd, so start over. */
const MAX_CACHED_SCHEMAS = 256;

interface CachedSchema {
  hints: RowHints | undefined;
}

export function createDebeziumJsonSchemaDecoder(maxBytes: number): (record: KafkaRecord) => DecodeResult {
  const cache = new Map<string, CachedSchema>();

  return function decodeDebeziumJsonSchema(record: KafkaRecord): DecodeResult {
    const provenance = provenanceOf(record);
    try {
      const value = record.value;
      if (value === null) return tombstoneOf(readJsonKey(record.key, maxBytes, true), provenance);
      if (value.length > maxBytes) return tooLarge('value', value.length, maxBytes, provenance);
      const text = value.toString('utf8');
      const keyRow = () => readJsonKey(record.key, maxBytes, true);

      const split =
        text.startsWith(SCHEMA_PREFIX) && text.charCodeAt(text.length - 1) === 0x7d /* } */
          ? text.indexOf(PAYLOAD_SEPARATOR, SCHEMA_PREFIX.length)
          : -1;
      const schemaText = split > 0 ? text.slice(SCHEMA_PREFIX.length, split) : undefined;
      if (schemaText !== undefined) {
        const cached = cache.get(schemaText);
        if (cached !== undefined) {
          const payloadText = text.slice(split + PAYLOAD_SEPARATOR.length, text.length - 1);
          const payload = parseJson(payloadText);
          if (payload !== NOT_JSON) {
            return decodeEnvelope(exactEnvelope(payloadText, payload), provenance, cached.hints, keyRow);
          }
          // Not `<payload>}`: an extra key after the payload, say. The plain path decides.
        }
      }

      const message = parseJson(text);
      if (message === NOT_JSON) return notJson('value', value.length, provenance);
      if (!isObject(message) || !('payload' in message)) {
        return deadLetter(
          'RECON_DL_NOT_AN_ENVELOPE',
          'value has no "payload": not JsonConverter output with schemas.enable=true',
          provenance,
        );
      }
      const hints = rowHintsFromConnectSchema(message.schema);
      if (schemaText !== undefined && isCompleteObject(schemaText)) {
        if (cache.size >= MAX_CACHED_SCHEMAS) cache.clear();
        cache.set(schemaText, { hints });
      }
      return decodeEnvelope(exactEnvelope(text, message.payload, true), provenance, hints, keyRow);
    } catch {
      return internalError(provenance);
    }
  };
}

function isCompleteObject(text: string): boolean {
  return isObject(parseJson(text));
}
