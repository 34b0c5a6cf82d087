/**
 * The backfill planner without any server: N-day batches in day order, ids stable across re-plans
 * and retries, de-duplication against running and recently successful batches, and the guard rails
 * (rows per batch and per window, approval, allowlist, dry run). A fixed Clock, no Date.now().
 */
import { describe, expect, test } from 'vitest';
import type { GapDay, GapWindow } from '../../src/backfill/planner/gap-finder.ts';
import {
  DEFAULT_PLANNER_OPTIONS,
  type KnownBatch,
  type PlannerOptions,
  type WindowPlan,
  batchId,
  planBackfill,
} from '../../src/backfill/planner/planner.ts';
import { isoToDay } from '../../src/normalize/days.ts';

const NOW = 1_700_000_000_000;
const clock = { nowMs: () => NOW };
const D = isoToDay('2024-01-01');

/** A window of consecutive days from `from`, one entry of missing rows per day. */
function window(from: number, missing: bigint[]): GapWindow {
  const days: GapDay[] = missing.map((m, i) => ({ day: from + i, kind: 'missing', countA: m, countB: 0n, missing: m }));
  return { fromDay: from, toDay: from + missing.length - 1, days, rowsMissing: missing.reduce((s, m) => s + m, 0n) };
}
const ones = (n: number) => Array.from({ length: n }, () => 1n);

function plan(windows: GapWindow[], over: Partial<PlannerOptions> = {}, known: KnownBatch[] = [], entity = 'orders'): WindowPlan[] {
  return planBackfill({ entity, windows, known, options: { ...DEFAULT_PLANNER_OPTIONS, allowlist: ['orders'], ...over }, clock });
}
const ranges = (p: WindowPlan) => p.batches.map((b) => [b.fromDay - D, b.toDay - D, b.rowsMissing]);

describe('batches', () => {
  test('a window becomes batches of 7 days in day order, the last one shorter', () => {
    const [p] = plan([window(D, ones(17))]);
    expect(p!.state).toBe('planned');
    expect(ranges(p!)).toEqual([
      [0, 6, 7n],
      [7, 13, 7n],
      [14, 16, 3n],
    ]);
    expect(p!.batches.map((b) => b.days.length)).toEqual([7, 7, 3]);
    expect(p!.batches.every((b) => b.status === 'ready' && b.reasons.length === 0 && !b.retry)).toBe(true);
  });

  test('batchDays is honoured; a window exactly N days long is one batch; windows come out in day order', () => {
    const plans = plan([window(D + 20, ones(3)), window(D, ones(6))], { batchDays: 3 });
    expect(plans.map((p) => ranges(p))).toEqual([
      [
        [0, 2, 3n],
        [3, 5, 3n],
      ],
      [[20, 22, 3n]],
    ]);
    expect(ranges(plan([window(D, ones(7))])[0]!)).toEqual([[0, 6, 7n]]);
  });

  test('the rows missing of a batch are the exact sum of its days', () => {
    const big = 2n ** 62n;
    const [p] = plan([window(D, [big, big, 1n])], { batchDays: 2 });
    expect(p!.batches.map((b) => b.rowsMissing)).toEqual([2n * big, 1n]);
  });
});

describe('ids', () => {
  test('an id is hash(entity, fromDay, toDay, generation): the same on every plan, different when any part differs', () => {
    const first = plan([window(D, ones(10))]);
    const again = plan([window(D, ones(10))]);
    expect(again).toEqual(first);
    const ids = first[0]!.batches.map((b) => b.id);
    expect(ids).toEqual([batchId('orders', D, D + 6, 0), batchId('orders', D + 7, D + 9, 0)]);
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set([batchId('orders', D, D + 6, 0), batchId('other', D, D + 6, 0), batchId('orders', D + 1, D + 6, 0), batchId('orders', D, D + 5, 0), batchId('orders', D, D + 6, 1)]).size).toBe(5);
    expect(plan([window(D, ones(3))], { generation: 4 })[0]!.batches[0]).toMatchObject({ generation: 4, id: batchId('orders', D, D + 2, 4) });
  });

  test('a batch that failed keeps its id when planned again, flagged as a retry', () => {
    const id = batchId('orders', D, D + 2, 0);
    const failed: KnownBatch = { id, entity: 'orders', fromDay: D, toDay: D + 2, generation: 0, status: 'failed', atMs: NOW - 1_000 };
    const [p] = plan([window(D, ones(3))], {}, [failed]);
    expect(p!.batches.map((b) => [b.id, b.retry, b.status])).toEqual([[id, true, 'ready']]);
  });

  test('a range that already succeeded is planned again (after the cool-down) under the next generation, so under a new id', () => {
    const succeeded: KnownBatch = {
      id: batchId('orders', D, D + 2, 0), entity: 'orders', fromDay: D, toDay: D + 2, generation: 0, status: 'succeeded', atMs: NOW - 3_600_000,
    };
    const [p] = plan([window(D, ones(3))], {}, [succeeded]);
    expect(p!.batches.map((b) => [b.generation, b.id])).toEqual([[1, batchId('orders', D, D + 2, 1)]]);
  });
});

