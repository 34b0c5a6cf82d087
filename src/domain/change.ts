/**
 * What the decoders hand to the engine: change events of one side, in a shape that no longer
 * depends on the wire format (Debezium JSON with or without schema, Avro, unwrapped rows).
 */

/** The two sides being reconciled: `a` is the source of truth, `b` the copy. */
export type Side = 'a' | 'b';
export const SIDES: readonly Side[] = ['a', 'b'];

/** Debezium operations: create, update, delete, read (snapshot). */
export type Op = 'c' | 'u' | 'd' | 'r';

/**
 * A column value as the source sent it, before normalisation. Integers that do not fit a double
 * exactly arrive as bigint (the JSON decoder keeps their digits); bytes as Uint8Array (Avro).
 */
export type RawValue = null | boolean | number | bigint | string | Uint8Array | RawValue[] | { [field: string]: RawValue };

/**
 * The logical type of a column when the stream carries it (an embedded Kafka Connect schema, or an
 * Avro schema), e.g. `{ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2' } }`.
 * Absent for schemaless JSON, where the entity's configured column types are used instead.
 */
export interface ColumnHint {
  /** Connect schema type: int8..int64, float32, float64, boolean, string, bytes, array, map, struct. */
  type: string;
  /** Semantic name, e.g. io.debezium.time.MicroTimestamp, org.apache.kafka.connect.data.Decimal. */
  name?: string;
  parameters?: Record<string, string>;
}

export interface RawRow {
  values: Record<string, RawValue>;
  hints?: Record<string, ColumnHint>;
}

/** Where a message came from; carried into dead letters and logs (never its content). */
export interface Provenance {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: kept as the decimal string kafkajs gives. */
  offset: string;
}

/** Debezium's marker for an unchanged TOASTed column that the stream does not carry. */
export const UNAVAILABLE_VALUE = '__debezium_unavailable_value';

export interface ChangeMessage {
  kind: 'change';
  op: Op;
  /**
   * The row before the change: null for creates and reads, key-only or null without REPLICA IDENTITY FULL.
   * Key-only really means: with REPLICA IDENTITY DEFAULT Debezium still lists every column in a delete's
   * `before`, the non-key ones as null or, if NOT NULL, as the type's default (`""`, 0): only the key
   * columns are meaningful. A delete without any `before` gets the message key's columns here.
   */
  before: RawRow | null;
  /** The row after the change: null for deletes. */
  after: RawRow | null;
  /**
   * Ordering version of this change for its key, from the source (Postgres: `source.lsn`). Per key it
   * grows in commit order; it is compared only between events of the same side.
   */
  version: bigint;
  /** Source commit time (`source.ts_ms`): drives the business watermark. */
  sourceTsMs: number;
  /** Whether the row comes from a snapshot, and which kind. */
  snapshot: 'no' | 'initial' | 'incremental';
  provenance: Provenance;
}

export interface TombstoneMessage {
  kind: 'tombstone';
  /**
   * The message key's columns, when the key is a JSON or Avro object (absent otherwise). A tombstone
   * after a Debezium delete is a no-op (B3); the key matters only for an unwrapped stream whose deletes
   * arrive as tombstones alone (ExtractNewRecordState `delete.tombstone.handling.mode=tombstone`).
   */
  key?: Record<string, RawValue>;
  provenance: Provenance;
}

export interface TruncateMessage {
  kind: 'truncate';
  sourceTsMs: number;
  provenance: Provenance;
}

export interface HeartbeatMessage {
  kind: 'heartbeat';
  sourceTsMs: number;
  provenance: Provenance;
}

export type DecodedMessage = ChangeMessage | TombstoneMessage | TruncateMessage | HeartbeatMessage;

/** Stable reasons a message is dead-lettered; tests assert these, not the text. */
export const DEAD_LETTER_CODES = [
  'RECON_DL_NOT_JSON',
  'RECON_DL_NOT_AN_ENVELOPE',
  'RECON_DL_UNKNOWN_OP',
  'RECON_DL_MISSING_FIELD',
  'RECON_DL_BAD_VALUE',
  'RECON_DL_AVRO_NO_MAGIC_BYTE',
  'RECON_DL_AVRO_DECODE',
  'RECON_DL_TOO_LARGE',
  'RECON_DL_KEY_MISSING',
  'RECON_DL_SCHEMA_CHANGED',
  'RECON_DL_UNAVAILABLE_UNRESOLVED',
] as const;
export type DeadLetterCode = (typeof DEAD_LETTER_CODES)[number];

export interface DeadLetter {
  kind: 'dead-letter';
  code: DeadLetterCode;
  /** Human-readable reason naming the field at fault; never a row value. */
  reason: string;
  provenance: Provenance;
}

export type DecodeResult = DecodedMessage | DeadLetter;
