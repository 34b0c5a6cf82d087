import { describe, expect, test } from 'vitest';
import { EXACT, classifyKey, compareDay, parseScaled, tolerance, withinTolerance } from '../../src/compare/verdicts.ts';
import type { DayAggregate, KeyState } from '../../src/domain/state.ts';

const cols = ['amount', 'email', 'status'];
const present = (rowHash: bigint, fp: number[]): KeyState => ({ present: true, version: 1n, day: 1, rowHash, fingerprints: new Uint8Array(fp) });
const gone: KeyState = { present: false, version: 2n };

describe('classifyKey', () => {
  test('missing on either side, including a side that deleted the row', () => {
    expect(classifyKey(present(1n, [0, 0, 0, 0, 0, 0]), undefined, cols)?.kind).toBe('missing_on_b');
    expect(classifyKey(present(1n, [0, 0, 0, 0, 0, 0]), gone, cols)?.kind).toBe('missing_on_b');
    expect(classifyKey(gone, present(1n, [0, 0, 0, 0, 0, 0]), cols)?.kind).toBe('missing_on_a');
  });

  test('a value mismatch names exactly the columns whose fingerprints differ', () => {
    const f = classifyKey(present(1n, [1, 2, 3, 4, 5, 6]), present(2n, [1, 9, 3, 4, 5, 7]), cols);
    expect(f).toEqual({ kind: 'value_mismatch', columns: ['amount', 'status'] });
  });

  test('agreement: both absent, both deleted, or the same hash', () => {
    expect(classifyKey(undefined, undefined, cols)).toBeUndefined();
    expect(classifyKey(gone, undefined, cols)).toBeUndefined();
    expect(classifyKey(present(5n, [1, 1, 1, 1, 1, 1]), present(5n, [1, 1, 1, 1, 1, 1]), cols)).toBeUndefined();
  });
});

describe('tolerances, exact', () => {
  test('decimal text to scaled integers, refusing extra digits', () => {
    expect(parseScaled('12.5', 2)).toBe(1250n);
    expect(parseScaled('0', 2)).toBe(0n);
    expect(parseScaled('1.000', 0)).toBe(1n);
    expect(() => parseScaled('1.005', 2)).toThrow(/decimal places/);
    expect(() => parseScaled('-1', 2)).toThrow();
  });

  test('absolute and percent tolerances', () => {
    expect(withinTolerance(100n, 100n, EXACT)).toBe(true);
    expect(withinTolerance(100n, 101n, EXACT)).toBe(false);
    expect(withinTolerance(10_000n, 10_100n, tolerance(0, 1))).toBe(true);
    expect(withinTolerance(10_000n, 10_101n, tolerance(0, 1))).toBe(false);
    expect(withinTolerance(10_000n, 10_050n, tolerance(0, '0.5'))).toBe(true);
    expect(withinTolerance(1000n, 1003n, tolerance('0.03', 0, 2))).toBe(true);
    expect(withinTolerance(1000n, 1004n, tolerance('0.03', 0, 2))).toBe(false);
  });
});

describe('compareDay', () => {
  const day = (count: bigint, digest: bigint, sums: bigint[]): DayAggregate => ({ count, digest, sums });
  const exact = { count: EXACT, sums: [EXACT, EXACT] };

  test('equal days give no finding', () => {
    expect(compareDay(day(3n, 9n, [1n, 2n]), day(3n, 9n, [1n, 2n]), exact)).toEqual([]);
  });

  test('a day present on A and empty on B is one missing-window finding', () => {
    expect(compareDay(day(3n, 9n, [1n, 2n]), day(0n, 0n, [0n, 0n]), exact)).toEqual([{ kind: 'day_missing_on_b' }]);
  });

  test('count, each sum beyond tolerance, and the digest are separate findings', () => {
    const findings = compareDay(day(3n, 9n, [100n, 2n]), day(2n, 7n, [100n, 5n]), exact);
    expect(findings).toEqual([{ kind: 'day_count' }, { kind: 'day_sum', amount: 1 }, { kind: 'day_digest' }]);
    const tolerant = compareDay(day(100n, 9n, [10_000n, 2n]), day(100n, 9n, [10_050n, 2n]), {
      count: EXACT,
      sums: [tolerance(0, 1), EXACT],
    });
    expect(tolerant).toEqual([]);
  });
});
