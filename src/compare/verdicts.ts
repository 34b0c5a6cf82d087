/**
 * Pure decisions of the mismatch engine: what kind of difference a key shows, and whether a day's
 * aggregates agree within the entity's tolerances. Exact integers throughout.
 */
import type { DayAggregate, KeyState } from '../domain/state.ts';
import type { DayMismatchKind, KeyMismatchKind } from '../domain/mismatch-event.ts';

export interface KeyFinding {
  kind: KeyMismatchKind;
  /** value_mismatch: the hashed columns whose fingerprints differ. */
  columns: string[];
}

/**
 * Classifies a key whose sides disagree; undefined when they agree (both absent or deleted, or both
 * present with the same row hash).
 */
export function classifyKey(a: KeyState | undefined, b: KeyState | undefined, hashedColumns: readonly string[]): KeyFinding | undefined {
  const inA = a?.present === true;
  const inB = b?.present === true;
  if (inA && !inB) return { kind: 'missing_on_b', columns: [] };
  if (!inA && inB) return { kind: 'missing_on_a', columns: [] };
  if (!inA || !inB || a!.rowHash === b!.rowHash) return undefined;
  return { kind: 'value_mismatch', columns: differingColumns(a!.fingerprints, b!.fingerprints, hashedColumns) };
}

/** Columns whose 16-bit fingerprints differ. Equal fingerprints with different hashes are possible (1 in 65536). */
export function differingColumns(fa: Uint8Array | undefined, fb: Uint8Array | undefined, columns: readonly string[]): string[] {
  if (!fa || !fb) return [];
  return columns.filter((_, i) => fa[2 * i] !== fb[2 * i] || fa[2 * i + 1] !== fb[2 * i + 1]);
}

/**
 * A tolerance: a difference is accepted when it is within `absolute` OR within `percentTimes1e6 / 1e8`
 * of side A's value (percent kept as an exact integer in millionths of a percent).
 */
export interface Tolerance {
  absolute: bigint;
  percentMicros: bigint;
}

export const EXACT: Tolerance = { absolute: 0n, percentMicros: 0n };

/** Parses a non-negative decimal text into an integer scaled by 10^scale, exactly; refuses extra digits. */
export function parseScaled(text: string, scale: number): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a non-negative decimal: '${text}'`);
  const fraction = m[2] ?? '';
  if (fraction.replace(/0+$/, '').length > scale) throw new Error(`more than ${scale} decimal places: '${text}'`);
  return BigInt(m[1]! + fraction.slice(0, scale).padEnd(scale, '0'));
}

export function tolerance(absolute: string | number, percent: string | number, scale = 0): Tolerance {
  return { absolute: parseScaled(String(absolute), scale), percentMicros: parseScaled(String(percent), 6) };
}

export function withinTolerance(a: bigint, b: bigint, t: Tolerance): boolean {
  const diff = a > b ? a - b : b - a;
  if (diff <= t.absolute) return true;
  const base = a < 0n ? -a : a;
  // diff / base <= percent / 100  <=>  diff * 100 * 1e6 <= percentMicros * base
  return diff * 100_000_000n <= t.percentMicros * base;
}

export interface DayFinding {
  kind: DayMismatchKind;
  /** day_sum: index of the amount column. */
  amount?: number;
}

export interface DayTolerances {
  count: Tolerance;
  /** One per amount column, in amount units scaled like the sums. */
  sums: Tolerance[];
}

/**
 * Compares one day of both sides. A day with rows on A and none on B is one `day_missing_on_b`
 * finding (a missing window), not a count plus a digest plus a sum finding.
 */
export function compareDay(a: DayAggregate, b: DayAggregate, t: DayTolerances): DayFinding[] {
  if (a.count > 0n && b.count === 0n) return [{ kind: 'day_missing_on_b' }];
  const findings: DayFinding[] = [];
  if (!withinTolerance(a.count, b.count, t.count)) findings.push({ kind: 'day_count' });
  a.sums.forEach((sum, i) => {
    if (!withinTolerance(sum, b.sums[i] ?? 0n, t.sums[i] ?? EXACT)) findings.push({ kind: 'day_sum', amount: i });
  });
  if (a.digest !== b.digest) findings.push({ kind: 'day_digest' });
  return findings;
}

/** A finding's identity within its day: the kind, plus the amount column for sums. */
export function findingSlot(f: DayFinding): string {
  return f.amount === undefined ? f.kind : `${f.kind}:${f.amount}`;
}
