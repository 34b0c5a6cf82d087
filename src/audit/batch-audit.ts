/**
 * The on-demand batch audit (`cdc-reconciler audit`): the playbook's reconciliation patterns run in
 * SQL directly against both Postgres sources, for one entity and a range of business days, shown
 * beside the streaming state in Redis (docs/audit.md).
 *
 * Per side, on one read-only REPEATABLE READ snapshot:
 *  1. the server and the catalogue are checked: the table and every configured column must exist
 *     (a clear error names what is missing) before any statement names them;
 *  2. per day: the row count (src/sql/gaps.sql, every date of the range), the exact scaled sums
 *     (audit/day-sums.sql) and the day digest (dayAggregateSql), which must agree with each other;
 *  3. for each day whose totals differ between the sides: every key of the day with its row hash
 *     (rowHashSql), compared in the process (A EXCEPT B, B EXCEPT A, keys whose rows differ), and
 *     for the keys whose rows differ the hash of each column (audit/column-hashes.sql), so the
 *     differing columns are named without their values.
 * Then each side's per-day state in Redis (when reachable) is compared with its SQL bit for bit.
 *
 * The hashed columns are the ones the stream hashes: `columns.hash` when it is a list; for `all`,
 * the list the stream fixed in Redis (`<prefix>:<entity>:columns`) when there is one, else side A's
 * catalogue; minus `columns.exclude`, plus the key. Column types: declared, else from each side's
 * catalogue.
 */
import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';
import { createRedis } from '../adapters/clients.ts';
import { type DatabaseConfig, type EntityConfig, type ReconcilerConfig, toEntityModel } from '../config/index.ts';
import {
  type AuditDay,
  type AuditVerdicts,
  type DayTotals,
  type HashedColumnsSource,
  type KeyColumns,
  type SideRows,
  ZERO_TOTALS,
  auditDay,
  auditVerdicts,
  resolveHashedColumns,
  sideRows,
  totalsEqual,
} from '../compare/audit-comparison.ts';
import { keyPresenter } from '../compare/mismatch-factory.ts';
import type { Side } from '../domain/change.ts';
import type { ColumnType, EntityModel } from '../domain/entity.ts';
import type { DayAggregate } from '../domain/state.ts';
import { isoToDay } from '../normalize/days.ts';
import { NormalizeError } from '../normalize/errors.ts';
import {
  type ColumnHashesRowText,
  type DayColumnType,
  type DaySumsRowText,
  type ServerSettingsRow,
  type TableColumnRow,
  columnHashesQuery,
  daySumsQuery,
  parseDaySums,
  qualifiedName,
  serverSettingsQuery,
  tableColumnsQuery,
  unsupportedServer,
} from '../sql/audit/audit-statements.ts';
import {
  type DayAggregateRowText,
  type TableRef,
  columnTypeFromPg,
  dayAggregateSql,
  parseDayAggregate,
  quoteIdentifier,
  rowHashSql,
} from '../sql/day-digest.ts';
import { type GapRowText, gapsQuery, parseGapRows } from '../sql/gaps.ts';
import { RedisEntityMetaStore } from '../state/redis/entity-meta-store.ts';
import { RedisStateStore } from '../state/redis/redis-state-store.ts';
import { AuditError } from './audit-error.ts';
import { closeAuditSession, describeDatabase, openAuditSession } from './postgres-connection.ts';

export interface BatchAuditRequest {
  entity: string;
  /** First and last business day, YYYY-MM-DD, inclusive. */
  fromDay: string;
  toDay: string;
  /** Compare each side's streaming state in Redis with its SQL (skipped when false). */
  stream: boolean;
  /** Keys shown per list (only in A, only in B, differing); the counts are always complete. */
  maxKeys: number;
}

export interface BatchAuditReport {
  entity: string;
  fromDay: string;
  toDay: string;
  /** Each side's table and where it lives (`host:port/database`; never credentials). */
  tables: Record<Side, { table: string; database: string }>;
  /** The hashed columns, sorted by name, and where the list came from. */
  hashedColumns: string[];
  hashedColumnsFrom: HashedColumnsSource;
  stream: { status: 'compared' | 'skipped' | 'unavailable'; reason?: string };
  days: AuditDay[];
  verdicts: AuditVerdicts;
}

