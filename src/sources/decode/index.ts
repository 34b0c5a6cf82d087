/** Decoding of CDC stream messages into DecodeResult (src/domain/change.ts); see create-decoder.ts. */
export { type AsyncDecode, createDecoder, type Decode, type SyncDecode } from './create-decoder.ts';
export { decodeHeartbeat } from './heartbeat.ts';
export {
  DECODER_FORMATS,
  DEFAULT_HEARTBEAT_TOPIC_PREFIX,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_ROW_FIELDS,
  type DecoderFormat,
  type DecoderOptions,
  type KafkaRecord,
  type RowFieldNames,
  isRetriable,
  type SchemaDecoder,
  SchemaRegistryUnavailableError,
} from './types.ts';
