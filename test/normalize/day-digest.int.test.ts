/**
 * Invariant 4 on real Postgres: the day digest (and count, and sums) computed from the stream by
 * src/normalize equals the one dayAggregateSql computes over the table, bit for bit. The stream side
 * is fed each row in the shapes Debezium sends (built by hand from SELECTs: epoch counts, ISO texts
 * with offsets, base64 of unscaled decimals and of bytes, variable-scale structs), in three
 * encodings that rotate over the rows. Also: float4/float8 text equals Postgres' x::text for
 * thousands of values, and a deliberately different row makes the digests differ.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ColumnHint, RawRow, RawValue } from '../../src/domain/change.ts';
import type { ColumnType, EntityModel } from '../../src/domain/entity.ts';
import { DATE_INFINITY_SENTINELS, TIMESTAMP_INFINITY_SENTINELS } from '../../src/normalize/canonical.ts';
import { dayToIso } from '../../src/normalize/days.ts';
import { float4Text, float8Text } from '../../src/normalize/float-text.ts';
import { compileEntity, type RowNormalizer } from '../../src/normalize/row-normalizer.ts';
import {
  type DayAggregateRowText,
  type SqlDayAggregate,
  canonicalSql,
  columnTypeFromPg,
  dayAggregateSql,
  parseDayAggregate,
  quoteIdentifier,
  rowHashSql,
} from '../../src/sql/day-digest.ts';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const SCHEMA = `recon_digest_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
/** A column name that needs quoting everywhere (B14): quotes, a semicolon, a space, a backslash. */
const WEIRD = 'we;ird "Name" \\x';

let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${quoteIdentifier(SCHEMA)}`);
});

afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(SCHEMA)} CASCADE`);
  await client.end();
});

const q = (name: string): string => `${quoteIdentifier(SCHEMA)}.${quoteIdentifier(name)}`;

