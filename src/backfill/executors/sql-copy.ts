/**
 * The direct SQL copy executor (Postgres A to Postgres B): copies the rows of one business-day
 * window from A's table into B's, idempotently.
 *
 *  - Reads A's rows whose business day (the day column, cut in the entity's time zone for a
 *    timestamptz) lies in [fromDay, toDay], in key order, `chunkRows` at a time (keyset paging).
 *    Each row travels as its `to_jsonb` text, so every value (numeric, timestamptz with microseconds,
 *    bytea, json) reaches B exactly, and B's own input functions type it.
 *  - Upserts each chunk into B in one transaction: INSERT ... ON CONFLICT (key) DO UPDATE SET every
 *    non-key column. Re-running a window writes the same rows again, never a duplicate.
 *  - Waits for a token bucket of `rowsPerSecond` before each chunk (clock and sleep injected).
 *  - With `allowDeletes`, afterwards deletes B's rows of the window whose keys A does not hold.
 *  - Checks the privileges it needs before writing anything (F18). A chunk whose session dies
 *    (F15: pg_terminate_backend, F16: the server stopped) is rolled back by the server and the error
 *    is thrown as retriable: re-running the same batch completes without duplicates.
 *
 * Identifiers go through quoteIdentifier; days, time zone and key values are bound parameters.
 */
import type { Clock } from '../../engine/ports.ts';
import { systemClock } from '../../engine/ports.ts';
import { dayToIso } from '../../normalize/days.ts';
import { type TableRef, quoteIdentifier, quoteLiteral } from '../../sql/day-digest.ts';
import { type Db, inTransaction } from '../audit-log/session.ts';

export const BACKFILL_ERROR_CODES = [
  /** The role lacks a privilege on a table (F18); nothing was written. */
  'RECON_BACKFILL_PRIVILEGE',
  /** A table or column is missing, or the day column has a type that has no business day. */
  'RECON_BACKFILL_SCHEMA',
  /** The options are invalid (empty key, chunkRows < 1, ...). */
  'RECON_BACKFILL_OPTIONS',
  /** A session was lost or the server refused for a while (F15, F16): run the batch again. */
  'RECON_BACKFILL_UNAVAILABLE',
  /** The signal aborted the copy between chunks. */
  'RECON_BACKFILL_ABORTED',
  /** Any other failure of a statement. */
  'RECON_BACKFILL_FAILED',
] as const;
export type BackfillErrorCode = (typeof BACKFILL_ERROR_CODES)[number];

export class BackfillError extends Error {
  override readonly name = 'BackfillError';
  readonly code: BackfillErrorCode;
  readonly retriable: boolean;
  readonly batchId: string | undefined;

