/**
 * The SQL twin of src/normalize: per business day, the row count, the exact amount sums and the
 * day digest, computed by Postgres over a table with the same canonical forms and the same hash
 * construction as the stream side (docs/canonical-form.md), so that the batch audit can check the
 * streaming state bit for bit (invariant 4).
 *
 * The statements are generated per entity (their column lists differ), parameterised, and take
 * every identifier through `quoteIdentifier`; the time zone and the day range are parameters,
 * never spliced. No pg import: the caller runs `query(q.text, q.values(...))` on its own client.
 *
 * Requirements on the session and server, which the callers must keep:
 *  - server_encoding UTF8 (md5() and octet_length() then see the same octets as the stream side);
 *  - extra_float_digits >= 1 (the default 1: float4/float8 print as shortest round-trip digits).
 *    DateStyle, TimeZone, IntervalStyle and bytea_output do not matter: the expressions avoid them.
 *  - Postgres 13+ (trim_scale).
 */
import type { ColumnType, EntityModel } from '../domain/entity.ts';
import { COLUMN_TYPES } from '../domain/entity.ts';
import { NormalizeError } from '../normalize/errors.ts';
import { lengthPrefixed } from '../normalize/hash.ts';

export interface TableRef {
  schema: string;
  name: string;
}

/** 2^64 as a numeric literal: digests are reduced modulo it. */
const TWO_64 = '18446744073709551616';