async function columnTypesOf(table: string): Promise<Record<string, ColumnType>> {
  const r = await client.query<{ column_name: string; udt_name: string }>(
    `SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [SCHEMA, table],
  );
  return Object.fromEntries(r.rows.map((c) => [c.column_name, columnTypeFromPg(c.udt_name)]));
}

/** Big-endian two's complement, as Kafka Connect's Decimal encodes an unscaled value. */
function twos(n: bigint): Buffer {
  let bytes = 1;
  while (n >= 1n << BigInt(8 * bytes - 1) || n < -(1n << BigInt(8 * bytes - 1))) bytes++;
  return Buffer.from(BigInt.asUintN(8 * bytes, n).toString(16).padStart(2 * bytes, '0'), 'hex');
}

const H = {
  int64: { type: 'int64' },
  int32: { type: 'int32' },
  string: { type: 'string' },
  boolean: { type: 'boolean' },
  float32: { type: 'float32' },
  float64: { type: 'float64' },
  bytes: { type: 'bytes' },
  decimal: (scale: number): ColumnHint => ({ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: String(scale) } }),
  vsd: { type: 'struct', name: 'io.debezium.data.VariableScaleDecimal' },
  date: { type: 'int32', name: 'io.debezium.time.Date' },
  microTime: { type: 'int64', name: 'io.debezium.time.MicroTime' },
  micro: { type: 'int64', name: 'io.debezium.time.MicroTimestamp' },
  milli: { type: 'int64', name: 'io.debezium.time.Timestamp' },
  zoned: { type: 'string', name: 'io.debezium.time.ZonedTimestamp' },
  uuid: { type: 'string', name: 'io.debezium.data.Uuid' },
  json: { type: 'string', name: 'io.debezium.data.Json' },
} satisfies Record<string, ColumnHint | ((scale: number) => ColumnHint)>;

/** Sums the stream side's rows into per-day aggregates, for the days in [from, to]. */
function streamAggregates(n: RowNormalizer, rows: RawRow[], from: string, to: string): Map<string, SqlDayAggregate> {
  const out = new Map<string, SqlDayAggregate>();
  for (const raw of rows) {
    const r = n.normalize(raw);
    if (r.day === null) continue;
    const day = dayToIso(r.day);
    if (day < from || day > to) continue;
    let agg = out.get(day);
    if (agg === undefined) {
      agg = { day, count: 0n, sums: r.amounts.map(() => 0n), digest: 0n };
      out.set(day, agg);
    }
    agg.count += 1n;
    agg.sums = agg.sums.map((s, i) => s + (r.amounts[i] as bigint));
    agg.digest = BigInt.asUintN(64, agg.digest + r.rowHash);
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function sqlAggregates(entity: EntityModel, table: string, types: Record<string, ColumnType>, from: string, to: string): Promise<Map<string, SqlDayAggregate>> {
  const query = dayAggregateSql(entity, { schema: SCHEMA, name: table }, types);
  const r = await client.query<DayAggregateRowText>(query.text, query.values(from, to));
  return new Map(r.rows.map((row) => [row.day, parseDayAggregate(row, entity.amounts.length)]));
}

describe('the session and server the SQL twin needs', () => {
  test('UTF8 server encoding and extra_float_digits >= 1', async () => {
    const r = await client.query<{ enc: string; efd: string }>(
      `SELECT current_setting('server_encoding') AS enc, current_setting('extra_float_digits') AS efd`,
    );
    expect(r.rows[0]?.enc).toBe('UTF8');
    expect(Number(r.rows[0]?.efd)).toBeGreaterThanOrEqual(1);
  });
});

describe('float text equals Postgres x::text', () => {
  const f64 = new DataView(new ArrayBuffer(8));
  function randomDoubles(count: number): number[] {
    const out: number[] = [];
    while (out.length < count) {
      const b = randomBytes(8);
      f64.setBigUint64(0, b.readBigUInt64BE(0));
      const x = f64.getFloat64(0);
      if (Number.isFinite(x)) out.push(x);
    }
    return out;
  }
  const edges = [
    0, -0, 1, -1, 0.1, 0.5, 1 / 3, 2 / 3, 0.1 + 0.2, 1e15, 1e14, 999999999999999, 1e16, 123456789012345680, 1e-4, 1e-5, 1.5e-5, 0.00012345,
    5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 2 ** 53, 2 ** 53 + 2, 2 ** 30, 2 ** 24 + 1, 1e6, 999999, 1234567, 123456,
    3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38, 100, 1e21, 1e22, 1e23, 9.999999999999999e22, 4.35, 0.3,
  ];

  /** Short decimals: the shortest digits of their doubles, often exactly on a rounding-interval end. */
  function shortDecimals(count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const b = randomBytes(6);
      const mantissa = b.readUIntBE(0, 4) % 10 ** (1 + (b[4] as number) % 9);
      out.push(Number(`${mantissa}e${((b[5] as number) % 81) - 40}`));
    }
    return out;
  }

  test('float8: edge values, random bit patterns, rounded and short decimals', async () => {
    const values = [
      ...edges,
      ...randomDoubles(5000),
      ...randomDoubles(2000).map((x) => Number(x.toPrecision(1 + (Math.abs(x) % 17 | 0)))),
      ...shortDecimals(3000),
    ];
    const texts = values.map((x) => (Object.is(x, -0) ? '-0' : `${x}`));
    const r = await client.query<{ t: string }>(`SELECT x::text AS t FROM unnest($1::float8[]) WITH ORDINALITY AS u(x, i) ORDER BY i`, [texts]);
    const mismatches = values.map((x, i) => [texts[i], float8Text(x), r.rows[i]?.t]).filter(([, mine, theirs]) => mine !== theirs);
    expect(mismatches).toEqual([]);
  });

  test('float4: edge values and 5000 random float32 values', async () => {
    const f32 = new DataView(new ArrayBuffer(4));
    const randoms: number[] = [];
    while (randoms.length < 5000) {
      f32.setUint32(0, randomBytes(4).readUInt32BE(0));
      const x = f32.getFloat32(0);
      if (Number.isFinite(x)) randoms.push(x);
    }
    const values = [
      ...[...edges, ...shortDecimals(3000)].map((x) => Math.fround(x)).filter((x) => Number.isFinite(x)),
      ...randoms,
    ];
    const texts = values.map((x) => (Object.is(x, -0) ? '-0' : `${x}`));
    const r = await client.query<{ t: string }>(`SELECT x::text AS t FROM unnest($1::float4[]) WITH ORDINALITY AS u(x, i) ORDER BY i`, [texts]);
    const mismatches = values.map((x, i) => [texts[i], float4Text(x), r.rows[i]?.t]).filter(([, mine, theirs]) => mine !== theirs);
    expect(mismatches).toEqual([]);
  });

  test('specials', async () => {
    const r = await client.query<{ a: string; b: string; c: string; d: string }>(
      `SELECT 'NaN'::float8::text AS a, 'Infinity'::float8::text AS b, '-Infinity'::float4::text AS c, '-0'::float4::text AS d`,
    );
    expect(r.rows[0]).toEqual({ a: float8Text(NaN), b: float8Text(Infinity), c: float4Text(-Infinity), d: float4Text(-0) });
  });
});

describe('a table with every supported type', () => {
  const table = 'everything';
  const ROWS = 420;
  let types: Record<string, ColumnType>;
  let columnNames: string[];
  /** Per row: the values as text from Postgres, to build the stream shapes from. */
  let source: Record<string, string | null>[];

  beforeAll(async () => {
    await client.query(`CREATE TABLE ${q(table)} (
      id bigint PRIMARY KEY,
      amount numeric(12,2),
      ratio numeric,
      f4 real,
      f8 double precision,
      flag boolean,
      d date,
      t time,
      ts6 timestamp(6),
      ts3 timestamp(3),
      created_at timestamptz,
      u uuid,
      j json,
      jb jsonb,
      b bytea,
      c5 char(5),
      note text,
      ${quoteIdentifier(WEIRD)} varchar(40)
    )`);
    // Deterministic values spread over ~5.5 days around Europe/Berlin's DST start (2024-03-31),
    // with NULLs, specials and the edge cases of each type mixed in.
    await client.query(`INSERT INTO ${q(table)}
      SELECT CASE WHEN i % 50 = 0 THEN 9223372036854775807 - i ELSE i END,
             CASE WHEN i % 17 = 0 THEN NULL ELSE (((i * 3713) % 1000000) - 500000)::numeric / 100 END,
             CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN round(i::numeric / 7, 20) WHEN 2 THEN i * 1000 WHEN 3 THEN i::numeric / 8
                        WHEN 4 THEN CASE WHEN i % 4 = 0 THEN 'NaN'::numeric ELSE -i::numeric / 1000 END ELSE 0.000 END,
             CASE i % 9 WHEN 0 THEN NULL WHEN 1 THEN 'NaN' WHEN 2 THEN '-0' ELSE (sin(i) * 10 ^ (i % 15 - 7))::real END,
             CASE i % 10 WHEN 0 THEN NULL WHEN 1 THEN 'Infinity' WHEN 2 THEN '-Infinity' ELSE sin(i) * 10 ^ (i % 40 - 20) END,
             CASE WHEN i % 11 = 0 THEN NULL ELSE i % 3 = 0 END,
             CASE i WHEN 7 THEN 'infinity'::date WHEN 8 THEN '-infinity'::date WHEN 9 THEN '0001-01-01'::date WHEN 10 THEN '9999-12-31'::date
                    ELSE date '2024-01-01' + (i % 400) - 200 END,
             CASE i WHEN 9 THEN '24:00:00'::time WHEN 10 THEN '00:00:00'::time
                    ELSE time '00:00' + make_interval(secs => ((i * 7919) % 86400) + (i * 123457 % 1000000) / 1e6) END,
             CASE i WHEN 10 THEN 'infinity'::timestamp WHEN 11 THEN '-infinity'::timestamp WHEN 12 THEN '1969-12-31 23:59:59.999999'::timestamp
                    ELSE timestamp '2024-03-30 00:00' + i * interval '17 minutes 13.123457 seconds' END,
             CASE i WHEN 10 THEN 'infinity'::timestamp ELSE timestamp '2024-03-29 00:00' + i * interval '11 minutes 1.0015 seconds' END,
             CASE i WHEN 12 THEN '2024-03-30 23:59:59.999999+01'::timestamptz WHEN 13 THEN '2024-03-31 00:00:00+01'::timestamptz
                    WHEN 14 THEN NULL WHEN 15 THEN 'infinity'::timestamptz WHEN 16 THEN '-infinity'::timestamptz
                    WHEN 17 THEN '2024-03-31 23:59:59.999999+02'::timestamptz WHEN 18 THEN '2024-04-01 00:00:00+02'::timestamptz
                    ELSE timestamptz '2024-03-29 00:00:00+00' + i * interval '19 minutes 7.654321 seconds' END,
             md5(i::text)::uuid,
             CASE WHEN i % 7 = 0 THEN NULL ELSE ('{"b": ' || i || ',   "a": ["x", ' || (i * 2) || '], "s": "é🙂"}')::json END,
             CASE WHEN i % 8 = 0 THEN NULL ELSE jsonb_build_object('i', i, 'arr', jsonb_build_array(i, 'y', null), 'nested', jsonb_build_object('k', 'ü')) END,
             CASE WHEN i % 12 = 0 THEN NULL WHEN i % 12 = 1 THEN ''::bytea ELSE decode(md5(i::text), 'hex') || '\\x00ff'::bytea END,
             CASE WHEN i % 13 = 0 THEN NULL ELSE left('ab' || i, (i % 5) + 1) END,
             CASE WHEN i % 13 = 0 THEN NULL WHEN i % 19 = 0 THEN '' ELSE 'Grüße 🙂 ' || i || E'\\n' || repeat('é', i % 5) || ' ' END,
             'w' || i
        FROM generate_series(1, ${ROWS}) AS i`);
    types = await columnTypesOf(table);
    columnNames = Object.keys(types);
    const r = await client.query<Record<string, string | null>>(`SELECT
        id::text AS id,
        amount::text AS amount_text, (amount * 100)::bigint::text AS amount_unscaled,
        ratio::text AS ratio_text, scale(ratio)::text AS ratio_scale,
        CASE WHEN ratio <> 'NaN' THEN trunc(ratio * power(10::numeric, scale(ratio)))::text END AS ratio_unscaled,
        f4::text AS f4, f8::text AS f8, flag::text AS flag,
        CASE WHEN isfinite(d) THEN (d - date '1970-01-01')::text ELSE d::text END AS d_days,
        to_char(d, 'YYYY-MM-DD') AS d_iso,
        (extract(epoch FROM t) * 1000000)::bigint::text AS t_us, t::text AS t_text,
        CASE WHEN isfinite(ts6) THEN (extract(epoch FROM ts6) * 1000000)::bigint::text ELSE ts6::text END AS ts6_us,
        CASE WHEN isfinite(ts6) THEN to_char(ts6, 'YYYY-MM-DD"T"HH24:MI:SS.US') END AS ts6_iso,
        CASE WHEN isfinite(ts3) THEN (extract(epoch FROM ts3) * 1000)::bigint::text ELSE ts3::text END AS ts3_ms,
        CASE WHEN isfinite(created_at) THEN to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE created_at::text END AS created_z,
        CASE WHEN isfinite(created_at) THEN to_char(created_at AT TIME ZONE 'Asia/Kolkata', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+05:30' END AS created_kolkata,
        CASE WHEN isfinite(created_at) THEN (extract(epoch FROM created_at) * 1000000)::bigint::text END AS created_us,
        upper(u::text) AS u, j::text AS j, jb::text AS jb,
        replace(encode(b, 'base64'), E'\\n', '') AS b64,
        c5, note, ${quoteIdentifier(WEIRD)} AS weird
      FROM ${q(table)} AS e ORDER BY e.id`);
    source = r.rows;
  });

  const declared: EntityModel['columns'] = {
    id: { name: 'id', type: 'integer' },
    amount: { name: 'amount', type: 'decimal', scale: 2 },
    ratio: { name: 'ratio', type: 'decimal' },
    f4: { name: 'f4', type: 'float4' },
    f8: { name: 'f8', type: 'float8' },
    flag: { name: 'flag', type: 'boolean' },
    d: { name: 'd', type: 'date' },
    t: { name: 't', type: 'time' },
    ts6: { name: 'ts6', type: 'timestamp' },
    ts3: { name: 'ts3', type: 'timestamp', unit: 'ms' },
    created_at: { name: 'created_at', type: 'timestamptz' },
    u: { name: 'u', type: 'uuid' },
    j: { name: 'j', type: 'json' },
    jb: { name: 'jb', type: 'jsonb' },
    b: { name: 'b', type: 'bytea' },
    c5: { name: 'c5', type: 'char' },
    note: { name: 'note', type: 'text' },
    [WEIRD]: { name: WEIRD, type: 'text' },
  };

  function model(over: Partial<EntityModel> = {}): EntityModel {
    return {
      name: 'everything',
      key: ['id'],
      dayColumn: 'created_at',
      timeZone: 'Europe/Berlin',
      amounts: [
        { column: 'amount', scale: 2 },
        { column: 'id', scale: 0 },
      ],
      hashColumns: 'all',
      excludeColumns: [],
      safeColumns: [],
      columns: declared,
      toastColumns: ['note', 'j', 'jb', 'b'],
      decimalHandling: 'string',
      ...over,
    };
  }

  /** The row as Debezium would send it, in one of three encodings chosen by the row's position. */
  function streamRow(s: Record<string, string | null>, variant: number): RawRow {
    const v = (x: string | null | undefined): string | null => x ?? null;
    const num = (x: string | null | undefined): number | null => (x == null ? null : Number(x));
    const big = (x: string | null | undefined): bigint | null => (x == null ? null : BigInt(x));
    const orInfinity = (x: string | null | undefined, sentinels: readonly [bigint, bigint]): bigint | null =>
      x == null ? null : x === 'infinity' ? sentinels[0] : x === '-infinity' ? sentinels[1] : BigInt(x);
    const floatOf = (x: string | null | undefined): number | string | null => (x == null ? null : /^-?(NaN|Infinity)$/.test(x) ? x : Number(x));
    const dateDays = s.d_days === 'infinity' ? DATE_INFINITY_SENTINELS[0] : s.d_days === '-infinity' ? DATE_INFINITY_SENTINELS[1] : num(s.d_days);
    const ratioStruct =
      s.ratio_text == null || s.ratio_unscaled == null ? null : { scale: Number(s.ratio_scale), value: twos(BigInt(s.ratio_unscaled)).toString('base64') };
    const amountBytes = s.amount_unscaled == null ? null : twos(BigInt(s.amount_unscaled));
    const common = { id: big(s.id), flag: s.flag == null ? null : s.flag === 'true', j: v(s.j), jb: v(s.jb), c5: v(s.c5), note: v(s.note), [WEIRD]: v(s.weird) };
    switch (variant) {
      case 0: // Debezium JSON with schema (hints), precise decimals, adaptive time precision
        return {
          values: {
            ...common,
            amount: amountBytes?.toString('base64') ?? null,
            ratio: s.ratio_text === 'NaN' ? 'NaN' : ratioStruct, // precise mode has no NaN: the word, as a string-mode side sends it
            f4: floatOf(s.f4),
            f8: floatOf(s.f8),
            d: dateDays,
            t: num(s.t_us),
            ts6: orInfinity(s.ts6_us, TIMESTAMP_INFINITY_SENTINELS.us),
            ts3: orInfinity(s.ts3_ms, TIMESTAMP_INFINITY_SENTINELS.ms),
            created_at: v(s.created_z),
            u: v(s.u)?.toLowerCase() ?? null,
            b: v(s.b64),
          },
          hints: {
            id: H.int64, amount: H.decimal(2), ratio: H.vsd, f4: H.float32, f8: H.float64, flag: H.boolean, d: H.date, t: H.microTime,
            ts6: H.micro, ts3: H.milli, created_at: H.zoned, u: H.uuid, j: H.json, jb: H.json, b: H.bytes, c5: H.string, note: H.string, [WEIRD]: H.string,
          },
        };
      case 1: // schemaless JSON, decimal.handling.mode=string: declared types and units decide
        return {
          values: {
            ...common,
            id: s.id == null ? null : Number.isSafeInteger(Number(s.id)) ? Number(s.id) : BigInt(s.id),
            amount: v(s.amount_text),
            ratio: v(s.ratio_text),
            f4: floatOf(s.f4),
            f8: floatOf(s.f8),
            d: v(s.d_iso === null ? s.d_days : s.d_iso),
            t: v(s.t_text),
            ts6: s.ts6_us == null ? null : /infinity/.test(s.ts6_us) ? s.ts6_us : Number(s.ts6_us),
            ts3: s.ts3_ms == null ? null : /infinity/.test(s.ts3_ms) ? s.ts3_ms : Number(s.ts3_ms),
            created_at: s.created_kolkata ?? v(s.created_z),
            u: v(s.u),
            b: v(s.b64),
          },
        };
      default: // Avro-like: bytes as Uint8Array, longs as bigint, ISO wall-clock texts
        return {
          values: {
            ...common,
            amount: amountBytes === null ? null : Uint8Array.from(amountBytes),
            ratio: ratioStruct === null ? v(s.ratio_text) : { scale: ratioStruct.scale, value: Uint8Array.from(Buffer.from(ratioStruct.value, 'base64')) },
            f4: s.f4 == null ? null : Math.fround(Number(s.f4)),
            f8: s.f8 == null ? null : Number(s.f8),
            d: dateDays,
            t: big(s.t_us),
            ts6: s.ts6_iso ?? v(s.ts6_us),
            ts3: orInfinity(s.ts3_ms, TIMESTAMP_INFINITY_SENTINELS.ms),
            created_at: s.created_us == null ? v(s.created_z) : BigInt(s.created_us),
            u: v(s.u),
            b: s.b64 == null ? null : Uint8Array.from(Buffer.from(s.b64, 'base64')),
          },
          hints: {
            amount: H.decimal(2),
            ratio: ratioStruct === null ? H.string : H.vsd,
            t: H.microTime,
            created_at: { type: 'int64', name: 'io.debezium.time.MicroTimestamp' },
            ts3: H.milli,
          },
        };
    }
  }

  const streamRows = (): RawRow[] => source.map((s, i) => streamRow(s, i % 3));
  const rowWithId = (rows: RawRow[], id: bigint): RawRow => rows.find((r) => String(r.values.id) === String(id)) as RawRow;

  test('every column: the stream canonical value equals the SQL expression, row by row', async () => {
    const n = compileEntity(model(), columnNames);
    const select = n.hashedColumns.map((c, i) => `${canonicalSql(declared[c]?.type ?? (types[c] as ColumnType), `t.${quoteIdentifier(c)}`)} AS c${i}`).join(', ');
    const r = await client.query<Record<string, string | null>>(`SELECT ${select} FROM ${q(table)} AS t ORDER BY t.id`);
    const rows = streamRows();
    const diffs: string[] = [];
    rows.forEach((raw, i) => {
      n.hashedColumns.forEach((c, j) => {
        const mine = n.canonicalValueOf(c, raw);
        const theirs = r.rows[i]?.[`c${j}`] ?? null;
        if (mine !== theirs) diffs.push(`row ${i} (variant ${i % 3}) column ${c}: stream ${JSON.stringify(mine)} sql ${JSON.stringify(theirs)}`);
      });
    });
    expect(diffs.slice(0, 20)).toEqual([]);
  });

  test('row hashes: rowHashSql equals normalize(row).rowHash for every row', async () => {
    const entity = model();
    const n = compileEntity(entity, columnNames);
    const query = rowHashSql(entity, { schema: SCHEMA, name: table }, types, 'days');
    const r = await client.query<{ key: string; day: string | null; row_hash: string; amount_0: string | null; amount_1: string }>(query.text, query.values('2024-03-28', '2024-04-03'));
    const sqlByKey = new Map(r.rows.map((row) => [row.key, row]));
    let compared = 0;
    for (const raw of streamRows()) {
      const mine = n.normalize(raw);
      if (mine.day === null) continue;
      const theirs = sqlByKey.get(mine.key);
      expect(theirs, mine.key).toBeDefined();
      expect(BigInt(theirs?.row_hash ?? -1)).toBe(mine.rowHash);
      expect(theirs?.day).toBe(dayToIso(mine.day));
      expect(BigInt(theirs?.amount_0 ?? '0')).toBe(mine.amounts[0]);
      compared++;
    }
    expect(compared).toBeGreaterThan(ROWS - 10);
    expect(compared).toBe(r.rows.length);

    // one key, by key: a 64-bit key beyond 2^53 (B12)
    const byKey = rowHashSql(entity, { schema: SCHEMA, name: table }, types, 'key');
    const bigRow = rowWithId(streamRows(), 9223372036854775807n - 50n);
    const one = await client.query<{ key: string; row_hash: string }>(byKey.text, byKey.values(['9223372036854775757']));
    expect(one.rows).toHaveLength(1);
    expect(one.rows[0]?.key).toBe('19:9223372036854775757');
    expect(BigInt(one.rows[0]?.row_hash ?? -1)).toBe(n.normalize(bigRow).rowHash);
  });

  test.each([
    ['timestamptz in Europe/Berlin (DST starts inside the range)', { dayColumn: 'created_at', timeZone: 'Europe/Berlin' }],
    ['timestamptz in Pacific/Chatham (+13:45)', { dayColumn: 'created_at', timeZone: 'Pacific/Chatham' }],
    ['timestamptz in America/New_York', { dayColumn: 'created_at', timeZone: 'America/New_York' }],
    ['timestamp(6), its own date', { dayColumn: 'ts6' }],
    ['timestamp(3), its own date', { dayColumn: 'ts3' }],
    ['date', { dayColumn: 'd' }],
  ] as [string, Partial<EntityModel>][])('day digests, counts and sums agree bit for bit: %s', async (_w, over) => {
    const entity = model(over);
    const from = over.dayColumn === 'd' ? '2023-06-01' : '2024-03-28';
    const to = over.dayColumn === 'd' ? '2024-08-01' : '2024-04-04';
    const n = compileEntity(entity, columnNames);
    const stream = streamAggregates(n, streamRows(), from, to);
    const sql = await sqlAggregates(entity, table, types, from, to);
    expect(stream.size).toBeGreaterThan(3);
    expect([...sql.keys()]).toEqual([...stream.keys()]);
    for (const [day, agg] of stream) expect(sql.get(day), day).toEqual(agg);
  });

  test('B8: a row at 23:59:59.999999 local and one at 00:00:00 local land on different days on both sides', async () => {
    const entity = model();
    const n = compileEntity(entity, columnNames);
    const rows = streamRows();
    const dayOfId = (id: bigint): string => dayToIso(n.normalize(rowWithId(rows, id)).day as number);
    expect(dayOfId(12n)).toBe('2024-03-30');
    expect(dayOfId(13n)).toBe('2024-03-31');
    expect(dayOfId(17n)).toBe('2024-03-31');
    expect(dayOfId(18n)).toBe('2024-04-01');
    const query = rowHashSql(entity, { schema: SCHEMA, name: table }, types, 'key');
    for (const [id, day] of [['12', '2024-03-30'], ['13', '2024-03-31'], ['17', '2024-03-31'], ['18', '2024-04-01']]) {
      const r = await client.query<{ day: string }>(query.text, query.values([id as string]));
      expect(r.rows[0]?.day).toBe(day);
    }
  });

  test('the check can fail: a different row on one side gives a different digest', async () => {
    const entity = model();
    const n = compileEntity(entity, columnNames);
    const from = '2024-03-28';
    const to = '2024-04-04';
    const rows = streamRows();
    const before = streamAggregates(n, rows, from, to);
    const target = rowWithId(rows, 101n);
    const day = dayToIso(n.normalize(target).day as number);

    // stream side differs: one character of one text column
    const altered = rows.map((r) => (r === target ? { ...r, values: { ...r.values, note: `${String(r.values.note)}.` } } : r));
    const alteredAgg = streamAggregates(n, altered, from, to);
    expect(alteredAgg.get(day)?.digest).not.toBe(before.get(day)?.digest);
    expect(alteredAgg.get(day)?.count).toBe(before.get(day)?.count);

    // SQL side differs: the same row updated in the table (a swap of two values between rows would do too)
    await client.query(`UPDATE ${q(table)} SET note = note || '.' WHERE id = 101`);
    try {
      const sql = await sqlAggregates(entity, table, types, from, to);
      expect(sql.get(day)?.digest).not.toBe(before.get(day)?.digest);
      expect(sql.get(day)?.digest).toBe(alteredAgg.get(day)?.digest);
      for (const [d, agg] of before) if (d !== day) expect(sql.get(d)?.digest).toBe(agg.digest);
    } finally {
      await client.query(`UPDATE ${q(table)} SET note = left(note, -1) WHERE id = 101`);
    }

    // a missing row: the digest and the count differ
    const missing = streamAggregates(n, rows.filter((r) => r !== target), from, to);
    expect(missing.get(day)?.count).toBe((before.get(day)?.count ?? 0n) - 1n);
    expect(missing.get(day)?.digest).not.toBe(before.get(day)?.digest);
  });

  test('the time zone is a parameter, never spliced into the statement', () => {
    const query = dayAggregateSql(model({ timeZone: "Europe/Berlin'; DROP TABLE x; --" }), { schema: SCHEMA, name: table }, types);
    expect(query.text).not.toContain('DROP TABLE');
    expect(query.values('2024-01-01', '2024-01-02')[2]).toBe("Europe/Berlin'; DROP TABLE x; --");
  });
});

describe('a composite key, no declared types (hints only), a date business day', () => {
  const table = 'composite';

  test('day digests agree bit for bit', async () => {
    await client.query(`CREATE TABLE ${q(table)} (
      tenant text, seq integer, business_date date, qty numeric(10,3), label varchar(20), price double precision, ignored text,
      PRIMARY KEY (tenant, seq))`);
    await client.query(`INSERT INTO ${q(table)}
      SELECT (ARRAY['acme', 'Zürich 🙂', 'a:b', ''])[1 + i % 4], i, date '2024-02-26' + i % 6,
             CASE WHEN i % 9 = 0 THEN NULL ELSE (i * 1.237)::numeric(10,3) - 40 END,
             CASE WHEN i % 5 = 0 THEN NULL ELSE 'L' || (i % 7) END, i / 3.0, 'x' || random()
        FROM generate_series(1, 240) AS i`);
    const types = await columnTypesOf(table);
    const entity: EntityModel = {
      name: 'composite',
      key: ['tenant', 'seq'],
      dayColumn: 'business_date',
      timeZone: 'Asia/Kolkata',
      amounts: [{ column: 'qty', scale: 3 }],
      hashColumns: 'all',
      excludeColumns: ['ignored'],
      safeColumns: [],
      columns: {},
      toastColumns: [],
      decimalHandling: 'precise',
    };
    const r = await client.query<Record<string, string | null>>(`SELECT tenant, seq::text AS seq, (business_date - date '1970-01-01')::text AS days,
        (qty * 1000)::bigint::text AS qty_unscaled, label, price::text AS price FROM ${q(table)}`);
    const hints: Record<string, ColumnHint> = {
      tenant: H.string, seq: H.int32, business_date: H.date, qty: H.decimal(3), label: H.string, price: H.float64, ignored: H.string,
    };
    const rows: RawRow[] = r.rows.map((s) => ({
      values: {
        tenant: s.tenant ?? null,
        seq: Number(s.seq),
        business_date: Number(s.days),
        qty: s.qty_unscaled == null ? null : twos(BigInt(s.qty_unscaled)).toString('base64'),
        label: s.label ?? null,
        price: Number(s.price),
        ignored: 'differs on the stream side: excluded',
      } satisfies Record<string, RawValue>,
      hints,
    }));
    const n = compileEntity(entity, Object.keys(types));
    expect(n.hashedColumns).toEqual(['business_date', 'label', 'price', 'qty', 'seq', 'tenant']);
    const stream = streamAggregates(n, rows, '2024-02-01', '2024-03-31');
    const sql = await sqlAggregates(entity, table, types, '2024-02-01', '2024-03-31');
    expect(stream.size).toBe(6);
    expect(sql).toEqual(stream);
  });
});
