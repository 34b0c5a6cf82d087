import { expect, test } from 'vitest';
import { pgClient, redisWithPrefix } from '../harness/resources.ts';

test('Redis answers, and a write under the test prefix reads back', async () => {
  const { redis } = await redisWithPrefix();
  expect(await redis.ping()).toBe('PONG');
  await redis.set('probe', '12345678901234567890');
  expect(await redis.get('probe')).toBe('12345678901234567890');
});

test.each(['a', 'b'] as const)('Postgres side %s answers with logical WAL', async (side) => {
  const client = await pgClient(side);
  const r = await client.query<{ wal_level: string; one: number }>('SELECT current_setting($1) AS wal_level, 1 AS one', [
    'wal_level',
  ]);
  expect(r.rows[0]).toEqual({ wal_level: 'logical', one: 1 });
});
