/**
 * Redis memory per tracked key (BENCHMARK.md C1): applies N keys on both sides to a private
 * redis-server and reports (used_memory after - before) / keys / sides, and Redis commands per
 * event (C2, from INFO commandstats: the script calls, and every command they ran).
 *
 *   node bench/state-memory.ts [keys=100000] [shards=16] [buckets=4096]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { PreparedChange, StateLayout } from '../src/domain/state.ts';
import { RedisStateStore } from '../src/state/redis/redis-state-store.ts';

const keys = Number(process.argv[2] ?? 100_000);
const shards = Number(process.argv[3] ?? 16);
const buckets = Number(process.argv[4] ?? 4096);
const port = 6390 + Math.floor(Math.random() * 100);
const dir = mkdtempSync(join(tmpdir(), 'recon-bench-redis-'));
const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });

try {
  const redis = new Redis({ port, host: '127.0.0.1', retryStrategy: (t) => (t > 50 ? null : 100) });
  redis.on('error', () => undefined); // connection refused until the server listens; ioredis retries
  await redis.ping();
  // The example entity's layout: six hashed columns, one amount, one toast column.
  const layout: StateLayout = { amounts: 1, toast: 1, columns: 6, toastColumnIndex: [4] };
  const store = new RedisStateStore(redis, { prefix: 'recon', shards, buckets });
  const memory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  await redis.config('RESETSTAT');
  const before = await memory();
  const batch: PreparedChange[] = [];
  let events = 0;
  for (let i = 1; i <= keys; i++) {
    for (const side of ['a', 'b'] as const) {
      batch.push({
        side,
        key: `${String(i).length}:${i}`,
        op: 'u',
        version: BigInt(1_000_000 + i),
        sourceTsMs: 1_780_000_000_000 + i,
        day: 20_500 + (i % 90),
        rowHash: (BigInt(i) * 0x9e3779b97f4a7c15n) & 0xffff_ffff_ffff_ffffn,
        fingerprints: new Uint8Array(12).fill(i & 0xff),
        unavailableMask: 0,
        amounts: [BigInt(i * 37)],
        toastHashes: [BigInt(i) * 0x1234567n],
      });
    }
    if (batch.length >= 2000 || i === keys) {
      await store.apply('orders', layout, batch);
      events += batch.length;
      batch.length = 0;
    }
  }
  const after = await memory();
  const stats = await redis.info('commandstats');
  const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  const allCalls = [...stats.matchAll(/calls=(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
  const scriptCalls = calls('evalsha') + calls('eval');
  const result = {
    keys,
    sides: 2,
    shards,
    buckets,
    usedMemoryDeltaBytes: after - before,
    bytesPerKeyPerSide: Math.round(((after - before) / (keys * 2)) * 10) / 10,
    events,
    scriptCallsPerEvent: Math.round((scriptCalls / events) * 1000) / 1000,
    redisCommandsPerEventIncludingInsideScripts: Math.round(((allCalls - calls('info') - calls('config')) / events) * 100) / 100,
    hashEncoding: await redis.object('ENCODING', `{recon:orders:0}:k:0`),
  };
  console.log(JSON.stringify(result, null, 2));
  redis.disconnect();
} finally {
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
