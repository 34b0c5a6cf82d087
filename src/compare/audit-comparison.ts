/**
 * The batch audit's comparisons, pure: what the SQL of both sides says per business day (counts,
 * exact sums, digests, keys with their row hashes, per-column hashes), and what the streaming
 * state says, in; per day the differences and the verdicts, out. No database, no Redis: the
 * adapter (src/audit/batch-audit.ts) fetches, this decides.
 *
 * Keys are canonical keys (docs/canonical-form.md) inside; outside they are shown only through
 * the configured presenter (HMAC by default) and only up to a limit. Column values never appear,
 * except the canonical values of columns the entity marks safe, which the caller passes in only
 * for those.
 */
import { formatScaled, u64Hex } from '../domain/limbs.ts';
import type { EntityModel } from '../domain/entity.ts';
import type { KeyMode } from './mismatch-factory.ts';

/** A day's aggregate of one side, as SQL computes it or as the streaming state holds it. */
export interface DayTotals {
  count: bigint;
  /** One per amount column, scaled by 10^scale. */
  sums: bigint[];
  /** Σ row hashes mod 2^64. */
  digest: bigint;
}

export const ZERO_TOTALS = (amounts: number): DayTotals => ({ count: 0n, sums: Array.from({ length: amounts }, () => 0n), digest: 0n });

/** Rows of one side and day: canonical key -> row hash; keys seen more than once are counted apart. */
export interface SideRows {
  hashes: ReadonlyMap<string, bigint>;
  /** Rows whose key was already seen on this side and day (a table without a unique key). */
  duplicates: number;
}

/** Builds SideRows from (key, row hash) pairs. */
export function sideRows(rows: Iterable<{ key: string; rowHash: bigint }>): SideRows {
  const hashes = new Map<string, bigint>();
  let duplicates = 0;
  for (const { key, rowHash } of rows) {
    if (hashes.has(key)) duplicates++;
    else hashes.set(key, rowHash);
  }
  return { hashes, duplicates };
}

/** Per key of one side: the hash of every hashed column (same order as the column list), and safe values. */
export interface KeyColumns {
  hashes: readonly string[];
  /** Canonical values of safe columns, by column name; absent for every other column. */
  safeValues?: Readonly<Record<string, string | null>>;
}

export type PresentedKey = { mode: KeyMode; value: string };

/** A day's aggregate as shown: exact decimal text, never floating point. */
export interface TotalsView {
  count: string;
  /** Amount column -> the day's sum in the amount's units (e.g. `1234.50`). */
  sums: Record<string, string>;
  /** 16 hex digits. */
  digest: string;
}

export interface KeyList {
  count: number;
  /** At most `maxKeys`, smallest canonical keys first, shown per keys.mode. */
  keys: PresentedKey[];
}

export interface ValueMismatches {
  /** Keys present on both sides whose rows differ. */
  count: number;
  /** Column name -> how many of those keys differ in it. */
  columns: Record<string, number>;
  /** At most `maxKeys` of them: the key, its differing columns, and both sides' values of the safe ones. */
  keys: { key: PresentedKey; columns: string[]; safeValues?: Record<string, { a: string | null; b: string | null }> }[];
}

export interface AuditDay {
  /** YYYY-MM-DD. */
  day: string;
  sql: { a: TotalsView; b: TotalsView };
  /** The streaming state of each side; null when it was not compared. */
  stream: { a: TotalsView; b: TotalsView } | null;
  /** SQL's digests of A and B are equal. */
  digestEqual: boolean;
  /**
   * Whether the keys were compared. They are only when the day's totals differ: equal counts, sums
   * and 64-bit digests mean equal rows (a different row set collides with probability about 2^-64).
   */
  keysCompared: boolean;
  keysOnlyInA: KeyList;
  keysOnlyInB: KeyList;
  /** Rows whose key appears more than once in the day, per side (a table without a unique key). */
  duplicateKeys: { a: number; b: number };
  valueMismatches: ValueMismatches;
  verdicts: {
    /** A and B agree in SQL: same count, sums and digest, no key on one side only, no differing row. */
    sqlAgrees: boolean;
    /** Per side: the streaming state equals SQL bit for bit (count, sums, digest); null when not compared. */
    streamAgreesWithSql: { a: boolean | null; b: boolean | null };
  };
}

