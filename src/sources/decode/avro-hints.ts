/**
 * Column hints from an Avro writer schema as Confluent's AvroConverter writes Debezium envelopes:
 * the `before`/`after` fields are `["null", <row record>]` (the second a reference by name), and each
 * column's type carries `connect.name`, `connect.parameters`, `connect.type` and, for decimals and
 * dates, the Avro `logicalType`. The hints use Kafka Connect's vocabulary (ColumnHint), like those of
 * the JSON schema format, so normalisation treats both alike.
 */
import type { ColumnHint } from '../../domain/change.ts';
import { columnHint, type RowHints, setOwn, stringParameters } from './connect-hints.ts';
import { isObject } from './exact-json.ts';

/** Avro primitive and complex types in Connect's names (AvroConverter's mapping). */
const CONNECT_TYPE: Record<string, string> = {
  boolean: 'boolean',
  int: 'int32',
  long: 'int64',
  float: 'float32',
  double: 'float64',
  bytes: 'bytes',
  fixed: 'bytes',
  string: 'string',
  enum: 'string',
  record: 'struct',
  array: 'array',
  map: 'map',
};

/** Connect's semantic names for Avro logical types, when the schema has no `connect.name`. */
const LOGICAL_NAME: Record<string, string> = {
  decimal: 'org.apache.kafka.connect.data.Decimal',
  date: 'org.apache.kafka.connect.data.Date',
  'time-millis': 'org.apache.kafka.connect.data.Time',
  'timestamp-millis': 'org.apache.kafka.connect.data.Timestamp',
};

type Named = Map<string, Record<string, unknown>>;

/** Collects the named types (record, enum, fixed) by full and short name. */
function collectNamed(schema: unknown, namespace: string | undefined, named: Named, depth = 0): void {
  if (depth > 64) return;
  if (Array.isArray(schema)) {
    for (const branch of schema) collectNamed(branch, namespace, named, depth + 1);
    return;
  }
  if (!isObject(schema)) return;
  let ns = namespace;
  if (typeof schema.name === 'string' && (schema.type === 'record' || schema.type === 'enum' || schema.type === 'fixed')) {
    const name = schema.name;
    ns = typeof schema.namespace === 'string' ? schema.namespace : name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : namespace;
    const full = name.includes('.') || !ns ? name : `${ns}.${name}`;
    named.set(full, schema);
    if (!named.has(name)) named.set(name, schema);
  }
  if (Array.isArray(schema.fields)) for (const f of schema.fields) if (isObject(f)) collectNamed(f.type, ns, named, depth + 1);
  if (schema.items !== undefined) collectNamed(schema.items, ns, named, depth + 1);
  if (schema.values !== undefined) collectNamed(schema.values, ns, named, depth + 1);
  if (isObject(schema.type) || Array.isArray(schema.type)) collectNamed(schema.type, ns, named, depth + 1);
}

/** The non-null branch of an optional union, a named reference resolved, or the type itself. */
function resolve(type: unknown, named: Named): unknown {
  let t = type;
  if (Array.isArray(t)) {
    const branches = t.filter((b) => b !== 'null' && !(isObject(b) && b.type === 'null'));
    if (branches.length !== 1) return undefined;
    t = branches[0];
  }
  if (typeof t === 'string') return named.get(t) ?? t;
  return t;
}

function hintOf(type: unknown): ColumnHint | undefined {
  if (typeof type === 'string') {
    const connectType = CONNECT_TYPE[type];
    return connectType === undefined ? undefined : columnHint(connectType, undefined, undefined);
  }
  if (!isObject(type)) return undefined;
  let avroType = type.type;
  // `{"type": {"type": "long", ...}}` wraps once more in some writers.
  if (isObject(avroType)) return hintOf(avroType);
  if (typeof avroType !== 'string') return undefined;
  const connectType = typeof type['connect.type'] === 'string' ? (type['connect.type'] as string) : CONNECT_TYPE[avroType];
  if (connectType === undefined) return undefined;
  avroType = connectType;
  const logical = typeof type.logicalType === 'string' ? type.logicalType : undefined;
  const name = typeof type['connect.name'] === 'string' ? type['connect.name'] : logical !== undefined ? LOGICAL_NAME[logical] : undefined;
  let parameters = stringParameters(type['connect.parameters']);
  if (logical === 'decimal' && parameters?.scale === undefined && typeof type.scale === 'number') {
    parameters = { ...parameters, scale: String(type.scale) };
  }
  return columnHint(avroType as string, name, parameters);
}

/**
 * The per-column hints of the row record of a Debezium envelope schema (`before`/`after`), or
 * undefined when the schema is not such an envelope.
 */
export function rowHintsFromAvroSchema(schema: unknown): RowHints | undefined {
  if (!isObject(schema) || !Array.isArray(schema.fields)) return undefined;
  const named: Named = new Map();
  collectNamed(schema, undefined, named);
  let row: Record<string, unknown> | undefined;
  for (const field of schema.fields as unknown[]) {
    if (!isObject(field) || (field.name !== 'after' && field.name !== 'before')) continue;
    const t = resolve(field.type, named);
    if (isObject(t) && t.type === 'record' && Array.isArray(t.fields)) {
      row = t;
      break;
    }
  }
  if (row === undefined) return undefined;
  const hints: Record<string, ColumnHint> = {};
  for (const column of row.fields as unknown[]) {
    if (!isObject(column) || typeof column.name !== 'string') continue;
    const hint = hintOf(resolve(column.type, named));
    if (hint !== undefined) setOwn(hints, column.name, hint);
  }
  return Object.freeze(hints);
}
