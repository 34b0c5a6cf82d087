/**
 * Debezium heartbeats (`heartbeat.interval.ms`), on topic `__debezium-heartbeat.<topic.prefix>`:
 * value `{"ts_ms": <ms>}` (or `{"schema": ..., "payload": {"ts_ms": <ms>}}` with schemas.enable=true),
 * key `{"serverName": <topic.prefix>}`. For Postgres, `ts_ms` is the connector's clock when it sent
 * the heartbeat, after it had processed the WAL up to then: it lets an idle side's watermark advance.
 */
import type { DecodeResult, Provenance } from '../../domain/change.ts';
import { badValue, deadLetter, internalError, missingField, notJson, provenanceOf, tooLarge } from './dead-letter.ts';
import { isObject, NOT_JSON, parseJson } from './exact-json.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, type KafkaRecord } from './types.ts';

/** A decoded heartbeat value (JSON or Avro) to a HeartbeatMessage or a dead letter. */
export function heartbeatFromValue(value: unknown, provenance: Provenance): DecodeResult {
  if (!isObject(value)) return deadLetter('RECON_DL_NOT_AN_ENVELOPE', 'heartbeat value is not an object', provenance);
  const body = 'payload' in value && isObject(value.payload) ? value.payload : value;
  const tsMs = body.ts_ms;
  if (tsMs === undefined || tsMs === null) return missingField('ts_ms', provenance);
  if (typeof tsMs !== 'number' || !Number.isFinite(tsMs)) return badValue('ts_ms', 'a number', provenance);
  return { kind: 'heartbeat', sourceTsMs: tsMs, provenance };
}

/** Decodes a JSON heartbeat message; a null value (compaction) is a no-op tombstone. Never throws. */
export function decodeHeartbeat(record: KafkaRecord, maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES): DecodeResult {
  const provenance = provenanceOf(record);
  try {
    const value = record.value;
    if (value === null) return { kind: 'tombstone', provenance };
    if (value.length > maxMessageBytes) return tooLarge('value', value.length, maxMessageBytes, provenance);
    const parsed = parseJson(value.toString('utf8'));
    if (parsed === NOT_JSON) return notJson('value', value.length, provenance);
    return heartbeatFromValue(parsed, provenance);
  } catch {
    return internalError(provenance);
  }
}
