import { describe, expect, test } from 'vitest';
import { type PartitionOffsets, RedisWatermarkStore, type TopicLayout } from '../../src/state/redis/watermark-store.ts';
import { redisStateForTest } from '../harness/redis-state.ts';

function layout(offsets: Record<string, PartitionOffsets[]>): TopicLayout {
  return {
    sides: () => ({ a: { topic: 'ta', heartbeatTopic: 'hb-a' }, b: { topic: 'tb' } }),
    offsets: async (topic) => offsets[topic] ?? [],
  };
}

describe('RedisWatermarkStore on real Redis', () => {
  test('a partition counts as caught up only while its recorded position is at its current end', async () => {
    const { redis, prefix } = redisStateForTest();
    const store = new RedisWatermarkStore(redis, prefix);
    await store.record(
      [
        { topic: 'ta', partition: 0, maxTsMs: 1_000, position: '100' },
        { topic: 'ta', partition: 1, maxTsMs: 5_000, position: '40' },
        { topic: 'tb', partition: 0, maxTsMs: 4_000, position: '7' },
      ],
      1,
    );
    const ends = (high0: string) => ({
      ta: [
        { partition: 0, high: high0, low: '0' },
        { partition: 1, high: '90', low: '0' },
      ],
      tb: [{ partition: 0, high: '7', low: '0' }],
    });
    // ta/0 is at its end: it counts at the side's newest time (5 000); ta/1 has unread messages (40 < 90).
    expect(await store.watermarks('e', layout(ends('100')))).toEqual({ a: 5_000, b: 4_000 });
    // New messages on ta/0 that nobody has read yet (the owner changed, say): back to its own time.
    expect(await store.watermarks('e', layout(ends('150')))).toEqual({ a: 1_000, b: 4_000 });
  });

  test('heartbeats advance a caught-up side; an unreported or unknown topic holds it at 0', async () => {
    const { redis, prefix } = redisStateForTest();
    const store = new RedisWatermarkStore(redis, prefix);
    await store.record(
      [
        { topic: 'ta', partition: 0, maxTsMs: 1_000, position: '10' },
        { topic: 'hb-a', partition: 0, maxTsMs: 9_000, position: '3' },
      ],
      1,
    );
    const offsets = { ta: [{ partition: 0, high: '10', low: '0' }], tb: [{ partition: 0, high: '5', low: '0' }] };
    expect(await store.watermarks('e', layout(offsets))).toEqual({ a: 9_000, b: 0 });
    expect(await store.watermarks('e', layout({}))).toEqual({ a: 0, b: 0 });
    // The source time never moves back, even when an older report arrives (a replay, a new owner).
    await store.record([{ topic: 'ta', partition: 0, maxTsMs: 500, position: '4' }], 2);
    expect((await store.all()).get('ta')?.get(0)).toEqual({ maxTsMs: 1_000, position: 4n });
  });
});
