/**
 * The gap finder's rules, without any server: runs of consecutive missing or deficient days, the
 * count tolerance, undecided days, days A does not have, and exact counts beyond 2^53.
 */
import { describe, expect, test } from 'vitest';
import { type GapReport, decidedByVerdicts, findGaps, gapKind } from '../../src/backfill/planner/gap-finder.ts';
import { EXACT, tolerance } from '../../src/compare/verdicts.ts';
import type { DayAggregate } from '../../src/domain/state.ts';

const agg = (count: bigint): DayAggregate => ({ count, digest: 0n, sums: [] });
const side = (counts: Record<number, bigint>): Map<number, DayAggregate> =>
  new Map(Object.entries(counts).map(([day, n]) => [Number(day), agg(n)]));
const all = () => true;

/** Windows as [from, to, rowsMissing] and the kinds per day, for compact assertions. */
function shape(r: GapReport) {
  return r.windows.map((w) => [w.fromDay, w.toDay, w.rowsMissing, w.days.map((d) => d.kind[0]).join('')]);
}

describe('findGaps', () => {
  test('consecutive days without rows on B form one window; a matching day ends it', () => {
    const a = side({ 10: 5n, 11: 2n, 12: 3n, 13: 4n, 14: 1n, 15: 6n });
    const b = side({ 10: 5n, 14: 1n });
    const r = findGaps({ a, b, decided: all, countTolerance: EXACT });
    expect(shape(r)).toEqual([
      [11, 13, 9n, 'mmm'],
      [15, 15, 6n, 'm'],
    ]);
    expect(r.windows[0]!.days).toEqual([
      { day: 11, kind: 'missing', countA: 2n, countB: 0n, missing: 2n },
      { day: 12, kind: 'missing', countA: 3n, countB: 0n, missing: 3n },
      { day: 13, kind: 'missing', countA: 4n, countB: 0n, missing: 4n },
    ]);
    expect(r.undecidedDays).toEqual([]);
  });

  test('deficient days (fewer rows on B beyond the tolerance) join missing days in one run', () => {
    const a = side({ 1: 10n, 2: 10n, 3: 10n, 4: 10n });
    const b = side({ 1: 9n, 3: 4n, 4: 10n });
    const r = findGaps({ a, b, decided: all, countTolerance: EXACT });
    expect(shape(r)).toEqual([[1, 3, 1n + 10n + 6n, 'dmd']]);
    expect(r.windows[0]!.days[2]).toEqual({ day: 3, kind: 'deficient', countA: 10n, countB: 4n, missing: 6n });
  });

  test('a shortfall within the count tolerance is not a gap and splits a run; no rows on B is a gap whatever the tolerance', () => {
    const a = side({ 1: 100n, 2: 100n, 3: 100n, 4: 100n, 5: 1n });
    const b = side({ 1: 98n, 2: 97n, 3: 90n });
    // absolute 2 rows, or 5% of A: day 1 (2 short) and day 2 (3% short) are tolerated, day 3 (10%) is not.
    const r = findGaps({ a, b, decided: all, countTolerance: tolerance(2, 5) });
    expect(shape(r)).toEqual([[3, 5, 10n + 100n + 1n, 'dmm']]);
    expect(gapKind(100n, 0n, tolerance(1000, 100))).toBe('missing');
    expect(gapKind(100n, 95n, tolerance(0, '5'))).toBeUndefined();
    expect(gapKind(100n, 94n, tolerance(0, '5'))).toBe('deficient');
    expect(gapKind(100n, 94n, tolerance(0, '6.000001'))).toBeUndefined();
  });

  test('more rows on B than on A is not something a backfill of B repairs: not a gap', () => {
    const r = findGaps({ a: side({ 1: 3n, 2: 3n, 3: 3n }), b: side({ 2: 5n }), decided: all, countTolerance: EXACT });
    expect(shape(r)).toEqual([
      [1, 1, 3n, 'm'],
      [3, 3, 3n, 'm'],
    ]);
  });

  test('a day A does not have (no rows on either side, or rows only on B) is not a gap and breaks a run', () => {
    const a = side({ 1: 1n, 2: 1n, 4: 1n, 6: 1n, 7: 0n, 8: 1n });
    const b = side({ 5: 3n });
    const r = findGaps({ a, b, decided: all, countTolerance: EXACT });
    // day 3: nowhere; day 5: only on B; day 7: A's rows all deleted (count 0).
    expect(shape(r)).toEqual([
      [1, 2, 2n, 'mm'],
      [4, 4, 1n, 'm'],
      [6, 6, 1n, 'm'],
      [8, 8, 1n, 'm'],
    ]);
  });

  test('undecided days are excluded, break runs and are listed apart; decided days still form windows', () => {
    const a = side({ 1: 1n, 2: 1n, 3: 1n, 4: 1n, 5: 1n, 6: 1n });
    const b = side({ 6: 1n });
    const statuses = new Map([
      [1, 'mismatch'],
      [2, 'mismatch'],
      [3, 'unsettled'],
      [4, 'mismatch'],
      // 5: never judged
      [6, 'match'],
    ] as const);
    const r = findGaps({ a, b, decided: decidedByVerdicts(statuses), countTolerance: EXACT });
    expect(shape(r)).toEqual([
      [1, 2, 2n, 'mm'],
      [4, 4, 1n, 'm'],
    ]);
    expect(r.undecidedDays).toEqual([3, 5]);
  });

  test('an undecided day that is not short on B is not listed as undecided', () => {
    const r = findGaps({ a: side({ 1: 1n }), b: side({ 1: 1n }), decided: () => false, countTolerance: EXACT });
    expect(r).toEqual({ windows: [], undecidedDays: [] });
  });

  test('counts and rows missing are exact beyond 2^53, and the input order of days does not matter', () => {
    const big = 2n ** 60n + 1n;
    const a = new Map([
      [21, agg(big)],
      [20, agg(big)],
    ]);
    const b = new Map([[21, agg(big - 3n)]]);
    const r = findGaps({ a, b, decided: all, countTolerance: EXACT });
    expect(r.windows).toEqual([
      {
        fromDay: 20,
        toDay: 21,
        rowsMissing: big + 3n,
        days: [
          { day: 20, kind: 'missing', countA: big, countB: 0n, missing: big },
          { day: 21, kind: 'deficient', countA: big, countB: big - 3n, missing: 3n },
        ],
      },
    ]);
    // 0.000001% of 2^60 rows is about 11.5 billion rows: one row short is within it, computed exactly.
    expect(gapKind(big, big - 1n, tolerance(0, '0.000001'))).toBeUndefined();
    expect(gapKind(big, big - 1n, EXACT)).toBe('deficient');
  });

  test('no rows anywhere: no windows', () => {
    expect(findGaps({ a: new Map(), b: new Map(), decided: all, countTolerance: EXACT })).toEqual({ windows: [], undecidedDays: [] });
  });
});