export interface BatchAuditDeps {
  /** Opens one side's snapshot; defaults to a real connection (postgres-connection.ts). */
  openSession?: (side: Side, database: DatabaseConfig) => Promise<pg.Client>;
  /** The Redis client to read the stream state with; by default one is made from the configuration and closed afterwards. */
  redis?: Redis | Cluster;
  /** How long Redis may take to answer before the stream counts as unavailable. */
  redisTimeoutMs?: number;
  /** Called before each day's row-level comparison (the slow part), for progress display. */
  onDay?: (day: string, index: number, total: number) => void;
}

/** Redis answers a PING in well under a millisecond; a second of silence means it is down or unreachable. */
const DEFAULT_REDIS_TIMEOUT_MS = 3_000;

/** Canonical keys per column-hash statement: keeps the array parameter to a few MB. */
const KEYS_PER_STATEMENT = 5_000;

const SIDES = ['a', 'b'] as const;
const DAY_TYPES: readonly ColumnType[] = ['date', 'timestamp', 'timestamptz'];
const AMOUNT_TYPES: readonly ColumnType[] = ['integer', 'decimal'];

const label = (side: Side) => side.toUpperCase();
const q = quoteIdentifier;

interface SideContext {
  side: Side;
  client: pg.Client;
  table: TableRef;
  /** Column name -> udt_name, in table order. */
  catalogue: Map<string, string>;
  types: Record<string, ColumnType>;
  typeOf: (column: string) => ColumnType;
  dayType: DayColumnType;
}