export interface AuditDayInput {
  day: string;
  sql: { a: DayTotals; b: DayTotals };
  stream?: { a: DayTotals; b: DayTotals } | undefined;
  /** The rows of the day, when the keys were compared. */
  rows?: { a: SideRows; b: SideRows } | undefined;
  /** Per-column hashes of the keys in both sides whose row hashes differ (any key missing here counts as differing in no column). */
  columns?: { names: readonly string[]; a: ReadonlyMap<string, KeyColumns>; b: ReadonlyMap<string, KeyColumns> } | undefined;
}

export interface AuditDayOptions {
  amounts: readonly { column: string; scale: number }[];
  presentKey: (key: string) => PresentedKey;
  maxKeys: number;
}

export function totalsEqual(x: DayTotals, y: DayTotals): boolean {
  return x.count === y.count && x.digest === y.digest && x.sums.length === y.sums.length && x.sums.every((s, i) => s === y.sums[i]);
}

const byCodeUnit = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** The playbook's key reconciliation: A EXCEPT B, B EXCEPT A, and the keys in both whose rows differ; each sorted. */
export function keyDifferences(
  a: ReadonlyMap<string, bigint>,
  b: ReadonlyMap<string, bigint>,
): { onlyInA: string[]; onlyInB: string[]; changed: string[] } {
  const onlyInA: string[] = [];
  const changed: string[] = [];
  for (const [key, hash] of a) {
    const other = b.get(key);
    if (other === undefined) onlyInA.push(key);
    else if (other !== hash) changed.push(key);
  }
  const onlyInB = [...b.keys()].filter((key) => !a.has(key));
  return { onlyInA: onlyInA.sort(byCodeUnit), onlyInB: onlyInB.sort(byCodeUnit), changed: changed.sort(byCodeUnit) };
}

/** Names of the columns whose hashes differ between the two sides' versions of one key. */
export function differingColumns(names: readonly string[], a: KeyColumns, b: KeyColumns): string[] {
  return names.filter((_, i) => a.hashes[i] !== b.hashes[i]);
}

export function totalsView(t: DayTotals, amounts: AuditDayOptions['amounts']): TotalsView {
  return {
    count: t.count.toString(),
    sums: Object.fromEntries(amounts.map((a, i) => [a.column, formatScaled(t.sums[i] ?? 0n, a.scale)])),
    digest: u64Hex(t.digest),
  };
}

