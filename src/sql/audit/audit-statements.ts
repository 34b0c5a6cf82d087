/**
 * The batch audit's own statements (the .sql files beside this one), with their placeholders
 * filled and their parameters bound. Together with the day digest and the row hashes of
 * src/sql/day-digest.ts and the per-day counts of src/sql/gaps.ts, they are the playbook's
 * reconciliation patterns as the product runs them (docs/audit.md):
 *
 *   table-columns.sql    the catalogue check that comes before everything else
 *   server-settings.sql  what the canonical forms need of the server
 *   day-sums.sql         sum reconciliation per business day, exact scaled integers
 *   column-hashes.sql    per-column compare of the keys whose row hashes differ
 *
 * Every identifier goes through `quoteIdentifier`, every column-name literal through
 * `quoteLiteral`; dates, time zone and keys are parameters. Placeholders are filled in one pass, so
 * text put in is never scanned again (an identifier containing `{{…}}` stays inert). No pg import:
 * the caller runs `client.query(q.text, q.values)` on its own connection.
 */
import { readFileSync } from 'node:fs';
import type { ColumnType, EntityModel } from '../../domain/entity.ts';
import { lengthPrefixed } from '../../normalize/hash.ts';
import { type TableRef, canonicalSql, quoteIdentifier, quoteLiteral } from '../day-digest.ts';

/** A statement and its parameter values, ready for `client.query(text, values)`. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** The types a business-day column may have. */
export type DayColumnType = 'date' | 'timestamp' | 'timestamptz';

const source = (file: string): string => readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');

const TEMPLATES = {
  tableColumns: source('table-columns.sql'),
  serverSettings: source('server-settings.sql'),
  daySums: source('day-sums.sql'),
  columnHashes: source('column-hashes.sql'),
} as const;

/**
 * The template without its comment lines, each `{{name}}` replaced by `fills[name]`. Every
 * placeholder must be filled and every fill used, so a template and its filler cannot drift apart.
 */
export function fillTemplate(template: string, fills: Readonly<Record<string, string>>, name = 'template'): string {
  const used = new Set<string>();
  const text = template
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .replace(/\{\{(\w+)\}\}/g, (_, placeholder: string) => {
      if (!Object.hasOwn(fills, placeholder)) throw new Error(`${name}: no value for the placeholder {{${placeholder}}}`);
      used.add(placeholder);
      return fills[placeholder]!;
    })
    .trim();
  const unused = Object.keys(fills).filter((k) => !used.has(k));
  if (unused.length > 0) throw new Error(`${name}: no placeholder for ${unused.join(', ')}`);
  return text;
}

