/**
 * The state model shared by the engine and the state stores (docs/state-model.md):
 * per key and side, the current version, business day, row hash, amounts and column fingerprints;
 * per entity, side and business day, the count, exact sums and the order-independent digest.
 */
import type { Side } from './change.ts';

/** One change, normalised and ready to apply: everything the state needs, no row values. */
export interface PreparedChange {
  side: Side;
  /** Canonical key (docs/canonical-form.md). */
  key: string;
  /** `u` creates or replaces the row (c, u, r); `d` deletes it. */
  op: 'u' | 'd';
  version: bigint;
  sourceTsMs: number;
  /** Business day (days since 1970-01-01); unused for deletes. */
  day: number;
  /** Unsigned 64-bit row hash, without the hashes of `unavailable` toast columns. */
  rowHash: bigint;
  /** Two bytes per hashed column (the low 16 bits of its column hash), big-endian. */
  fingerprints: Uint8Array;
  /** Bit j set: toast column j was not sent (`__debezium_unavailable_value`). */
  unavailableMask: number;
  /** Amounts scaled to integers, one per configured amount column (0 for NULL). */
  amounts: bigint[];
  /** Full 64-bit column hash of each toast column (0 when unavailable). */
  toastHashes: bigint[];
}

/** The shape of an entity's packed per-key state; changing it requires rebuilding the state. */
export interface StateLayout {
  amounts: number;
  toast: number;
  /** Number of hashed columns (two fingerprint bytes each). */
  columns: number;
  /** For each toast column, its index among the hashed columns. */
  toastColumnIndex: number[];
}

export const APPLY_RESULT = { applied: 0, stale: 1, unavailableUnresolved: 2 } as const;
export type ApplyResult = (typeof APPLY_RESULT)[keyof typeof APPLY_RESULT];

export interface KeyState {
  present: boolean;
  version: bigint;
  day?: number;
  rowHash?: bigint;
  amounts?: bigint[];
  fingerprints?: Uint8Array;
}

export interface DayAggregate {
  count: bigint;
  /** Σ row hashes mod 2^64. */
  digest: bigint;
  /** Exact scaled sums, one per amount column. */
  sums: bigint[];
}

export function emptyDay(amounts: number): DayAggregate {
  return { count: 0n, digest: 0n, sums: Array.from({ length: amounts }, () => 0n) };
}