/** One business day of the audit: the differences between A and B in SQL, and between each side's stream and SQL. */
export function auditDay(input: AuditDayInput, options: AuditDayOptions): AuditDay {
  const { sql, stream, rows, columns } = input;
  const shown = (keys: readonly string[]): KeyList => ({ count: keys.length, keys: keys.slice(0, options.maxKeys).map(options.presentKey) });

  const diff = rows ? keyDifferences(rows.a.hashes, rows.b.hashes) : { onlyInA: [], onlyInB: [], changed: [] };
  const perColumn: Record<string, number> = {};
  const mismatchKeys: ValueMismatches['keys'] = [];
  for (const key of diff.changed) {
    const ca = columns?.a.get(key);
    const cb = columns?.b.get(key);
    const differing = ca && cb && columns ? differingColumns(columns.names, ca, cb) : [];
    for (const c of differing) perColumn[c] = (perColumn[c] ?? 0) + 1;
    if (mismatchKeys.length < options.maxKeys) {
      const safe = differing.filter((c) => ca?.safeValues && Object.hasOwn(ca.safeValues, c));
      mismatchKeys.push({
        key: options.presentKey(key),
        columns: differing,
        ...(safe.length
          ? { safeValues: Object.fromEntries(safe.map((c) => [c, { a: ca?.safeValues?.[c] ?? null, b: cb?.safeValues?.[c] ?? null }])) }
          : {}),
      });
    }
  }
  const duplicateKeys = { a: rows?.a.duplicates ?? 0, b: rows?.b.duplicates ?? 0 };
  const sqlAgrees =
    totalsEqual(sql.a, sql.b) &&
    diff.onlyInA.length === 0 &&
    diff.onlyInB.length === 0 &&
    diff.changed.length === 0 &&
    duplicateKeys.a === 0 &&
    duplicateKeys.b === 0;
  return {
    day: input.day,
    sql: { a: totalsView(sql.a, options.amounts), b: totalsView(sql.b, options.amounts) },
    stream: stream ? { a: totalsView(stream.a, options.amounts), b: totalsView(stream.b, options.amounts) } : null,
    digestEqual: sql.a.digest === sql.b.digest,
    keysCompared: rows !== undefined,
    keysOnlyInA: shown(diff.onlyInA),
    keysOnlyInB: shown(diff.onlyInB),
    duplicateKeys,
    valueMismatches: { count: diff.changed.length, columns: perColumn, keys: mismatchKeys },
    verdicts: {
      sqlAgrees,
      streamAgreesWithSql: stream ? { a: totalsEqual(stream.a, sql.a), b: totalsEqual(stream.b, sql.b) } : { a: null, b: null },
    },
  };
}

export interface AuditVerdicts {
  /** Every day: A and B agree in SQL. */
  sqlAgrees: boolean;
  /** Per side, every day: the stream equals SQL; null when the stream was not compared. */
  streamAgreesWithSql: { a: boolean | null; b: boolean | null };
  /** A and B agree, and the stream (when compared) equals SQL on both sides. */
  ok: boolean;
}

export function auditVerdicts(days: readonly AuditDay[], streamCompared: boolean): AuditVerdicts {
  const sqlAgrees = days.every((d) => d.verdicts.sqlAgrees);
  const side = (s: 'a' | 'b') => (streamCompared ? days.every((d) => d.verdicts.streamAgreesWithSql[s] === true) : null);
  const streamAgreesWithSql = { a: side('a'), b: side('b') };
  return { sqlAgrees, streamAgreesWithSql, ok: sqlAgrees && streamAgreesWithSql.a !== false && streamAgreesWithSql.b !== false };
}

/** Where the hashed columns came from: `columns.hash`, the list the stream fixed in Redis, or side A's catalogue. */
export type HashedColumnsSource = 'config' | 'stream' | 'catalogue';

/**
 * The hashed columns, by the same rule as the stream (src/engine/entity-runtime.ts, compileEntity): chosen
 * columns minus excluded, plus the key, sorted by name. For `hash: all` the chosen columns are the
 * list the stream fixed (`streamColumns`) when there is one, else side A's catalogue.
 */
export function resolveHashedColumns(
  model: EntityModel,
  streamColumns: readonly string[] | null,
  catalogueA: ReadonlyMap<string, unknown>,
): { hashedColumns: string[]; source: HashedColumnsSource } {
  let chosen: readonly string[];
  let source: HashedColumnsSource;
  if (model.hashColumns !== 'all') [chosen, source] = [model.hashColumns, 'config'];
  else if (streamColumns !== null) [chosen, source] = [streamColumns, 'stream'];
  else [chosen, source] = [[...catalogueA.keys()], 'catalogue'];
  const excluded = new Set(model.excludeColumns);
  const picked = model.hashColumns === 'all' ? chosen.filter((c) => !excluded.has(c)) : chosen;
  const hashedColumns = [...new Set([...picked, ...model.key])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return { hashedColumns, source };
}