  constructor(code: BackfillErrorCode, message: string, options: { retriable?: boolean; cause?: unknown; batchId?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? (code === 'RECON_BACKFILL_UNAVAILABLE' || code === 'RECON_BACKFILL_ABORTED');
    this.batchId = options.batchId;
  }
}

export interface ChunkInfo {
  batchId: string;
  /** 1-based. */
  chunk: number;
  rows: number;
}

export interface CopyWindowOptions {
  /** Side A (read). */
  source: Db;
  /** Side B (written). */
  target: Db;
  table: { a: TableRef; b: TableRef };
  keyColumns: readonly string[];
  dayColumn: string;
  /** IANA zone the business day of a timestamptz column is cut in. */
  timeZone: string;
  /** ISO dates or days since 1970-01-01, both inclusive. */
  fromDay: string | number;
  toDay: string | number;
  chunkRows: number;
  /** Rows per second, on average; Infinity (or 0) for no limit. */
  rowsPerSecond: number;
  allowDeletes: boolean;
  batchId: string;
  signal?: AbortSignal;
  clock?: Clock;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called inside each chunk's transaction after its upsert, before COMMIT (tests kill the session here). */
  beforeChunkCommit?: (info: ChunkInfo) => Promise<void>;
  /** Called after each chunk committed. */
  afterChunkCommit?: (info: ChunkInfo) => Promise<void>;
}

export interface CopyWindowResult {
  rowsRead: bigint;
  /** Rows inserted or updated on B (a re-run rewrites the same rows: the same count). */
  rowsWritten: bigint;
  rowsDeleted: bigint;
  chunks: number;
}

/** SQLSTATEs after which the same batch may succeed when run again. */
const RETRIABLE_SQLSTATES = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300', '53400', '58000']);
/** Node socket errors of a lost or refused connection. */
const RETRIABLE_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether an error from pg means "try again later" (lost session, server down, serialisation). */
export function isRetriablePgError(e: unknown): boolean {
  if (e instanceof BackfillError) return e.retriable;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || RETRIABLE_SQLSTATES.has(code) || RETRIABLE_NODE_CODES.has(code)) return true;
  }
  const message = e instanceof Error ? e.message : '';
  return /Connection terminated|connection .*(closed|ended)|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message);
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * A token bucket of `rate` rows per second holding at most one second's worth (or one chunk, if
 * larger). Taking more than there is goes into debt and sleeps it off, so the average holds.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #capacity: number;
  #tokens: number;
  #at: number;
  readonly #clock: Clock;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(rate: number, capacity: number, clock: Clock, sleep: (ms: number, signal?: AbortSignal) => Promise<void>) {
    this.#clock = clock;
    this.#sleep = sleep;
    this.#rate = rate;
    this.#capacity = capacity;
    this.#tokens = capacity;
    this.#at = clock.nowMs();
  }

  async take(n: number, signal?: AbortSignal): Promise<void> {
    if (!Number.isFinite(this.#rate) || this.#rate <= 0) return;
    const now = this.#clock.nowMs();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#at) * this.#rate) / 1000);
    this.#at = now;
    this.#tokens -= n;
    if (this.#tokens < 0) await this.#sleep(Math.ceil((-this.#tokens * 1000) / this.#rate), signal);
  }
}

interface ColumnInfo {
  name: string;
  type: string;
  generated: boolean;
}

const qualified = (t: TableRef): string => `${quoteIdentifier(t.schema)}.${quoteIdentifier(t.name)}`;
const describe = (t: TableRef): string => `${t.schema}.${t.name}`;

async function columnsOf(db: Db, side: 'A' | 'B', table: TableRef, batchId: string): Promise<ColumnInfo[]> {
  const r = await db.query<{ name: string; type: string; generated: boolean }>(
    `SELECT a.attname AS name, t.typname AS type, a.attgenerated <> '' AS generated
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [table.schema, table.name],
  );
  if (r.rows.length === 0) throw new BackfillError('RECON_BACKFILL_SCHEMA', `side ${side}: table ${describe(table)} does not exist (or is not visible to this role)`, { batchId });
  return r.rows;
}

/** Throws RECON_BACKFILL_PRIVILEGE naming the first privilege the session's role lacks on the table. */
async function requirePrivileges(db: Db, side: 'A' | 'B', table: TableRef, privileges: readonly string[], batchId: string): Promise<void> {
  const r = await db.query<{ privilege: string; granted: boolean }>(
    `SELECT p AS privilege, has_table_privilege(c.oid, p) AS granted
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, unnest($3::text[]) AS p
      WHERE n.nspname = $1 AND c.relname = $2`,
    [table.schema, table.name, privileges],
  );
  const schemaUsage = await db.query<{ ok: boolean }>(`SELECT has_schema_privilege($1, 'USAGE') AS ok`, [table.schema]);
  if (schemaUsage.rows[0]?.ok === false) {
    throw new BackfillError('RECON_BACKFILL_PRIVILEGE', `side ${side}: the backfill role lacks USAGE on schema ${table.schema} (table ${describe(table)}); grant it, nothing was written`, { batchId });
  }
  for (const row of r.rows) {
    if (!row.granted) {
      throw new BackfillError(
        'RECON_BACKFILL_PRIVILEGE',
        `side ${side}: the backfill role lacks ${row.privilege} privilege on table ${describe(table)}; grant it, nothing was written`,
        { batchId },
      );
    }
  }
}

/** The WHERE condition of the window's rows: $1, $2 the ISO days, $3 the zone (timestamptz only). */
function dayCondition(alias: string, dayColumn: string, type: string, batchId: string, side: 'A' | 'B'): string {
  const ref = `${alias}.${quoteIdentifier(dayColumn)}`;
  switch (type) {
    case 'date':
      return `${ref} BETWEEN $1::date AND $2::date`;
    case 'timestamp':
      return `${ref} >= $1::date::timestamp AND ${ref} < ($2::date + 1)::timestamp`;
    case 'timestamptz':
      // The column itself is bounded one day wider (an index on it serves), then cut exactly in the zone.
      return (
        `${ref} >= (($1::date - 1)::timestamp AT TIME ZONE $3::text) AND ${ref} < (($2::date + 2)::timestamp AT TIME ZONE $3::text)` +
        ` AND (${ref} AT TIME ZONE $3::text)::date BETWEEN $1::date AND $2::date`
      );
    default:
      throw new BackfillError('RECON_BACKFILL_SCHEMA', `side ${side}: the day column ${dayColumn} has type ${type}; it must be a date, timestamp or timestamptz`, { batchId });
  }
}

function wrap(e: unknown, what: string, batchId: string): BackfillError {
  if (e instanceof BackfillError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === '42501') return new BackfillError('RECON_BACKFILL_PRIVILEGE', `${what}: ${message}`, { cause: e, batchId });
  if (isRetriablePgError(e)) return new BackfillError('RECON_BACKFILL_UNAVAILABLE', `${what}: ${message}`, { cause: e, batchId });
  return new BackfillError('RECON_BACKFILL_FAILED', `${what}: ${message}`, { cause: e, batchId });
}

/** Copies the window's rows of A into B; see the module comment. @throws BackfillError */
export async function copyWindow(options: CopyWindowOptions): Promise<CopyWindowResult> {
  const { batchId, signal } = options;
  const fromDay = typeof options.fromDay === 'number' ? dayToIso(options.fromDay) : options.fromDay;
  const toDay = typeof options.toDay === 'number' ? dayToIso(options.toDay) : options.toDay;
  if (options.keyColumns.length === 0) throw new BackfillError('RECON_BACKFILL_OPTIONS', 'keyColumns must name at least one column', { batchId });
  if (!Number.isInteger(options.chunkRows) || options.chunkRows < 1) throw new BackfillError('RECON_BACKFILL_OPTIONS', 'chunkRows must be a whole number >= 1', { batchId });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(fromDay) || !/^\d{4}-\d{2}-\d{2}$/.test(toDay) || fromDay > toDay) {
    throw new BackfillError('RECON_BACKFILL_OPTIONS', `the window ${fromDay}..${toDay} is not a range of ISO days`, { batchId });
  }
  const checkAborted = (): void => {
    if (signal?.aborted) throw new BackfillError('RECON_BACKFILL_ABORTED', `batch ${batchId} aborted`, { cause: signal.reason, batchId });
  };
  const a = options.table.a;
  const b = options.table.b;

  // Catalogue and privileges first: a missing column or privilege fails before anything is written.
  let srcCols: ColumnInfo[];
  let dstCols: ColumnInfo[];
  try {
    srcCols = await columnsOf(options.source, 'A', a, batchId);
    dstCols = await columnsOf(options.target, 'B', b, batchId);
    await requirePrivileges(options.source, 'A', a, ['SELECT'], batchId);
    await requirePrivileges(options.target, 'B', b, options.allowDeletes ? ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] : ['SELECT', 'INSERT', 'UPDATE'], batchId);
  } catch (e) {
    throw wrap(e, `batch ${batchId}: checking tables`, batchId);
  }
  for (const [side, cols, table] of [['A', srcCols, a], ['B', dstCols, b]] as const) {
    for (const c of [...options.keyColumns, options.dayColumn]) {
      if (!cols.some((x) => x.name === c)) throw new BackfillError('RECON_BACKFILL_SCHEMA', `side ${side}: table ${describe(table)} has no column ${c}`, { batchId });
    }
  }
  const srcDayType = srcCols.find((c) => c.name === options.dayColumn)!.type;
  const dstDayType = dstCols.find((c) => c.name === options.dayColumn)!.type;
  const srcNames = new Set(srcCols.map((c) => c.name));
  const written = dstCols.filter((c) => !c.generated && srcNames.has(c.name)).map((c) => c.name);
  const keys = new Set(options.keyColumns);
  const nonKey = written.filter((c) => !keys.has(c));

  const usesZone = (type: string): boolean => type === 'timestamptz';
  const dayParams = (type: string): string[] => (usesZone(type) ? [fromDay, toDay, options.timeZone] : [fromDay, toDay]);
  const srcKeyList = options.keyColumns.map((k) => `t.${quoteIdentifier(k)}`).join(', ');
  const firstKeyParam = dayParams(srcDayType).length + 1;
  const keyParams = options.keyColumns.map((_, i) => `$${firstKeyParam + i}`).join(', ');
  const keyJson = `jsonb_build_object(${options.keyColumns.map((k) => `${quoteLiteral(k)}, t.${quoteIdentifier(k)}`).join(', ')})::text`;
  const keyText = options.keyColumns.map((k, i) => `t.${quoteIdentifier(k)}::text AS k${i}`).join(', ');
  const readSql = (after: boolean): string =>
    `SELECT to_jsonb(t)::text AS row, ${keyJson} AS key_json, ${keyText}
       FROM ${qualified(a)} AS t
      WHERE ${dayCondition('t', options.dayColumn, srcDayType, batchId, 'A')}${after ? ` AND (${srcKeyList}) > (${keyParams})` : ''}
      ORDER BY ${srcKeyList}
      LIMIT ${options.chunkRows}`;
  const columnList = written.map(quoteIdentifier).join(', ');
  const conflict = options.keyColumns.map(quoteIdentifier).join(', ');
  const upsertSql =
    `INSERT INTO ${qualified(b)} AS d (${columnList})
     SELECT ${columnList} FROM jsonb_populate_recordset(NULL::${qualified(b)}, $1::jsonb)
     ON CONFLICT (${conflict}) DO ` +
    (nonKey.length === 0 ? 'NOTHING' : `UPDATE SET ${nonKey.map((c) => `${quoteIdentifier(c)} = EXCLUDED.${quoteIdentifier(c)}`).join(', ')}`);

  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? defaultSleep;
  const rate = options.rowsPerSecond > 0 ? options.rowsPerSecond : Infinity;
  const bucket = new TokenBucket(rate, Math.max(options.chunkRows, Number.isFinite(rate) ? rate : 0), clock, sleep);

  let rowsRead = 0n;
  let rowsWritten = 0n;
  let rowsDeleted = 0n;
  let chunks = 0;
  let lastKey: string[] | undefined;
  const sourceKeys: string[] = [];
  for (;;) {
    checkAborted();
    let rows: { row: string; key_json: string; [k: `k${number}`]: string }[];
    try {
      const r = await options.source.query(readSql(lastKey !== undefined), [...dayParams(srcDayType), ...(lastKey ?? [])]);
      rows = r.rows;
    } catch (e) {
      throw wrap(e, `batch ${batchId}: reading side A table ${describe(a)}`, batchId);
    }
    if (rows.length === 0) break;
    rowsRead += BigInt(rows.length);
    if (options.allowDeletes) for (const r of rows) sourceKeys.push(r.key_json);
    try {
      await bucket.take(rows.length, signal);
    } catch (e) {
      throw new BackfillError('RECON_BACKFILL_ABORTED', `batch ${batchId} aborted`, { cause: e, batchId });
    }
    checkAborted();
    const info: ChunkInfo = { batchId, chunk: chunks + 1, rows: rows.length };
    try {
      const n = await inTransaction(options.target, async (client) => {
        const w = await client.query(upsertSql, [`[${rows.map((r) => r.row).join(',')}]`]);
        await options.beforeChunkCommit?.(info);
        return w.rowCount ?? 0;
      });
      rowsWritten += BigInt(n);
    } catch (e) {
      throw wrap(e, `batch ${batchId}: chunk ${info.chunk} into side B table ${describe(b)} rolled back`, batchId);
    }
    chunks++;
    await options.afterChunkCommit?.(info);
    const last = rows[rows.length - 1]!;
    lastKey = options.keyColumns.map((_, i) => last[`k${i}`] ?? '');
    if (rows.length < options.chunkRows) break;
  }

  if (options.allowDeletes) {
    checkAborted();
    const keyMatch = options.keyColumns.map((k) => `s.${quoteIdentifier(k)} = t.${quoteIdentifier(k)}`).join(' AND ');
    const keysParam = dayParams(dstDayType).length + 1;
    const deleteSql = `DELETE FROM ${qualified(b)} AS t
      WHERE ${dayCondition('t', options.dayColumn, dstDayType, batchId, 'B')}
        AND NOT EXISTS (SELECT 1 FROM jsonb_populate_recordset(NULL::${qualified(b)}, $${keysParam}::jsonb) AS s WHERE ${keyMatch})`;
    try {
      const n = await inTransaction(options.target, async (client) => {
        const d = await client.query(deleteSql, [...dayParams(dstDayType), `[${sourceKeys.join(',')}]`]);
        return d.rowCount ?? 0;
      });
      rowsDeleted = BigInt(n);
    } catch (e) {
      throw wrap(e, `batch ${batchId}: deleting rows missing on A from side B table ${describe(b)}`, batchId);
    }
  }
  return { rowsRead, rowsWritten, rowsDeleted, chunks };
}
