/**
 * The decoders' input and options. Decoding is pure: it takes the few fields of a Kafka message that
 * it needs (no kafkajs types), and returns a `DecodeResult` (src/domain/change.ts) without throwing.
 */
import type { ColumnHint, RawValue } from '../../domain/change.ts';

/** The parts of a Kafka message that decoding reads; a kafkajs `KafkaMessage` plus its topic and partition fit. */
export interface KafkaRecord {
  key: Buffer | null;
  /** Null for a tombstone. */
  value: Buffer | null;
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: the decimal string kafkajs gives. */
  offset: string;
}

/** The wire formats a source can be configured with (the entity config chooses one per source). */
export const DECODER_FORMATS = ['debezium-json', 'debezium-json-schema', 'debezium-avro', 'json-rows'] as const;
export type DecoderFormat = (typeof DECODER_FORMATS)[number];

/**
 * Names of the metadata fields that Debezium's ExtractNewRecordState SMT adds to an unwrapped row
 * (`add.fields=op,lsn,source.ts_ms`, `delete.tombstone.handling.mode=rewrite[-with-tombstone]`). They
 * are removed from the row's values. The defaults are the SMT's own names with its default `__` prefix.
 */
export interface RowFieldNames {
  /** The Debezium op (c, u, d, r, t). Absent: `d` when `deleted` says so, else `u` (an upsert). */
  op: string;
  /** The source LSN: the change's version. */
  lsn: string;
  /** Source commit time in ms: required. */
  sourceTsMs: string;
  /** `"true"` / `true` marks a delete (rewrite mode); the row is then the before image. */
  deleted: string;
  /** Optional `source.sequence` (`add.fields=source.sequence`): the version when `lsn` is null (incremental snapshots). */
  sequence: string;
  /** Optional `source.snapshot` (`add.fields=source.snapshot`); without it an `r` row counts as an initial snapshot. */
  snapshot: string;
}

export const DEFAULT_ROW_FIELDS: Readonly<RowFieldNames> = Object.freeze({
  op: '__op',
  lsn: '__lsn',
  sourceTsMs: '__source_ts_ms',
  deleted: '__deleted',
  sequence: '__source_sequence',
  snapshot: '__source_snapshot',
});

/**
 * Largest value (and key) decoded, in bytes; larger messages are dead-lettered before parsing
 * (RECON_DL_TOO_LARGE), so one oversized message costs no parse time and no heap. 1 MiB is Kafka's
 * default `max.message.bytes` (rounded up), so a legitimately produced message fits.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** Debezium's default heartbeat topic prefix (`topic.heartbeat.prefix`), followed by the connector's topic prefix. */
export const DEFAULT_HEARTBEAT_TOPIC_PREFIX = '__debezium-heartbeat.';

/**
 * Decodes the Avro body of a Confluent-framed message (magic byte 0, 4-byte schema id, body). The
 * one adapter is `ConfluentSchemaDecoder` (avro.ts); tests may pass a fake. Implementations must
 * return 64-bit longs beyond 2^53 as bigint, never as a rounded number.
 */
export interface SchemaDecoder {
  /**
   * The decoded record (plain objects, or records whose own enumerable properties are the fields).
   * Rejects on any failure: with a SchemaRegistryUnavailableError (`retriable: true`) when the
   * registry could not be asked (unreachable, timeout, 5xx, 429, 401/403), so that the message is
   * retried instead of dead-lettered; with any other error when the message itself is at fault.
   */
  decode(framed: Buffer): Promise<unknown>;
  /**
   * Per-column hints of a Debezium envelope's row (the `before`/`after` record) for the writer schema
   * `schemaId`, from its `connect.name` / `connect.parameters` / `logicalType` attributes; undefined
   * when the schema is not an envelope. Optional: without it rows carry no hints. Rejects like
   * `decode` (a retriable rejection is retried; any other only loses the hints).
   */
  rowHints?(schemaId: number): Promise<Record<string, ColumnHint> | undefined>;
}

export interface DecoderOptions {
  /** Default DEFAULT_MAX_MESSAGE_BYTES. */
  maxMessageBytes?: number;
  /** Required for `debezium-avro`. */
  schemaDecoder?: SchemaDecoder;
  /** For `json-rows`: metadata field names; each defaults to DEFAULT_ROW_FIELDS. */
  rowFields?: Partial<RowFieldNames>;
  /** Messages on topics starting with this are heartbeats. Default DEFAULT_HEARTBEAT_TOPIC_PREFIX. */
  heartbeatTopicPrefix?: string;
}

/** A row's columns as decoded, before normalisation. */
export type RowValues = Record<string, RawValue>;

/**
 * The schema registry could not be asked. The message is not at fault, so it is not dead-lettered:
 * the `debezium-avro` decoder rejects with this error and the consumer retries the batch without
 * committing its offsets (consumption pauses until the registry answers again).
 */
export class SchemaRegistryUnavailableError extends Error {
  readonly code = 'RECON_SCHEMA_REGISTRY_UNAVAILABLE';
  readonly retriable = true;
}

/** Whether an error says to retry later rather than to dead-letter the message. */
export function isRetriable(error: unknown): boolean {
  return error instanceof Error && (error as { retriable?: unknown }).retriable === true;
}