describe('de-duplication against known batches', () => {
  const known = (over: Partial<KnownBatch>): KnownBatch => ({
    id: 'k', entity: 'orders', fromDay: D, toDay: D + 6, generation: 0, status: 'running', atMs: NOW - 1_000, ...over,
  });

  test('a window overlapping a running batch is not planned again', () => {
    const plans = plan([window(D, ones(10)), window(D + 20, ones(2))], {}, [known({ id: 'run-1', fromDay: D + 9, toDay: D + 15 })]);
    expect(plans[0]).toMatchObject({ state: 'in-progress', batches: [], runningBatchIds: ['run-1'] });
    expect(plans[1]).toMatchObject({ state: 'planned', runningBatchIds: [] });
    expect(ranges(plans[1]!)).toEqual([[20, 21, 2n]]);
  });

  test('batches of other entities do not count', () => {
    const [p] = plan([window(D, ones(3))], {}, [known({ entity: 'payments' }), known({ entity: 'payments', status: 'succeeded' })]);
    expect(p!.state).toBe('planned');
    expect(p!.recentlyRepaired).toEqual([]);
  });

  test('days repaired by a batch that succeeded within the cool-down are reported as recently-repaired, not planned', () => {
    const repaired = known({ id: 'ok-1', fromDay: D - 3, toDay: D + 1, status: 'succeeded', atMs: NOW - 60_000 });
    const [whole] = plan([window(D, [4n, 5n])], {}, [repaired]);
    expect(whole).toMatchObject({
      state: 'recently-repaired',
      batches: [],
      recentlyRepaired: [{ fromDay: D, toDay: D + 1, rowsMissing: 9n, batchId: 'ok-1', finishedAtMs: NOW - 60_000 }],
    });
    // Only some days covered: those are reported, the rest is planned around them.
    const [part] = plan([window(D - 5, ones(10))], {}, [repaired]);
    expect(part!.state).toBe('planned');
    expect(part!.recentlyRepaired).toEqual([{ fromDay: D - 3, toDay: D + 1, rowsMissing: 5n, batchId: 'ok-1', finishedAtMs: NOW - 60_000 }]);
    expect(ranges(part!)).toEqual([
      [-5, -4, 2n],
      [2, 4, 3n],
    ]);
  });

  test('after the cool-down, or when the batch failed, its days are planned again', () => {
    const coolDownMs = 600_000;
    const old = known({ id: 'ok-old', status: 'succeeded', atMs: NOW - coolDownMs - 1 });
    const edge = known({ id: 'ok-edge', status: 'succeeded', atMs: NOW - coolDownMs });
    const failed = known({ id: 'failed', status: 'failed' });
    expect(plan([window(D, ones(7))], { coolDownMs }, [old])[0]!.state).toBe('planned');
    expect(plan([window(D, ones(7))], { coolDownMs }, [failed])[0]!.state).toBe('planned');
    expect(plan([window(D, ones(7))], { coolDownMs }, [edge])[0]!.state).toBe('recently-repaired');
  });

  test('the newest success is named when two cover a day, whatever their order in the input', () => {
    const older = known({ id: 'ok-a', status: 'succeeded', atMs: NOW - 5_000 });
    const newer = known({ id: 'ok-b', status: 'succeeded', atMs: NOW - 1_000 });
    for (const list of [[older, newer], [newer, older]]) {
      expect(plan([window(D, ones(2))], {}, list)[0]!.recentlyRepaired.map((r) => r.batchId)).toEqual(['ok-b']);
    }
  });
});