/**
 * Quotes an identifier the way pg's escapeIdentifier does (double the double quotes, wrap in
 * double quotes). A NUL cannot be part of a Postgres identifier and is refused.
 */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.includes('\0')) throw new NormalizeError('RECON_NORMALIZE_CONFIG', 'an identifier must be non-empty and without NUL');
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a string literal the way pg's escapeLiteral does: single quotes doubled; when there is a
 * backslash, an E'' literal with backslashes doubled, so standard_conforming_strings does not matter.
 */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new NormalizeError('RECON_NORMALIZE_CONFIG', 'a literal cannot contain NUL');
  const body = text.replaceAll("'", "''");
  return text.includes('\\') ? ` E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

/**
 * The canonical text of a column in SQL (NULL stays NULL); `ref` is the quoted column reference.
 * The twin of src/normalize/canonical.ts, type by type.
 */
export function canonicalSql(type: ColumnType, ref: string): string {
  switch (type) {
    case 'text':
    case 'integer':
    case 'boolean':
    case 'uuid':
    case 'json':
    case 'jsonb':
    case 'float4':
    case 'float8':
      return `${ref}::text`;
    case 'char':
      return `rtrim(${ref}::text, ' ')`;
    case 'decimal':
      return `trim_scale(${ref}::numeric)::text`;
    case 'bytea':
      return `encode(${ref}, 'hex')`;
    case 'date':
      return `CASE WHEN isfinite(${ref}) THEN to_char(${ref}, 'YYYY-MM-DD') ELSE ${ref}::text END`;
    case 'time':
      return `to_char(${ref}, 'HH24:MI:SS.US')`;
    case 'timestamp':
      return `CASE WHEN isfinite(${ref}) THEN to_char(${ref}, 'YYYY-MM-DD"T"HH24:MI:SS.US') ELSE ${ref}::text END`;
    case 'timestamptz':
      return `CASE WHEN isfinite(${ref}) THEN to_char(${ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE ${ref}::text END`;
  }
}

/** Maps a Postgres type name (pg_type.typname or information_schema udt_name) to a ColumnType. */
export function columnTypeFromPg(typeName: string): ColumnType {
  switch (typeName) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'smallint':
    case 'integer':
    case 'bigint':
      return 'integer';
    case 'numeric':
    case 'decimal':
      return 'decimal';
    case 'float4':
    case 'real':
      return 'float4';
    case 'float8':
    case 'double precision':
      return 'float8';
    case 'bool':
    case 'boolean':
      return 'boolean';
    case 'bpchar':
    case 'character':
      return 'char';
    case 'date':
      return 'date';
    case 'time':
    case 'time without time zone':
      return 'time';
    case 'timestamp':
    case 'timestamp without time zone':
      return 'timestamp';
    case 'timestamptz':
    case 'timestamp with time zone':
      return 'timestamptz';
    case 'uuid':
    case 'json':
    case 'jsonb':
    case 'bytea':
      return typeName;
    default:
      return 'text';
  }
}

interface Plan {
  hashedColumns: string[];
  typeOf: (column: string) => ColumnType;
  dayType: 'date' | 'timestamp' | 'timestamptz';
}

function plan(entity: EntityModel, columnTypes: Readonly<Record<string, ColumnType>>): Plan {
  const typeOf = (column: string): ColumnType => {
    const declared = Object.hasOwn(entity.columns, column) ? entity.columns[column]?.type : undefined;
    const type = declared ?? (Object.hasOwn(columnTypes, column) ? columnTypes[column] : undefined);
    if (type === undefined || !(COLUMN_TYPES as readonly string[]).includes(type)) {
      throw new NormalizeError('RECON_NORMALIZE_CONFIG', 'no column type known (declare it, or pass the table\'s column types)', { column });
    }
    return type;
  };
  const excluded = new Set(entity.excludeColumns);
  const chosen = entity.hashColumns === 'all' ? Object.keys(columnTypes).filter((c) => !excluded.has(c)) : [...entity.hashColumns];
  const hashedColumns = [...new Set([...chosen, ...entity.key])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const dayType = typeOf(entity.dayColumn);
  if (dayType !== 'date' && dayType !== 'timestamp' && dayType !== 'timestamptz') {
    throw new NormalizeError('RECON_NORMALIZE_CONFIG', 'the business-day column must be a date, timestamp or timestamptz', { column: entity.dayColumn });
  }
  for (const a of entity.amounts) {
    const t = typeOf(a.column);
    if (t !== 'integer' && t !== 'decimal') {
      throw new NormalizeError('RECON_NORMALIZE_CONFIG', 'an amount column must be an integer or decimal', { column: a.column });
    }
    if (!Number.isInteger(a.scale) || a.scale < 0) throw new NormalizeError('RECON_NORMALIZE_CONFIG', 'an amount scale must be a whole number >= 0', { column: a.column });
  }
  return { hashedColumns, typeOf, dayType };
}

const col = (column: string): string => `t.${quoteIdentifier(column)}`;

/** The row-level SELECT list shared by the statements: key, day, amounts, row hash (numeric, not reduced). */
function rowSelect(entity: EntityModel, p: Plan, zoneParam: string | undefined): { from: string; key: string; day: string; amounts: string[]; rowHash: string } {
  // Canonical key: length-prefixed canonical values of the key columns, in key order.
  const keyExpr = entity.key
    .map((k) => {
      const v = canonicalSql(p.typeOf(k), col(k));
      return `octet_length(${v})::text || ':' || ${v}`;
    })
    .join(' || ');
  const terms = p.hashedColumns.map((c) => {
    const input = `k1.kp || ${quoteLiteral(lengthPrefixed(c))} || coalesce('v' || ${canonicalSql(p.typeOf(c), col(c))}, 'n')`;
    return `('x' || left(md5(${input}), 16))::bit(64)::bigint::numeric`;
  });
  const dayRef = col(entity.dayColumn);
  const day =
    p.dayType === 'date' ? dayRef : p.dayType === 'timestamp' ? `${dayRef}::date` : `(${dayRef} AT TIME ZONE ${zoneParam})::date`;
  const amounts = entity.amounts.map((a) => `${col(a.column)}::numeric`);
  return {
    from: `CROSS JOIN LATERAL (SELECT ${keyExpr} AS k) AS k0 CROSS JOIN LATERAL (SELECT octet_length(k0.k)::text || ':' || k0.k AS kp) AS k1`,
    key: 'k0.k',
    day,
    amounts,
    rowHash: terms.join('\n    + '),
  };
}

/**
 * The WHERE condition selecting the rows whose business day lies in [$1, $2] (ISO dates, both
 * inclusive). For timestamps it first bounds the column itself (so an index on it serves), one day
 * wider on each side, then keeps the rows whose computed day is in range: exact even in zones
 * whose clocks go back over midnight.
 */
function dayRange(entity: EntityModel, p: Plan, day: string, zoneParam: string | undefined): string {
  const ref = col(entity.dayColumn);
  if (p.dayType === 'date') return `${ref} BETWEEN $1::date AND $2::date`;
  if (p.dayType === 'timestamp') {
    return `${ref} >= ($1::date - 1)::timestamp AND ${ref} < ($2::date + 2)::timestamp AND ${day} BETWEEN $1::date AND $2::date`;
  }
  return (
    `${ref} >= (($1::date - 1)::timestamp AT TIME ZONE ${zoneParam}) AND ${ref} < (($2::date + 2)::timestamp AT TIME ZONE ${zoneParam})` +
    ` AND ${day} BETWEEN $1::date AND $2::date`
  );
}

/** A generated statement and how to bind it. */
export interface DigestQuery<Args extends unknown[]> {
  text: string;
  /** The parameter values, in order, for the given arguments. */
  values(...args: Args): string[];
  /** The hashed columns, sorted by name: the same list the stream side hashes. */
  hashedColumns: string[];
}

/** One row of dayAggregateSql's result, as the driver returns it (all text). */
export interface DayAggregateRowText {
  day: string;
  row_count: string;
  digest: string;
  [amount: `amount_${number}`]: string;
}

/** A day's aggregate from SQL, in the exact types the streaming state uses. */
export interface SqlDayAggregate {
  /** ISO date of the business day. */
  day: string;
  count: bigint;
  /** One per amount column, scaled by 10^scale. */
  sums: bigint[];
  /** Σ row hashes mod 2^64, unsigned. */
  digest: bigint;
}

/**
 * Per business day in [$1, $2] (ISO dates, inclusive) and, for a timestamptz day column, the
 * entity's time zone as $3: `day` (YYYY-MM-DD), `row_count`, `amount_0..` (sum × 10^scale, integer
 * text; a fraction in it means a value had more digits than the scale) and `digest` (unsigned
 * decimal text in [0, 2^64)). Days without rows are absent.
 *
 * `columnTypes`: the table's columns and their types (e.g. from the catalogue through
 * columnTypeFromPg); a column's declared type in the entity overrides it. With `hashColumns: 'all'`
 * these keys are the column list, so they must be the same names the stream side was compiled with.
 */
export function dayAggregateSql(
  entity: EntityModel,
  table: TableRef,
  columnTypes: Readonly<Record<string, ColumnType>>,
): DigestQuery<[fromDay: string, toDay: string]> {
  const p = plan(entity, columnTypes);
  const zoneParam = p.dayType === 'timestamptz' ? '$3::text' : undefined;
  const r = rowSelect(entity, p, zoneParam);
  const amountInner = r.amounts.map((a, i) => `,\n         ${a} AS a${i}`).join('');
  const amountOuter = entity.amounts
    .map((a, i) => `,\n       trim_scale(coalesce(sum(r.a${i}), 0) * 1${'0'.repeat(a.scale)})::text AS amount_${i}`)
    .join('');
  const text = `SELECT to_char(r.day, 'YYYY-MM-DD') AS day,
       count(*)::text AS row_count${amountOuter},
       mod(mod(coalesce(sum(r.row_hash), 0), ${TWO_64}) + ${TWO_64}, ${TWO_64})::text AS digest
  FROM (
  SELECT ${r.day} AS day${amountInner},
    ${r.rowHash}
    AS row_hash
    FROM ${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)} AS t
    ${r.from}
   WHERE ${dayRange(entity, p, r.day, zoneParam)}
  ) AS r
 GROUP BY r.day
 ORDER BY r.day`;
  return {
    text,
    values: (fromDay, toDay) => (zoneParam === undefined ? [fromDay, toDay] : [fromDay, toDay, entity.timeZone]),
    hashedColumns: p.hashedColumns,
  };
}

/** Reads one dayAggregateSql result row into exact integers. @throws NormalizeError on a fractional sum */
export function parseDayAggregate(row: DayAggregateRowText, amountCount: number): SqlDayAggregate {
  const sums: bigint[] = [];
  for (let i = 0; i < amountCount; i++) {
    const text = row[`amount_${i}`];
    if (text === undefined || !/^-?\d+$/.test(text)) {
      throw new NormalizeError('RECON_NORMALIZE_SCALE', `amount ${i}: the SQL sum is not a whole number at its scale (a value has more fraction digits)`);
    }
    sums.push(BigInt(text));
  }
  return { day: row.day, count: BigInt(row.row_count), sums, digest: BigInt(row.digest) };
}

/**
 * Per-row hashes, for the batch audit: `key` (canonical key), `day` (YYYY-MM-DD, NULL when the day
 * column is NULL or infinite), `row_hash` (unsigned decimal text) and `amount_0..` (value × 10^scale,
 * as text). `by: 'key'` selects one row by its key column values ($1.. in key order, as text);
 * `by: 'days'` selects the rows of the business days in [$1, $2] (and the zone as $3 when needed).
 */
export function rowHashSql(
  entity: EntityModel,
  table: TableRef,
  columnTypes: Readonly<Record<string, ColumnType>>,
  by: 'key',
): DigestQuery<[keyValues: string[]]>;
export function rowHashSql(
  entity: EntityModel,
  table: TableRef,
  columnTypes: Readonly<Record<string, ColumnType>>,
  by: 'days',
): DigestQuery<[fromDay: string, toDay: string]>;
export function rowHashSql(
  entity: EntityModel,
  table: TableRef,
  columnTypes: Readonly<Record<string, ColumnType>>,
  by: 'key' | 'days',
): DigestQuery<[keyValues: string[]]> | DigestQuery<[fromDay: string, toDay: string]> {
  const p = plan(entity, columnTypes);
  const keyed = by === 'key';
  const zoneParam = p.dayType === 'timestamptz' ? (keyed ? `$${entity.key.length + 1}::text` : '$3::text') : undefined;
  const r = rowSelect(entity, p, zoneParam);
  const where = keyed ? entity.key.map((k, i) => `${col(k)} = $${i + 1}`).join(' AND ') : dayRange(entity, p, r.day, zoneParam);
  const amounts = entity.amounts.map((a, i) => `,\n       trim_scale(${r.amounts[i]} * 1${'0'.repeat(a.scale)})::text AS amount_${i}`).join('');
  const text = `SELECT ${r.key} AS key,
       CASE WHEN isfinite(${r.day}) THEN to_char(${r.day}, 'YYYY-MM-DD') END AS day${amounts},
       mod(mod(${r.rowHash}, ${TWO_64}) + ${TWO_64}, ${TWO_64})::text AS row_hash
  FROM ${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)} AS t
  ${r.from}
 WHERE ${where}`;
  if (keyed) {
    return {
      text,
      values: (keyValues: string[]) => {
        if (keyValues.length !== entity.key.length) throw new NormalizeError('RECON_NORMALIZE_CONFIG', `expected ${entity.key.length} key values`);
        return zoneParam === undefined ? [...keyValues] : [...keyValues, entity.timeZone];
      },
      hashedColumns: p.hashedColumns,
    };
  }
  return {
    text,
    values: (fromDay: string, toDay: string) => (zoneParam === undefined ? [fromDay, toDay] : [fromDay, toDay, entity.timeZone]),
    hashedColumns: p.hashedColumns,
  };
}
