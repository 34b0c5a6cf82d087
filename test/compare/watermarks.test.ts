import { describe, expect, test } from 'vitest';
import { type PartitionProgress, decisionHorizon, sideWatermark } from '../../src/compare/watermarks.ts';

const progress = (entries: [number, PartitionProgress][]) => new Map(entries);

describe('side watermark', () => {
  test('the slowest partition with unread messages holds the side back', () => {
    const wm = sideWatermark(
      [0, 1, 2],
      progress([
        [0, { maxTsMs: 500, caughtUp: false }],
        [1, { maxTsMs: 900, caughtUp: false }],
        [2, { maxTsMs: 700, caughtUp: false }],
      ]),
    );
    expect(wm).toBe(500);
  });

  test('a caught-up idle partition does not stall the side: it counts at the newest time the side reached', () => {
    const parts = progress([
      [0, { maxTsMs: 100, caughtUp: true }],
      [1, { maxTsMs: 900, caughtUp: false }],
    ]);
    expect(sideWatermark([0, 1], parts)).toBe(900);
  });

  test('Debezium heartbeats move a quiet side forward', () => {
    const parts = progress([
      [0, { maxTsMs: 100, caughtUp: true }],
      [1, { maxTsMs: 200, caughtUp: true }],
    ]);
    expect(sideWatermark([0, 1], parts, 5_000)).toBe(5_000);
    expect(sideWatermark([0, 1], parts)).toBe(200);
  });

  test('a heartbeat does not advance a partition that still has unread messages', () => {
    const parts = progress([[0, { maxTsMs: 100, caughtUp: false }]]);
    expect(sideWatermark([0], parts, 5_000)).toBe(100);
  });

  test('a partition nobody reported on, or no partitions at all, blocks verdicts', () => {
    expect(sideWatermark([0, 1], progress([[0, { maxTsMs: 900, caughtUp: true }]]))).toBe(0);
    expect(sideWatermark([], progress([]), 10_000)).toBe(0);
  });

  test('the decision horizon is the slower side minus the grace period', () => {
    expect(decisionHorizon(10_000, 8_000, 3_000)).toBe(5_000);
    expect(decisionHorizon(8_000, 10_000, 0)).toBe(8_000);
  });
});
