import type { Side } from './change.ts';

/**
 * The compiled, validated description of one reconciled entity (a table on both sides), as the
 * engine uses it. Built once from the configuration (src/config), then frozen.
 */

/**
 * Logical column types that normalisation knows. Each has one canonical text form, computable both
 * from the stream and by SQL over the table (docs/canonical-form.md).
 */
export const COLUMN_TYPES = [
  'text', // text, varchar, enums, and anything compared as its text
  'char', // blank-padded char(n): trailing spaces are not significant
  'integer', // int2, int4, int8
  'decimal', // numeric
  'float4',
  'float8',
  'boolean',
  'date',
  'time', // time without time zone
  'timestamp', // timestamp without time zone
  'timestamptz',
  'uuid',
  'json',
  'jsonb',
  'bytea',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** How a numeric stream value of a time column is scaled when the stream carries no schema. */
export type TimeUnit = 'ms' | 'us' | 'ns' | 'days';

export interface ColumnSpec {
  name: string;
  /** The declared type; `undefined` means: infer from the stream's schema hint, else compare as text. */
  type?: ColumnType;
  /** For decimals sent as bytes without a schema (Debezium `precise` mode): the column's scale. */
  scale?: number;
  /** For time columns sent as numbers without a schema. */
  unit?: TimeUnit;
}

export interface AmountSpec {
  column: string;
  /** Sums are kept as integers scaled by 10^scale; a value with more fraction digits is refused. */
  scale: number;
}

/** How a source encodes what Debezium's decimal.handling.mode chooses; `double` is refused at config load. */
export type DecimalHandling = 'string' | 'precise';

/**
 * The wire format of one side's topic: Debezium envelopes as JSON without or with the embedded
 * Kafka Connect schema, Debezium envelopes as Avro through a schema registry, or plain rows (the
 * envelope already unwrapped, e.g. by Debezium's ExtractNewRecordState).
 */
export type SourceFormat = 'debezium-json' | 'debezium-json-schema' | 'debezium-avro' | 'json-rows';

/** Where one side's change stream of an entity comes from, and how it is encoded. */
export interface SourceSpec {
  topic: string;
  format: SourceFormat;
  decimalHandling: DecimalHandling;
  /** Debezium's heartbeat topic of this side's connector; absent when the side sends no heartbeats. */
  heartbeatTopic?: string;
}

/**
 * How far a day's counts and sums may differ between the sides before the day is reported. A
 * difference is tolerated when it is within the absolute bound or within the percent bound (of side A).
 */
export interface Tolerances {
  count: { absolute: number; percent: number };
  /** `absolute` is a decimal string in the amount's units (e.g. "0.01"), exact like the sums. */
  sums: { absolute: string; percent: number };
}

export interface EntityModel {
  name: string;
  /** Key columns, in order; composite keys allowed. */
  key: string[];
  /** The column whose value, in `timeZone`, gives the row's business day. */
  dayColumn: string;
  /** IANA zone, e.g. `UTC`, `Asia/Bangkok`. */
  timeZone: string;
  amounts: AmountSpec[];
  /** Columns whose values go into the row hash; `all` means every column but the excluded ones. */
  hashColumns: 'all' | string[];
  excludeColumns: string[];
  /** Columns whose values may appear in mismatch events (never by default). */
  safeColumns: string[];
  /** Declared column types and per-column normalisation overrides, by column name. */
  columns: Record<string, ColumnSpec>;
  /**
   * Columns that Postgres may TOAST (large text, bytea, json): their full 64-bit hash is kept per key,
   * so an update that carries `__debezium_unavailable_value` for them can reuse the stored hash.
   */
  toastColumns: string[];
  /**
   * Side A's decimal handling. The sides may differ: decoders should read
   * `sources[side].decimalHandling` when `sources` is present.
   */
  decimalHandling: DecimalHandling;
  /** Each side's topic and encoding (always set by the config's `toEntityModel`). */
  sources?: Record<Side, SourceSpec>;
  /** Per-day tolerances (always set by the config's `toEntityModel`; absent means none: exact). */
  tolerances?: Tolerances;
}
