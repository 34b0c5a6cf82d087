/**
 * What end-to-end tests check again and again: the stream state against the SQL twin of both
 * tables (the ground truth), and mismatch events in a readable form.
 */
import type pg from 'pg';
import type { ReconcilerConfig } from '../../src/config/index.ts';
import type { MismatchEvent } from '../../src/domain/mismatch-event.ts';
import { dayToIso, isoToDay } from '../../src/normalize/days.ts';
import type { RedisStateStore } from '../../src/state/redis/redis-state-store.ts';
import { DAYS, sqlDays } from './orders-data.ts';
import type { TestPipeline } from './pipeline.ts';
import { eventually } from './resources.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `opened missing_on_b 1:7`, `opened day_sum 2026-03-02 [amount]`: one line per event, for comparisons. */
export const label = (e: MismatchEvent) => `${e.type} ${e.kind} ${e.key?.value ?? e.day}${e.columns.length ? ` [${e.columns.join(',')}]` : ''}`;

export const opened = (events: MismatchEvent[]) => events.filter((e) => e.type === 'opened');

/**
 * Every per-day difference (count, amount sum, digest) between the stream state of each side and
 * the SQL twin of its table; empty when they are equal. `sqlOf` overrides which table is a side's truth.
 */
export async function stateVersusSql(
  p: TestPipeline,
  config: ReconcilerConfig,
  store: RedisStateStore,
  sqlOf: { a: pg.Client; b: pg.Client } = { a: p.a, b: p.b },
): Promise<string[]> {
  const problems: string[] = [];
  for (const side of ['a', 'b'] as const) {
    const sql = await sqlDays(sqlOf[side], p.table, config);
    const stream = await store.dayAggregates('orders', side, 1);
    for (const day of new Set([...DAYS.map(isoToDay), ...sql.keys(), ...stream.keys()])) {
      const s = sql.get(day);
      const r = stream.get(day);
      const want = `n=${s?.count ?? 0n} sum=${s?.sums[0] ?? 0n} digest=${s?.digest ?? 0n}`;
      const have = `n=${r?.count ?? 0n} sum=${r?.sums[0] ?? 0n} digest=${r?.digest ?? 0n}`;
      if (want !== have) problems.push(`side ${side} ${dayToIso(day)}: stream ${have}, SQL ${want}`);
    }
  }
  return problems;
}

/** Waits until the stream state of both sides equals the SQL twin; fails listing what still differs. */
export async function waitStateEqualsSql(
  p: TestPipeline,
  config: ReconcilerConfig,
  store: RedisStateStore,
  options: { timeoutMs?: number; sqlOf?: { a: pg.Client; b: pg.Client } } = {},
): Promise<void> {
  let last: string[] = [];
  try {
    await eventually(
      'stream state equal to the SQL twin on both sides',
      async () => ((last = await stateVersusSql(p, config, store, options.sqlOf)).length === 0 ? true : undefined),
      options.timeoutMs ?? 90_000,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; still different:\n${last.join('\n')}`);
  }
}
