/**
 * Column hints from a Kafka Connect schema embedded by JsonConverter (`schemas.enable=true`): the
 * struct schema of the envelope's `after` (or `before`) field lists each column's Connect type,
 * semantic name (`io.debezium.time.MicroTimestamp`, `org.apache.kafka.connect.data.Decimal`, ...)
 * and parameters (`scale`, `connect.decimal.precision`, ...).
 */
import type { ColumnHint } from '../../domain/change.ts';
import { isObject } from './exact-json.ts';

export type RowHints = Readonly<Record<string, ColumnHint>>;

/** Sets an own property even for a column called `__proto__`. */
export function setOwn<T>(target: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}

export function stringParameters(parameters: unknown): Record<string, string> | undefined {
  if (!isObject(parameters)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parameters)) {
    if (typeof v === 'string') setOwn(out, k, v);
    else if (typeof v === 'number' || typeof v === 'boolean') setOwn(out, k, String(v));
  }
  return out;
}

export function columnHint(type: string, name: unknown, parameters: Record<string, string> | undefined): ColumnHint {
  const hint: ColumnHint = { type };
  if (typeof name === 'string') hint.name = name;
  if (parameters !== undefined) hint.parameters = Object.freeze(parameters) as Record<string, string>;
  return Object.freeze(hint) as ColumnHint;
}

/**
 * The per-column hints of an envelope's row struct, or undefined when the schema has no `after` /
 * `before` struct. The result is frozen and shared by every message with the same schema.
 */
export function rowHintsFromConnectSchema(schema: unknown): RowHints | undefined {
  if (!isObject(schema) || !Array.isArray(schema.fields)) return undefined;
  let row: Record<string, unknown> | undefined;
  for (const field of schema.fields as unknown[]) {
    if (!isObject(field) || field.type !== 'struct' || !Array.isArray(field.fields)) continue;
    if (field.field === 'after' || (field.field === 'before' && row === undefined)) row = field;
  }
  if (row === undefined) return undefined;
  const hints: Record<string, ColumnHint> = {};
  for (const column of row.fields as unknown[]) {
    if (!isObject(column) || typeof column.field !== 'string' || typeof column.type !== 'string') continue;
    setOwn(hints, column.field, columnHint(column.type, column.name, stringParameters(column.parameters)));
  }
  return Object.freeze(hints);
}