export async function runBatchAudit(config: ReconcilerConfig, request: BatchAuditRequest, deps: BatchAuditDeps = {}): Promise<BatchAuditReport> {
  const index = config.entities.findIndex((e) => e.name === request.entity);
  if (index < 0) throw new AuditError('RECON_AUDIT_NO_ENTITY', `no entity named ${JSON.stringify(request.entity)} in the configuration`);
  const entity = config.entities[index]!;
  const databases = {} as Record<Side, DatabaseConfig>;
  for (const side of SIDES) {
    const database = entity.sources[side].database;
    if (!database) {
      throw new AuditError(
        'RECON_AUDIT_NO_DATABASE',
        `entities[${index}].sources.${side}.database is not configured: the audit reads both sides' tables directly`,
      );
    }
    databases[side] = database;
  }
  if (isoToDay(request.fromDay) > isoToDay(request.toDay)) {
    throw new NormalizeError('RECON_NORMALIZE_BAD_VALUE', 'the first day of the range is after the last');
  }
  const model = toEntityModel(entity);
  const open = deps.openSession ?? openAuditSession;
  const clients: Partial<Record<Side, pg.Client>> = {};
  try {
    // Settle both before going on, so a side that connected is closed (finally) even when the other failed.
    const opened = await Promise.allSettled(SIDES.map(async (side) => void (clients[side] = await open(side, databases[side]))));
    for (const o of opened) if (o.status === 'rejected') throw o.reason;
    // The first statement fixes each snapshot; the stream state is read right after, so both describe about the same moment.
    await Promise.all(SIDES.map((side) => checkServer(side, clients[side]!, databases[side])));
    const stream = request.stream ? await readStream(config, entity, deps) : ({ status: 'skipped' } as const);

    const contexts = {} as Record<Side, SideContext>;
    for (const side of SIDES) {
      const table = { schema: databases[side].schema, name: databases[side].table };
      const catalogue = await readCatalogue(side, clients[side]!, table, databases[side]);
      const types = Object.fromEntries([...catalogue].map(([c, udt]) => [c, columnTypeFromPg(udt)]));
      const typeOf = (c: string): ColumnType => (Object.hasOwn(model.columns, c) ? model.columns[c]?.type : undefined) ?? types[c] ?? 'text';
      contexts[side] = { side, client: clients[side]!, table, catalogue, types, typeOf, dayType: 'date' };
    }
    const { hashedColumns, source } = resolveHashedColumns(model, stream.status === 'compared' ? stream.columns : null, contexts.a.catalogue);
    checkColumns(model, hashedColumns, contexts);
    for (const side of SIDES) contexts[side].dayType = checkTypes(model, contexts[side]);
    const digestModel: EntityModel = { ...model, hashColumns: hashedColumns };

    const totals = await Promise.all(SIDES.map((side) => sideTotals(digestModel, contexts[side], request)));
    const [totalsA, totalsB] = totals as [Map<string, DayTotals>, Map<string, DayTotals>];
    const days = [...totalsA.keys()];
    const present = keyPresenter(config.keys.mode, config.keys.hmacSecret);
    const amounts = model.amounts;
    const report: AuditDay[] = [];
    for (const [i, day] of days.entries()) {
      const sql = { a: totalsA.get(day) ?? ZERO_TOTALS(amounts.length), b: totalsB.get(day) ?? ZERO_TOTALS(amounts.length) };
      const dayNumber = isoToDay(day);
      const streamTotals =
        stream.status === 'compared'
          ? { a: fromAggregate(stream.a.get(dayNumber), amounts.length), b: fromAggregate(stream.b.get(dayNumber), amounts.length) }
          : undefined;
      let rows: { a: SideRows; b: SideRows } | undefined;
      let columns: { names: readonly string[]; a: Map<string, KeyColumns>; b: Map<string, KeyColumns> } | undefined;
      if (!totalsEqual(sql.a, sql.b)) {
        deps.onDay?.(day, i, days.length);
        const [ra, rb] = await Promise.all(SIDES.map((side) => dayRows(digestModel, contexts[side], day)));
        rows = { a: ra!, b: rb! };
        const changed = [...ra!.hashes].filter(([key, hash]) => rb!.hashes.has(key) && rb!.hashes.get(key) !== hash).map(([key]) => key);
        if (changed.length > 0) {
          const [ca, cb] = await Promise.all(SIDES.map((side) => keyColumns(model, contexts[side], hashedColumns, day, changed)));
          columns = { names: hashedColumns, a: ca!, b: cb! };
        }
      }
      report.push(
        auditDay(
          { day, sql, stream: streamTotals, rows, columns },
          { amounts, maxKeys: request.maxKeys, presentKey: (key) => present(model.name, key) },
        ),
      );
    }
    return {
      entity: model.name,
      fromDay: request.fromDay,
      toDay: request.toDay,
      tables: {
        a: { table: qualifiedName(contexts.a.table), database: describeDatabase(databases.a.url) },
        b: { table: qualifiedName(contexts.b.table), database: describeDatabase(databases.b.url) },
      },
      hashedColumns,
      hashedColumnsFrom: source,
      stream: stream.status === 'compared' ? { status: 'compared' } : stream,
      days: report,
      verdicts: auditVerdicts(report, stream.status === 'compared'),
    };
  } finally {
    await Promise.all(Object.values(clients).map((c) => closeAuditSession(c)));
  }
}

async function checkServer(side: Side, client: pg.Client, database: DatabaseConfig): Promise<void> {
  const s = serverSettingsQuery();
  const row = (await client.query<ServerSettingsRow>(s.text, s.values)).rows[0]!;
  const why = unsupportedServer(row);
  if (why !== undefined) {
    throw new AuditError('RECON_AUDIT_UNSUPPORTED_SERVER', `side ${label(side)} database ${describeDatabase(database.url)}: ${why}`);
  }
}

type StreamRead =
  | { status: 'compared'; a: Map<number, DayAggregate>; b: Map<number, DayAggregate>; columns: string[] | null }
  | { status: 'unavailable'; reason: string };

