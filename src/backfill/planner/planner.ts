/**
 * The backfill planner: gap windows (gap-finder.ts) become batches of N business days, each with a
 * deterministic id, de-duplicated against batches that are running or finished recently, and
 * checked against the guard rails of invariant 8 (maximum rows per batch and per window, approval
 * above a size, an allowlist of entities, a global dry run). Pure: a Clock is passed in, nothing is
 * executed, and the same input always yields the same plan (docs/backfill.md).
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../engine/ports.ts';
import { dayToIso } from '../../normalize/days.ts';
import type { GapDay, GapWindow } from './gap-finder.ts';

/** The playbook's batch size: a week of days per batch keeps each write bounded and each verification quick. */
export const DEFAULT_BATCH_DAYS = 7;

/**
 * A repair that finished this recently is given time to show up in B's stream before its days are
 * planned again: ten minutes covers CDC lag plus the grace period on a healthy pipeline.
 */
export const DEFAULT_COOL_DOWN_MS = 10 * 60_000;

export interface PlannerOptions {
  /** Business days per batch; a window's last batch may be shorter. */
  batchDays: number;
  /**
   * Base generation, part of every batch id. The planner raises it on its own for a day range whose
   * batch already succeeded (see `batchId`); raising it here re-plans every window under new ids.
   */
  generation: number;
  /** Successful batches that finished within this many ms of now exclude their days from planning. */
  coolDownMs: number;
  /** A batch above this many missing rows is split into fewer days; a single day above it is refused. */
  maxRowsPerBatch?: bigint;
  /** A window (the part still to plan) above this many missing rows is refused whole. */
  maxRowsPerWindow?: bigint;
  /** A window (the part still to plan) above this many missing rows needs a human's approval. */
  approvalAboveRows?: bigint;
  /** Entities whose windows may be repaired automatically; any other entity's batches are `not-allowed`. */
  allowlist: readonly string[];
  /** Plan and report, never execute: runnable batches get status `dry-run`. */
  dryRun: boolean;
}

/** Safe by default: no entity is allowlisted and no size is unlimited unless the caller says so. */
export const DEFAULT_PLANNER_OPTIONS: Readonly<PlannerOptions> = Object.freeze({
  batchDays: DEFAULT_BATCH_DAYS,
  generation: 0,
  coolDownMs: DEFAULT_COOL_DOWN_MS,
  allowlist: Object.freeze([]) as readonly string[],
  dryRun: false,
});

/** A batch the caller already knows of (from the executor or the audit log). */
export interface KnownBatch {
  id: string;
  entity: string;
  fromDay: number;
  toDay: number;
  generation: number;
  status: 'running' | 'succeeded' | 'failed';
  /** Running: when it started; succeeded or failed: when it finished (ms since the epoch). */
  atMs: number;
}

/**
 * What happens to a planned batch, in order of precedence:
 *  - refused: a guard rail forbids it (a single day above maxRowsPerBatch);
 *  - not-allowed: the entity is not on the allowlist for automatic repair;
 *  - dry-run: it would run, but the planner runs in dry-run mode;
 *  - pending-approval: it waits for a human (its window is above approvalAboveRows);
 *  - ready: it may run.
 * `reasons` lists every guard rail that applied, also those a higher status hides.
 */
export type BatchStatus = 'ready' | 'dry-run' | 'pending-approval' | 'not-allowed' | 'refused';

export interface PlannedBatch {
  /** hash(entity, fromDay, toDay, generation): the same batch keeps its id across retries and re-plans. */
  id: string;
  entity: string;
  fromDay: number;
  toDay: number;
  generation: number;
  /** The batch's gap days, in order (consecutive). */
  days: GapDay[];
  rowsMissing: bigint;
  status: BatchStatus;
  reasons: string[];
  /** A known batch with this id failed: running it again is a retry. */
  retry: boolean;
}

/** Days of a window that a recently successful batch covered, and that are still short on B. */
export interface RecentRepair {
  fromDay: number;
  toDay: number;
  rowsMissing: bigint;
  batchId: string;
  finishedAtMs: number;
}

/**
 * What became of one window:
 *  - planned: `batches` holds its batches (some days may still be listed in `recentlyRepaired`);
 *  - in-progress: it overlaps a running batch (`runningBatchIds`); nothing is planned for it;
 *  - recently-repaired: every day was covered by a batch that succeeded within the cool-down and is
 *    still short: the repair did not (yet) fix it; nothing is planned until the cool-down ends;
 *  - refused: the part to plan is above maxRowsPerWindow (`reason`); nothing is planned.
 */
