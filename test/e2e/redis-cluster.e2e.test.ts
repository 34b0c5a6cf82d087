/**
 * The reconciler on a real three-node Redis Cluster: the drift acceptance of the real pipeline, with
 * the state spread over the nodes. Every script call must stay within one hash slot (all its keys
 * share the shard's hash tag); a CROSSSLOT error would stop the state from ever matching SQL.
 */
import { randomBytes } from 'node:crypto';
import { label, sleep, waitStateEqualsSql } from '../harness/expectations.ts';
import { describe, expect, onTestFinished, test } from 'vitest';
import { createRedis } from '../../src/adapters/clients.ts';
import { validateConfig } from '../../src/config/index.ts';
import { RedisStateStore } from '../../src/state/redis/redis-state-store.ts';
import { insertOrders, sqlDays } from '../harness/orders-data.ts';
import { createTestPipeline } from '../harness/pipeline.ts';
import { collectMismatches, startTestReconciler, testConfig } from '../harness/reconciler.ts';
import { startRedisCluster } from '../harness/redis-cluster.ts';
import { eventually } from '../harness/resources.ts';

/**
 * Postgres runs at most max_logical_replication_workers (4 here) subscription workers for every
 * pipeline of every test running at once; a new subscription may wait for a free one.
 */
const REPLICATION_TIMEOUT_MS = 120_000;



describe('reconciliation with its state on a Redis Cluster', () => {
  test('snapshot agreement with SQL, then drift on B reported once each; state spread over the nodes', { timeout: 240_000 }, async () => {
    // The nodes require a password, given only inside redis.url, as single-server mode accepts it.
    const cluster = await startRedisCluster({ password: randomBytes(8).toString('hex') });
    const p = await createTestPipeline();
    await insertOrders(p.a, p.table, 1000);
    await p.waitReplicated(REPLICATION_TIMEOUT_MS);
    // 16 shards: 16 hash tags, so the state lands on more than one of the three nodes.
    const base = testConfig(p, { graceMs: 2000, shards: 16 });
    const config = validateConfig({ ...base, redis: { ...base.redis, url: cluster.url, cluster: { enabled: true, nodes: cluster.nodes } } });
    const events = await collectMismatches(config.topics.mismatches);
    const reader = createRedis(config); // the product's own cluster client
    onTestFinished(() => reader.disconnect());
    const store = new RedisStateStore(reader, { prefix: config.redis.keyPrefix, shards: config.redis.shards, buckets: config.redis.keyBuckets });
    await startTestReconciler(config);

    // The initial rows: equal on both sides, equal to SQL's recomputation, and nothing reported.
    await waitStateEqualsSql(p, config, store);
    const sqlA = await sqlDays(p.a, p.table, config);
    expect([...sqlA.entries()]).toEqual([...(await sqlDays(p.b, p.table, config)).entries()]);
    expect([...sqlA.values()].reduce((n, d) => n + d.count, 0n)).toBe(1000n);
    const keysPerNode = await cluster.keysPerNode();
    expect([...keysPerNode.values()].filter((n) => n > 0).length, `keys per node ${JSON.stringify([...keysPerNode])}`).toBeGreaterThanOrEqual(2);
    await sleep(config.graceMs + 2000);
    expect(events).toEqual([]);

    // Drift on B behind the replication's back.
    const t0 = Date.now();
    await p.b.query(`DELETE FROM "${p.table}" WHERE order_id = 7`);
    await p.b.query(`UPDATE "${p.table}" SET amount = amount + 1 WHERE order_id = 8`);
    await p.b.query(
      `INSERT INTO "${p.table}" (order_id, customer_email, created_at, amount, status) VALUES (900000001, 'extra@example.test', '2026-03-04T12:00:00Z', 1.00, 'new')`,
    );
    await p.b.query(`DELETE FROM "${p.table}" WHERE created_at >= '2026-03-05' AND created_at < '2026-03-06'`);
    // Row 7 belongs to 2026-03-02 and row 8 to 2026-03-03 (insertOrders spreads ids over DAYS in turn).
    const want = [
      'opened missing_on_b 1:7',
      'opened value_mismatch 1:8 [amount]',
      'opened missing_on_a 9:900000001',
      'opened day_missing_on_b 2026-03-05',
      'opened day_count 2026-03-02',
      'opened day_sum 2026-03-02 [amount]',
      'opened day_digest 2026-03-02',
      'opened day_sum 2026-03-03 [amount]',
      'opened day_digest 2026-03-03',
      'opened day_count 2026-03-04',
      'opened day_sum 2026-03-04 [amount]',
      'opened day_digest 2026-03-04',
    ].sort();
    await eventually('the drift reported', async () => (events.length >= want.length ? true : undefined), 60_000);
    await sleep(3000); // anything published twice would arrive by now
    expect(events.map(label).sort()).toEqual(want);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(new Set(events.map((e) => `${e.mismatchId} ${e.type}`)).size).toBe(events.length);
    for (const e of events) expect(Date.parse(e.decidedAt) - t0).toBeLessThan(config.graceMs + 5000);
    // The stream state still equals the SQL twin of each side, drift included.
    await waitStateEqualsSql(p, config, store);
  });
});
