/**
 * The one entry point: `createDecoder(format, options)` returns the function that turns a Kafka
 * message of a source into a DecodeResult. A message that cannot be decoded is a DeadLetter (code,
 * reason naming the field, provenance; never a row value): bad input never throws. The one
 * rejection: `debezium-avro` when the schema registry cannot be asked (SchemaRegistryUnavailableError,
 * `retriable`), since the message is not at fault; the consumer retries it without committing.
 *
 * The JSON formats are synchronous (a promise per message would cost more than the decoding);
 * `debezium-avro` is asynchronous. Messages on Debezium heartbeat topics (`__debezium-heartbeat.*`)
 * become HeartbeatMessages in every format.
 *
 * | format                 | value                                                       |
 * |------------------------|-------------------------------------------------------------|
 * | `debezium-json`        | Debezium envelope, JsonConverter `schemas.enable=false`     |
 * | `debezium-json-schema` | `{schema, payload}`, JsonConverter `schemas.enable=true`; hints from the schema |
 * | `debezium-avro`        | Confluent wire format; needs `options.schemaDecoder`        |
 * | `json-rows`            | a row unwrapped by ExtractNewRecordState (`__op`, `__lsn`, ...) |
 */
import type { DecodeResult } from '../../domain/change.ts';
import { createDebeziumAvroDecoder } from './debezium-avro.ts';
import { createDebeziumJsonSchemaDecoder } from './debezium-json-schema.ts';
import { createDebeziumJsonDecoder } from './debezium-json.ts';
import { decodeHeartbeat } from './heartbeat.ts';
import { createJsonRowsDecoder } from './json-rows.ts';
import {
  DECODER_FORMATS,
  DEFAULT_HEARTBEAT_TOPIC_PREFIX,
  DEFAULT_MAX_MESSAGE_BYTES,
  type DecoderFormat,
  type DecoderOptions,
  type KafkaRecord,
  type SchemaDecoder,
} from './types.ts';

export type SyncDecode = (record: KafkaRecord) => DecodeResult;
export type AsyncDecode = (record: KafkaRecord) => Promise<DecodeResult>;
export type Decode = (record: KafkaRecord) => DecodeResult | Promise<DecodeResult>;

export function createDecoder(format: 'debezium-avro', options: DecoderOptions & { schemaDecoder: SchemaDecoder }): AsyncDecode;
export function createDecoder(format: Exclude<DecoderFormat, 'debezium-avro'>, options?: DecoderOptions): SyncDecode;
export function createDecoder(format: DecoderFormat, options?: DecoderOptions): Decode;
/**
 * Throws (at set-up, never per message) on an unknown format, a `maxMessageBytes` that is not a
 * positive integer, or `debezium-avro` without a `schemaDecoder`; the message names the option.
 */
export function createDecoder(format: DecoderFormat, options: DecoderOptions = {}): Decode {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new TypeError(`decoder option maxMessageBytes must be a positive integer (got ${String(options.maxMessageBytes)})`);
  }
  const heartbeatPrefix = options.heartbeatTopicPrefix ?? DEFAULT_HEARTBEAT_TOPIC_PREFIX;
  if (typeof heartbeatPrefix !== 'string' || heartbeatPrefix === '') {
    throw new TypeError('decoder option heartbeatTopicPrefix must be a non-empty string');
  }
  let decode: SyncDecode;
  switch (format) {
    case 'debezium-avro': {
      if (options.schemaDecoder === undefined) {
        throw new TypeError('decoder option schemaDecoder is required for the debezium-avro format');
      }
      return createDebeziumAvroDecoder(options.schemaDecoder, maxBytes, heartbeatPrefix);
    }
    case 'debezium-json':
      decode = createDebeziumJsonDecoder(maxBytes);
      break;
    case 'debezium-json-schema':
      decode = createDebeziumJsonSchemaDecoder(maxBytes);
      break;
    case 'json-rows':
      decode = createJsonRowsDecoder(maxBytes, options.rowFields);
      break;
    default:
      throw new TypeError(`decoder format must be one of ${DECODER_FORMATS.join(', ')} (got ${String(format)})`);
  }
  return function decodeRecord(record: KafkaRecord): DecodeResult {
    return record.topic.startsWith(heartbeatPrefix) ? decodeHeartbeat(record, maxBytes) : decode(record);
  };
}