/** `"schema"."table"`. */
export function qualifiedName(table: TableRef): string {
  return `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
}

/** The catalogue's columns of a table (table-columns.sql). */
export function tableColumnsQuery(table: TableRef): SqlQuery {
  return { text: fillTemplate(TEMPLATES.tableColumns, {}, 'table-columns.sql'), values: [table.schema, table.name] };
}

/** One row of tableColumnsQuery's result. */
export interface TableColumnRow {
  column_name: string | null;
  udt_name: string | null;
}

/** The server settings the canonical forms depend on (server-settings.sql). */
export function serverSettingsQuery(): SqlQuery {
  return { text: fillTemplate(TEMPLATES.serverSettings, {}, 'server-settings.sql'), values: [] };
}

export interface ServerSettingsRow {
  server_encoding: string;
  server_version_num: string;
  extra_float_digits: string;
}

/** Why the server cannot compute the canonical forms, or undefined when it can. */
export function unsupportedServer(row: ServerSettingsRow): string | undefined {
  if (row.server_encoding.toUpperCase() !== 'UTF8') return `server_encoding is ${row.server_encoding}, not UTF8`;
  if (Number(row.server_version_num) < 130000) return `Postgres ${row.server_version_num} is older than 13 (trim_scale)`;
  if (Number(row.extra_float_digits) < 1) return `extra_float_digits is ${row.extra_float_digits}, below 1`;
  return undefined;
}

/**
 * The business day of a row `t` and a bound on its day column, one day wider on each side (so an
 * index on the column serves): the same expressions as src/sql/day-digest.ts and src/sql/gaps.ts,
 * which the audit cross-checks on every run (the sums of day-sums.sql must equal the day digest's).
 */
function dayParts(dayColumn: string, dayType: DayColumnType, zoneParam: string): { day: string; range: string } {
  const ref = `t.${quoteIdentifier(dayColumn)}`;
  switch (dayType) {
    case 'date':
      return { day: ref, range: `${ref} BETWEEN $1::date AND $2::date` };
    case 'timestamp':
      return { day: `${ref}::date`, range: `${ref} >= ($1::date - 1)::timestamp AND ${ref} < ($2::date + 2)::timestamp` };
    case 'timestamptz':
      return {
        day: `(${ref} AT TIME ZONE ${zoneParam})::date`,
        range: `${ref} >= (($1::date - 1)::timestamp AT TIME ZONE ${zoneParam}) AND ${ref} < (($2::date + 2)::timestamp AT TIME ZONE ${zoneParam})`,
      };
  }
}

export interface DaySumsInput {
  entity: Pick<EntityModel, 'dayColumn' | 'timeZone' | 'amounts'>;
  table: TableRef;
  dayType: DayColumnType;
  /** First and last date, YYYY-MM-DD, inclusive. */
  fromDay: string;
  toDay: string;
}

/** Per-day scaled sums of the amount columns (day-sums.sql); the entity must have at least one amount. */
export function daySumsQuery(input: DaySumsInput): SqlQuery {
  const { entity } = input;
  if (entity.amounts.length === 0) throw new Error('day-sums.sql: the entity has no amount columns');
  const parts = dayParts(entity.dayColumn, input.dayType, '$3::text');
  const text = fillTemplate(
    TEMPLATES.daySums,
    {
      table: qualifiedName(input.table),
      day: parts.day,
      range: parts.range,
      amounts: entity.amounts.map((a, i) => `, t.${quoteIdentifier(a.column)}::numeric AS a${i}`).join(''),
      sums: entity.amounts.map((a, i) => `,\n       trim_scale(coalesce(sum(r.a${i}), 0) * 1${'0'.repeat(a.scale)})::text AS amount_${i}`).join(''),
    },
    'day-sums.sql',
  );
  const values = input.dayType === 'timestamptz' ? [input.fromDay, input.toDay, entity.timeZone] : [input.fromDay, input.toDay];
  return { text, values };
}

/** One row of daySumsQuery's result (all text). */
export interface DaySumsRowText {
  day: string;
  [amount: `amount_${number}`]: string;
}

/** The scaled sums of a daySumsQuery row; null when one is not a whole number (a value has more fraction digits than its scale). */
export function parseDaySums(row: DaySumsRowText, amountCount: number): bigint[] | null {
  const sums: bigint[] = [];
  for (let i = 0; i < amountCount; i++) {
    const text = row[`amount_${i}`];
    if (text === undefined || !/^-?\d+$/.test(text)) return null;
    sums.push(BigInt(text));
  }
  return sums;
}

export interface ColumnHashesInput {
  entity: Pick<EntityModel, 'key' | 'dayColumn' | 'timeZone' | 'safeColumns'>;
  table: TableRef;
  /** Each column's type: declared, else from the catalogue. */
  typeOf: (column: string) => ColumnType;
  dayType: DayColumnType;
  /** The hashed columns, sorted by name: the list the row hashes were computed over. */
  hashedColumns: readonly string[];
  fromDay: string;
  toDay: string;
  /** Canonical keys (docs/canonical-form.md). */
  keys: readonly string[];
}

/** The statement, and which result column holds what. */
export interface ColumnHashesQuery extends SqlQuery {
  /** `h_<i>` is the hash of hashedColumns[i]. */
  hashedColumns: readonly string[];
  /** The safe hashed columns, by index into hashedColumns: `v_<i>` holds its canonical value. */
  safeIndexes: number[];
}

/** Per key among `keys` whose day is in the range, the hash of every hashed column (column-hashes.sql). */
export function columnHashesQuery(input: ColumnHashesInput): ColumnHashesQuery {
  const { entity, typeOf } = input;
  const col = (c: string) => `t.${quoteIdentifier(c)}`;
  const key = entity.key
    .map((k) => {
      const v = canonicalSql(typeOf(k), col(k));
      return `octet_length(${v})::text || ':' || ${v}`;
    })
    .join(' || ');
  const safe = new Set(entity.safeColumns);
  const safeIndexes = input.hashedColumns.flatMap((c, i) => (safe.has(c) ? [i] : []));
  const hashes = input.hashedColumns.map(
    (c, i) =>
      `,\n       left(md5(k1.kp || ${quoteLiteral(lengthPrefixed(c))} || coalesce('v' || ${canonicalSql(typeOf(c), col(c))}, 'n')), 16) AS h_${i}`,
  );
  const values = safeIndexes.map((i) => `,\n       ${canonicalSql(typeOf(input.hashedColumns[i]!), col(input.hashedColumns[i]!))} AS v_${i}`);
  const parts = dayParts(entity.dayColumn, input.dayType, '$4::text');
  const text = fillTemplate(
    TEMPLATES.columnHashes,
    { table: qualifiedName(input.table), key, day: parts.day, range: parts.range, columns: [...hashes, ...values].join('') },
    'column-hashes.sql',
  );
  const base = [input.fromDay, input.toDay, [...input.keys]];
  return {
    text,
    values: input.dayType === 'timestamptz' ? [...base, entity.timeZone] : base,
    hashedColumns: input.hashedColumns,
    safeIndexes,
  };
}

/** One row of columnHashesQuery's result. */
export interface ColumnHashesRowText {
  key: string;
  [column: `h_${number}` | `v_${number}`]: string | null;
}
