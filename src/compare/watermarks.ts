/**
 * Watermarks: how far each side's stream has been read, in source commit time (`source.ts_ms`).
 * A difference is judged only once both sides have passed its time plus the grace period, which
 * is what keeps rows that are merely in flight from being reported (invariant 5).
 */

/** What the consumer that owns a partition reports about it. */
export interface PartitionProgress {
  /** Highest source commit time read on the partition (0: nothing read yet). */
  maxTsMs: number;
  /** The consumer has read everything the partition held when it last looked (lag 0). */
  caughtUp: boolean;
}

/**
 * The watermark of one side of one entity: the minimum over its topic's partitions, where
 * - a partition with unread messages counts at the time of the last message read from it;
 * - a caught-up partition has nothing in flight, so it counts at the latest time the side is known
 *   to have reached: its Debezium heartbeat, or the newest event read on any of its partitions;
 * - a partition nobody has reported on holds the side at 0 (unknown progress blocks verdicts).
 */
export function sideWatermark(
  partitions: readonly number[],
  progress: ReadonlyMap<number, PartitionProgress>,
  heartbeatTsMs = 0,
): number {
  if (partitions.length === 0) return 0;
  let sideMax = heartbeatTsMs;
  for (const p of progress.values()) sideMax = Math.max(sideMax, p.maxTsMs);
  let min = Number.POSITIVE_INFINITY;
  for (const partition of partitions) {
    const p = progress.get(partition);
    const wm = p === undefined ? 0 : p.caughtUp ? sideMax : p.maxTsMs;
    min = Math.min(min, wm);
  }
  return min;
}

/** Differences first seen at or before this time are decidable: both sides have passed them by `graceMs`. */
export function decisionHorizon(watermarkA: number, watermarkB: number, graceMs: number): number {
  return Math.min(watermarkA, watermarkB) - graceMs;
}