describe('guard rails', () => {
  test('a batch above maxRowsPerBatch is split into fewer days; a single day above it is refused with a reason', () => {
    const [p] = plan([window(D, [40n, 40n, 30n, 150n, 10n, 10n, 10n, 10n, 10n])], { maxRowsPerBatch: 100n });
    expect(p!.batches.map((b) => [b.fromDay - D, b.toDay - D, b.rowsMissing, b.status])).toEqual([
      [0, 1, 80n, 'ready'],
      [2, 2, 30n, 'ready'],
      [3, 3, 150n, 'refused'],
      [4, 8, 50n, 'ready'],
    ]);
    expect(p!.batches[2]!.reasons[0]).toBe('day 2024-01-04 alone misses 150 rows, above maxRowsPerBatch 100');
    // Under the limit the cuts are the plain N-day ones.
    expect(ranges(plan([window(D, ones(9))], { maxRowsPerBatch: 7n })[0]!)).toEqual([
      [0, 6, 7n],
      [7, 8, 2n],
    ]);
  });

  test('a window above maxRowsPerWindow is refused whole, with a reason; at the limit it is planned', () => {
    const [refused] = plan([window(D, [5n, 6n])], { maxRowsPerWindow: 10n });
    expect(refused).toMatchObject({ state: 'refused', batches: [], reason: 'the window misses 11 rows, above maxRowsPerWindow 10' });
    expect(plan([window(D, [5n, 5n])], { maxRowsPerWindow: 10n })[0]!.state).toBe('planned');
  });

  test('the window limit counts only the days still to plan, not those recently repaired', () => {
    const repaired: KnownBatch = { id: 'ok', entity: 'orders', fromDay: D, toDay: D, generation: 0, status: 'succeeded', atMs: NOW };
    const [p] = plan([window(D, [100n, 5n])], { maxRowsPerWindow: 10n }, [repaired]);
    expect(p!.state).toBe('planned');
    expect(ranges(p!)).toEqual([[1, 1, 5n]]);
  });

  test('a window above approvalAboveRows needs approval: all its batches are pending-approval', () => {
    const plans = plan([window(D, ones(10)), window(D + 20, ones(3))], { approvalAboveRows: 5n });
    expect(plans[0]!.batches.map((b) => b.status)).toEqual(['pending-approval', 'pending-approval']);
    expect(plans[0]!.batches[0]!.reasons).toEqual(['the window misses 10 rows, above approvalAboveRows 5']);
    expect(plans[1]!.batches.map((b) => b.status)).toEqual(['ready']);
  });

  test('an entity not on the allowlist gets not-allowed batches; the default allowlist is empty', () => {
    const [p] = plan([window(D, ones(3))], {}, [], 'payments');
    expect(p!.batches.map((b) => [b.status, b.reasons])).toEqual([['not-allowed', ["entity 'payments' is not on the allowlist for automatic repair"]]]);
    const [byDefault] = planBackfill({ entity: 'orders', windows: [window(D, ones(1))], known: [], options: DEFAULT_PLANNER_OPTIONS, clock });
    expect(byDefault!.batches[0]!.status).toBe('not-allowed');
  });

  test('dry run: batches that would run or wait for approval are dry-run; the rails that applied stay in reasons', () => {
    const [p] = plan([window(D, [1n, 1n, 200n])], { dryRun: true, approvalAboveRows: 100n, maxRowsPerBatch: 150n, batchDays: 2 });
    expect(p!.batches.map((b) => [b.status, b.reasons])).toEqual([
      ['dry-run', ['dry run', 'the window misses 202 rows, above approvalAboveRows 100']],
      ['refused', ['day 2024-01-03 alone misses 200 rows, above maxRowsPerBatch 150', 'dry run', 'the window misses 202 rows, above approvalAboveRows 100']],
    ]);
    expect(plan([window(D, ones(1))], { dryRun: true }, [], 'payments')[0]!.batches[0]!.status).toBe('not-allowed');
  });

  test('invalid options and inconsistent windows are refused with a code', () => {
    const bad = (over: Partial<PlannerOptions>) => () => plan([window(D, ones(1))], over);
    expect(bad({ batchDays: 0 })).toThrow(expect.objectContaining({ code: 'RECON_BACKFILL_BAD_OPTIONS' }));
    expect(bad({ batchDays: 1.5 })).toThrow(expect.objectContaining({ code: 'RECON_BACKFILL_BAD_OPTIONS' }));
    expect(bad({ maxRowsPerBatch: 0n })).toThrow(expect.objectContaining({ code: 'RECON_BACKFILL_BAD_OPTIONS' }));
    expect(bad({ generation: -1 })).toThrow(expect.objectContaining({ code: 'RECON_BACKFILL_BAD_OPTIONS' }));
    const w = window(D, ones(3));
    expect(() => plan([{ ...w, rowsMissing: 4n }])).toThrow(expect.objectContaining({ code: 'RECON_BACKFILL_BAD_WINDOW' }));
    expect(() => plan([{ ...w, toDay: D + 3 }])).toThrow(expect.objectContaining({ code: 'RECON_BACKFILL_BAD_WINDOW' }));
    expect(() => plan([w, window(D + 2, ones(2))])).toThrow(expect.objectContaining({ code: 'RECON_BACKFILL_BAD_WINDOW' }));
  });

  test('the planner reads time only from the clock it is given', () => {
    const repaired: KnownBatch = { id: 'ok', entity: 'orders', fromDay: D, toDay: D, generation: 0, status: 'succeeded', atMs: 1_000 };
    const at = (nowMs: number) =>
      planBackfill({ entity: 'orders', windows: [window(D, ones(1))], known: [repaired], options: { ...DEFAULT_PLANNER_OPTIONS, allowlist: ['orders'], coolDownMs: 500 }, clock: { nowMs: () => nowMs } })[0]!.state;
    expect([at(1_200), at(1_500), at(1_501)]).toEqual(['recently-repaired', 'recently-repaired', 'planned']);
  });
});
