import { Redis } from 'ioredis';
import { onTestFinished } from 'vitest';
import { RedisStateStore } from '../../src/state/redis/redis-state-store.ts';
import { stack, uniqueName } from './resources.ts';

/** Removes every key that mentions `prefix` (state keys carry it inside their hash tag). */
export async function deleteKeysOf(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A state store on its own key prefix, emptied and closed when the test finishes. */
export function redisStateForTest(options: { shards?: number; buckets?: number } = {}): {
  store: RedisStateStore;
  redis: Redis;
  prefix: string;
} {
  const prefix = uniqueName('rs');
  const redis = new Redis(stack().redisUrl);
  onTestFinished(async () => {
    await deleteKeysOf(redis, prefix);
    redis.disconnect();
  });
  const store = new RedisStateStore(redis, { prefix, shards: options.shards ?? 4, buckets: options.buckets ?? 8 });
  return { store, redis, prefix };
}

/** Every key and hash field of the prefix, for before/after comparisons. */
export async function dumpState(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'hash') {
        const fields = await redis.hgetallBuffer(key);
        out[key] = Object.fromEntries(Object.entries(fields).map(([f, v]) => [f, v.toString('hex')]));
      } else if (type === 'zset') out[key] = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'set') out[key] = (await redis.smembers(key)).sort();
      else if (type === 'list') out[key] = await redis.lrange(key, 0, -1);
      else out[key] = await redis.get(key);
    }
    cursor = next;
  } while (cursor !== '0');
  return out;
}
