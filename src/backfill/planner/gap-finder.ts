/**
 * The gap finder: from both sides' per-day aggregates, the windows of business days that side B
 * lacks (no rows) or holds too few rows of (fewer than A beyond the count tolerance). These windows
 * are the backfill planner's input. Pure: plain data in, plain data out, exact integers throughout.
 *
 * Rules (docs/backfill.md):
 *  - a day is a gap day when it is decided, A has rows on it, and B has none or fewer than A by
 *    more than the count tolerance (B holding more rows than A is not something a backfill of B repairs);
 *  - a window is a maximal run of consecutive gap days;
 *  - a day without rows on A (absent on both sides, or only on B), a day within tolerance and an
 *    undecided day are not gap days, and each ends a run;
 *  - undecided days that would otherwise be gap days are listed apart, so callers can say so.
 */
import { type Tolerance, withinTolerance } from '../../compare/verdicts.ts';
import type { DayAggregate } from '../../domain/state.ts';

/** How a gap day falls short on B. */
export type GapKind =
  /** A has rows, B has none: the playbook's missing date. */
  | 'missing'
  /** B has rows, but fewer than A beyond the count tolerance. */
  | 'deficient';

export interface GapDay {
  /** Business day (days since 1970-01-01). */
  day: number;
  kind: GapKind;
  countA: bigint;
  countB: bigint;
  /** countA − countB: the rows a backfill of this day is expected to bring to B. */
  missing: bigint;
}

export interface GapWindow {
  /** First and last business day of the window, inclusive. */
  fromDay: number;
  toDay: number;
  /** Every day of the window, in order (toDay − fromDay + 1 entries). */
  days: GapDay[];
  /** Σ missing over the days: the size estimate the planner's guard rails use. */
  rowsMissing: bigint;
}

/** The judge's verdict status of a day (src/engine/judge.ts). */
export type DayVerdictStatus = 'match' | 'mismatch' | 'unsettled';

export interface GapInput {
  /** Per-day aggregates of side A and side B; a day absent from a map has no rows on that side. */
  a: ReadonlyMap<number, DayAggregate>;
  b: ReadonlyMap<number, DayAggregate>;
  /**
   * Whether a day is decided: both watermarks have passed its differences plus the grace period.
   * See `decidedByVerdicts` for the judge's verdicts.
   */
  decided: (day: number) => boolean;
  /** The entity's per-day count tolerance (the same one the judge applies). */
  countTolerance: Tolerance;
}

export interface GapReport {
  /** Disjoint windows in day order. */
  windows: GapWindow[];
  /** Days that would be gap days but are not decided yet, in order. */
  undecidedDays: number[];
}

/**
 * A `decided` predicate from the judge's verdict statuses: a day judged `match` or `mismatch` is
 * decided; an `unsettled` day (differences still in flight) and a day never judged are not.
 */
export function decidedByVerdicts(statuses: ReadonlyMap<number, DayVerdictStatus>): (day: number) => boolean {
  return (day) => {
    const status = statuses.get(day);
    return status === 'match' || status === 'mismatch';
  };
}

/** The gap kind of one day, or undefined when B is not short of A on it. */
export function gapKind(countA: bigint, countB: bigint, countTolerance: Tolerance): GapKind | undefined {
  if (countA <= 0n) return undefined;
  // The judge reports rows-on-A-none-on-B as a missing window whatever the tolerance (compareDay).
  if (countB <= 0n) return 'missing';
  if (countB < countA && !withinTolerance(countA, countB, countTolerance)) return 'deficient';
  return undefined;
}

export function findGaps(input: GapInput): GapReport {
  const windows: GapWindow[] = [];
  const undecidedDays: number[] = [];
  let current: GapWindow | undefined;
  // Only days with rows on A can be gap days; iterating them in order finds the runs.
  const days = [...input.a.keys()].sort((x, y) => x - y);
  for (const day of days) {
    const countA = input.a.get(day)?.count ?? 0n;
    const countB = input.b.get(day)?.count ?? 0n;
    const kind = gapKind(countA, countB, input.countTolerance);
    if (kind === undefined) {
      current = undefined;
      continue;
    }
    if (!input.decided(day)) {
      undecidedDays.push(day);
      current = undefined;
      continue;
    }
    const gap: GapDay = { day, kind, countA, countB, missing: countA - countB };
    if (current !== undefined && current.toDay === day - 1) {
      current.days.push(gap);
      current.toDay = day;
      current.rowsMissing += gap.missing;
    } else {
      current = { fromDay: day, toDay: day, days: [gap], rowsMissing: gap.missing };
      windows.push(current);
    }
  }
  return { windows, undecidedDays };
}