/** Both sides' per-day state and the stream's fixed column list, or why they could not be read. */
async function readStream(config: ReconcilerConfig, entity: EntityConfig, deps: BatchAuditDeps): Promise<StreamRead> {
  const redis = deps.redis ?? createRedis(config);
  if (!deps.redis) redis.on('error', () => undefined); // reconnect noise; a failure shows as the timeout below
  const timeoutMs = deps.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  try {
    const store = new RedisStateStore(redis, { prefix: config.redis.keyPrefix, shards: config.redis.shards, buckets: config.redis.keyBuckets });
    const meta = new RedisEntityMetaStore(redis, config.redis.keyPrefix);
    const read = Promise.all([
      store.dayAggregates(entity.name, 'a', entity.amounts.length),
      store.dayAggregates(entity.name, 'b', entity.amounts.length),
      meta.get(entity.name, 'columns'),
    ]);
    read.catch(() => undefined); // settled later by the race, or abandoned after the timeout
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const [a, b, columns] = await Promise.race([read, timeout]);
      return { status: 'compared', a, b, columns: columns === null ? null : (JSON.parse(columns) as string[]) };
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    return { status: 'unavailable', reason: e instanceof Error ? e.message : String(e) };
  } finally {
    if (!deps.redis) redis.disconnect();
  }
}

async function readCatalogue(side: Side, client: pg.Client, table: TableRef, database: DatabaseConfig): Promise<Map<string, string>> {
  const s = tableColumnsQuery(table);
  const rows = (await client.query<TableColumnRow>(s.text, s.values)).rows;
  if (rows.length === 0) {
    throw new AuditError(
      'RECON_AUDIT_NO_TABLE',
      `side ${label(side)}: table ${qualifiedName(table)} not found in ${describeDatabase(database.url)} (or not visible to the audit's role)`,
    );
  }
  return new Map(rows.filter((r) => r.column_name !== null).map((r) => [r.column_name!, r.udt_name ?? 'text']));
}

/** Every column a statement will name must be in both sides' catalogues; one error lists all that are not. */
function checkColumns(model: EntityModel, hashedColumns: readonly string[], contexts: Record<Side, SideContext>): void {
  const roles = new Map<string, string>();
  for (const c of hashedColumns) roles.set(c, 'hashed column');
  for (const a of model.amounts) roles.set(a.column, 'amount column');
  roles.set(model.dayColumn, 'business-day column');
  for (const k of model.key) roles.set(k, 'key column');
  const missing: string[] = [];
  for (const side of SIDES) {
    const { catalogue, table } = contexts[side];
    for (const [column, role] of roles) {
      if (!catalogue.has(column)) missing.push(`side ${label(side)}: the ${role} ${q(column)} is not a column of ${qualifiedName(table)}`);
    }
  }
  if (missing.length > 0) throw new AuditError('RECON_AUDIT_NO_COLUMN', missing.join('; '));
}

/** The business-day and amount columns' types must fit their roles; returns the day column's type. */
function checkTypes(model: EntityModel, ctx: SideContext): DayColumnType {
  const dayType = ctx.typeOf(model.dayColumn);
  if (!DAY_TYPES.includes(dayType)) {
    throw new AuditError(
      'RECON_AUDIT_COLUMN_TYPE',
      `side ${label(ctx.side)}: the business-day column ${q(model.dayColumn)} is ${dayType}; it must be a date, timestamp or timestamptz`,
    );
  }
  for (const a of model.amounts) {
    const t = ctx.typeOf(a.column);
    if (!AMOUNT_TYPES.includes(t)) {
      throw new AuditError('RECON_AUDIT_COLUMN_TYPE', `side ${label(ctx.side)}: the amount column ${q(a.column)} is ${t}; it must be an integer or decimal`);
    }
  }
  return dayType as DayColumnType;
}

/**
 * Count (every date of the range), sums and digest per day. The three statements run on one
 * snapshot, so they must agree on each day's count and sums; a disagreement is a bug, reported as one.
 */