export type WindowState = 'planned' | 'in-progress' | 'recently-repaired' | 'refused';

export interface WindowPlan {
  entity: string;
  fromDay: number;
  toDay: number;
  rowsMissing: bigint;
  state: WindowState;
  reason?: string;
  batches: PlannedBatch[];
  recentlyRepaired: RecentRepair[];
  runningBatchIds: string[];
}

export interface PlanInput {
  entity: string;
  windows: readonly GapWindow[];
  known: readonly KnownBatch[];
  options: PlannerOptions;
  clock: Clock;
}

export type PlannerErrorCode = 'RECON_BACKFILL_BAD_OPTIONS' | 'RECON_BACKFILL_BAD_WINDOW';

export class PlannerError extends Error {
  override readonly name = 'PlannerError';
  readonly code: PlannerErrorCode;
  /** Planning is deterministic: the same input fails the same way on every retry. */
  readonly retriable = false;
  constructor(code: PlannerErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The batch id: the first 128 bits of SHA-256 over entity, day range and generation, as hex. */
export function batchId(entity: string, fromDay: number, toDay: number, generation: number): string {
  return createHash('sha256').update(`${entity}\u0000${fromDay}\u0000${toDay}\u0000${generation}`).digest('hex').slice(0, 32);
}

export function planBackfill(input: PlanInput): WindowPlan[] {
  const { entity, options } = input;
  checkOptions(options);
  const nowMs = input.clock.nowMs();
  const known = input.known.filter((k) => k.entity === entity);
  const running = known.filter((k) => k.status === 'running');
  const recent = known
    .filter((k) => k.status === 'succeeded' && nowMs - k.atMs <= options.coolDownMs)
    // Newest first, then by id: the batch a day is attributed to does not depend on the input's order.
    .sort((x, y) => y.atMs - x.atMs || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const windows = [...input.windows].sort((x, y) => x.fromDay - y.fromDay);
  windows.forEach((w, i) => {
    checkWindow(w);
    const previous = windows[i - 1];
    if (previous !== undefined && previous.toDay >= w.fromDay) {
      throw new PlannerError('RECON_BACKFILL_BAD_WINDOW', `windows ${previous.fromDay}..${previous.toDay} and ${w.fromDay}..${w.toDay} overlap`);
    }
  });
  return windows.map((w) => planWindow(entity, w, known, running, recent, options));
}

function planWindow(
  entity: string,
  window: GapWindow,
  known: readonly KnownBatch[],
  running: readonly KnownBatch[],
  recent: readonly KnownBatch[],
  options: PlannerOptions,
): WindowPlan {
  const plan: WindowPlan = {
    entity,
    fromDay: window.fromDay,
    toDay: window.toDay,
    rowsMissing: window.rowsMissing,
    state: 'planned',
    batches: [],
    recentlyRepaired: [],
    runningBatchIds: running.filter((r) => overlaps(r, window)).map((r) => r.id).sort(),
  };
  if (plan.runningBatchIds.length > 0) return { ...plan, state: 'in-progress' };

  // Days covered by a recent success are reported, not planned; the rest form runs to plan.
  const runs: GapDay[][] = [];
  let run: GapDay[] = [];
  let repair: RecentRepair | undefined;
  for (const day of window.days) {
    const by = recent.find((r) => r.fromDay <= day.day && day.day <= r.toDay);
    if (by === undefined) {
      repair = undefined;
      run.push(day);
      continue;
    }
    if (run.length > 0) runs.push(run);
    run = [];
    if (repair?.batchId === by.id) {
      repair.toDay = day.day;
      repair.rowsMissing += day.missing;
    } else {
      repair = { fromDay: day.day, toDay: day.day, rowsMissing: day.missing, batchId: by.id, finishedAtMs: by.atMs };
      plan.recentlyRepaired.push(repair);
    }
  }
  if (run.length > 0) runs.push(run);
  if (runs.length === 0) return { ...plan, state: 'recently-repaired' };

  const toPlan = runs.flat().reduce((sum, d) => sum + d.missing, 0n);
  if (options.maxRowsPerWindow !== undefined && toPlan > options.maxRowsPerWindow) {
    return { ...plan, state: 'refused', reason: `the window misses ${toPlan} rows, above maxRowsPerWindow ${options.maxRowsPerWindow}` };
  }
  const rails: WindowRails = {
    notAllowed: !options.allowlist.includes(entity),
    needsApproval: options.approvalAboveRows !== undefined && toPlan > options.approvalAboveRows,
    reasons: [],
  };
  if (rails.notAllowed) rails.reasons.push(`entity '${entity}' is not on the allowlist for automatic repair`);
  if (options.dryRun) rails.reasons.push('dry run');
  if (rails.needsApproval) rails.reasons.push(`the window misses ${toPlan} rows, above approvalAboveRows ${options.approvalAboveRows}`);
  for (const days of runs) {
    for (const chunk of chunkDays(days, options)) plan.batches.push(batchOf(entity, chunk, known, options, rails));
  }
  return plan;
}

/**
 * Cuts consecutive days into batches of at most `batchDays` days, in order, each ending early where
 * the next day would take it above maxRowsPerBatch. A single day above it becomes a batch of its own
 * (refused by batchOf). Without a row limit, or under it, the batches are plain N-day chunks.
 */
function chunkDays(days: readonly GapDay[], options: PlannerOptions): GapDay[][] {
  const chunks: GapDay[][] = [];
  let chunk: GapDay[] = [];
  let rows = 0n;
  for (const day of days) {
    const full = chunk.length >= options.batchDays;
    const tooBig = options.maxRowsPerBatch !== undefined && chunk.length > 0 && rows + day.missing > options.maxRowsPerBatch;
    if (full || tooBig) {
      chunks.push(chunk);
      chunk = [];
      rows = 0n;
    }
    chunk.push(day);
    rows += day.missing;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** The guard rails that hold for every batch of a window. */
interface WindowRails {
  notAllowed: boolean;
  needsApproval: boolean;
  reasons: string[];
}

function batchOf(entity: string, days: GapDay[], known: readonly KnownBatch[], options: PlannerOptions, rails: WindowRails): PlannedBatch {
  const fromDay = days[0]!.day;
  const toDay = days[days.length - 1]!.day;
  // A range that already succeeded under some generation gets the next one: a new attempt after a
  // repair that did not fix must not share the id of the batch an executor already counts as done.
  const done = known.filter((k) => k.status === 'succeeded' && k.fromDay === fromDay && k.toDay === toDay).map((k) => k.generation + 1);
  const generation = Math.max(options.generation, ...done);
  const id = batchId(entity, fromDay, toDay, generation);
  const rowsMissing = days.reduce((sum, d) => sum + d.missing, 0n);
  const tooBig = options.maxRowsPerBatch !== undefined && rowsMissing > options.maxRowsPerBatch;
  const reasons = [
    ...(tooBig ? [`day ${dayToIso(fromDay)} alone misses ${rowsMissing} rows, above maxRowsPerBatch ${options.maxRowsPerBatch}`] : []),
    ...rails.reasons,
  ];
  const status: BatchStatus = tooBig
    ? 'refused'
    : rails.notAllowed
      ? 'not-allowed'
      : options.dryRun
        ? 'dry-run'
        : rails.needsApproval
          ? 'pending-approval'
          : 'ready';
  const retry = known.some((k) => k.id === id && k.status === 'failed');
  return { id, entity, fromDay, toDay, generation, days, rowsMissing, status, reasons, retry };
}

function overlaps(k: { fromDay: number; toDay: number }, w: { fromDay: number; toDay: number }): boolean {
  return k.fromDay <= w.toDay && w.fromDay <= k.toDay;
}

function checkOptions(o: PlannerOptions): void {
  const bad = (field: string, rule: string) => new PlannerError('RECON_BACKFILL_BAD_OPTIONS', `${field} ${rule}`);
  if (!Number.isSafeInteger(o.batchDays) || o.batchDays < 1) throw bad('batchDays', 'must be a whole number >= 1');
  if (!Number.isSafeInteger(o.generation) || o.generation < 0) throw bad('generation', 'must be a whole number >= 0');
  if (!Number.isSafeInteger(o.coolDownMs) || o.coolDownMs < 0) throw bad('coolDownMs', 'must be a whole number of ms >= 0');
  for (const field of ['maxRowsPerBatch', 'maxRowsPerWindow', 'approvalAboveRows'] as const) {
    const v = o[field];
    if (v !== undefined && (typeof v !== 'bigint' || v < 1n)) throw bad(field, 'must be a bigint >= 1 when set');
  }
}

function checkWindow(w: GapWindow): void {
  const bad = (rule: string) => new PlannerError('RECON_BACKFILL_BAD_WINDOW', `window ${w.fromDay}..${w.toDay}: ${rule}`);
  if (w.days.length !== w.toDay - w.fromDay + 1 || w.days.some((d, i) => d.day !== w.fromDay + i)) throw bad('its days must be consecutive from fromDay to toDay');
  if (w.days.reduce((s, d) => s + d.missing, 0n) !== w.rowsMissing) throw bad('rowsMissing must be the sum of its days');
}