async function sideTotals(model: EntityModel, ctx: SideContext, request: BatchAuditRequest): Promise<Map<string, DayTotals>> {
  const { client, table, dayType, side } = ctx;
  const range = { fromDay: request.fromDay, toDay: request.toDay };
  const counts = gapsQuery({ table, dayColumn: model.dayColumn, dayType, timeZone: model.timeZone, ...range });
  const countRows = parseGapRows((await client.query<GapRowText>(counts.text, counts.values)).rows);
  const sums = new Map<string, bigint[]>();
  if (model.amounts.length > 0) {
    const s = daySumsQuery({ entity: model, table, dayType, ...range });
    for (const row of (await client.query<DaySumsRowText>(s.text, s.values)).rows) {
      const parsed = parseDaySums(row, model.amounts.length);
      if (parsed === null) throw scaleError(model, side, row.day);
      sums.set(row.day, parsed);
    }
  }
  const digest = dayAggregateSql(model, table, ctx.types);
  const aggregates = new Map<string, { count: bigint; sums: bigint[]; digest: bigint }>();
  for (const row of (await client.query<DayAggregateRowText>(digest.text, digest.values(request.fromDay, request.toDay))).rows) {
    try {
      aggregates.set(row.day, parseDayAggregate(row, model.amounts.length));
    } catch (e) {
      if (e instanceof NormalizeError) throw scaleError(model, side, row.day);
      throw e;
    }
  }
  const out = new Map<string, DayTotals>();
  for (const { day, count } of countRows) {
    const agg = aggregates.get(day);
    const daySums = sums.get(day) ?? Array.from({ length: model.amounts.length }, () => 0n);
    const consistent = agg ? agg.count === count && agg.sums.every((v, i) => v === daySums[i]) : count === 0n && !sums.has(day);
    if (!consistent) {
      throw new AuditError(
        'RECON_AUDIT_INCONSISTENT',
        `side ${label(side)}, ${day}: the count, sum and digest statements disagree on one snapshot (please report this)`,
      );
    }
    out.set(day, { count, sums: daySums, digest: agg?.digest ?? 0n });
  }
  return out;
}

function scaleError(model: EntityModel, side: Side, day: string): AuditError {
  const scales = model.amounts.map((a) => `${q(a.column)} scale ${a.scale}`).join(', ');
  return new AuditError(
    'RECON_AUDIT_SCALE',
    `side ${label(side)}, ${day}: an amount has more fraction digits than its configured scale (${scales}), so its sum cannot be exact`,
  );
}

function fromAggregate(agg: DayAggregate | undefined, amounts: number): DayTotals {
  return agg ? { count: agg.count, sums: agg.sums, digest: agg.digest } : ZERO_TOTALS(amounts);
}

/** Every key of the day with its row hash: the input of the key reconciliation (A EXCEPT B, B EXCEPT A). */
async function dayRows(model: EntityModel, ctx: SideContext, day: string): Promise<SideRows> {
  const s = rowHashSql(model, ctx.table, ctx.types, 'days');
  const result = await ctx.client.query<{ key: string; row_hash: string }>(s.text, s.values(day, day));
  return sideRows(result.rows.map((r) => ({ key: r.key, rowHash: BigInt(r.row_hash) })));
}

/** Per key, the hash of each hashed column (and the values of safe columns) for the per-column compare. */
async function keyColumns(
  model: EntityModel,
  ctx: SideContext,
  hashedColumns: readonly string[],
  day: string,
  keys: readonly string[],
): Promise<Map<string, KeyColumns>> {
  const out = new Map<string, KeyColumns>();
  for (let start = 0; start < keys.length; start += KEYS_PER_STATEMENT) {
    const s = columnHashesQuery({
      entity: model,
      table: ctx.table,
      typeOf: ctx.typeOf,
      dayType: ctx.dayType,
      hashedColumns,
      fromDay: day,
      toDay: day,
      keys: keys.slice(start, start + KEYS_PER_STATEMENT),
    });
    for (const row of (await ctx.client.query<ColumnHashesRowText>(s.text, s.values)).rows) {
      if (out.has(row.key)) continue;
      const hashes = hashedColumns.map((_, i) => row[`h_${i}`] ?? '');
      const safeValues = Object.fromEntries(s.safeIndexes.map((i) => [hashedColumns[i]!, row[`v_${i}`] ?? null]));
      out.set(row.key, s.safeIndexes.length > 0 ? { hashes, safeValues } : { hashes });
    }
  }
  return out;
}
