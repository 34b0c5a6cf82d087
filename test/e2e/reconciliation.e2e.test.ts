/**
 * The engine against the whole real pipeline: Postgres A replicating to Postgres B, Debezium on
 * both, Kafka, Redis, the reconciler in this process, and its mismatch events read back from Kafka.
 */
import { describe, expect, test } from 'vitest';
import type { ReconcilerConfig } from '../../src/config/index.ts';
import { label, opened, waitStateEqualsSql as waitUntilStateEqualsSql } from '../harness/expectations.ts';
import type { TestPipeline } from '../harness/pipeline.ts';
import { JudgeStore } from '../../src/state/redis/judge-store.ts';
import { RedisStateStore } from '../../src/state/redis/redis-state-store.ts';
import { insertOrders, sqlDays } from '../harness/orders-data.ts';
import { createTestPipeline } from '../harness/pipeline.ts';
import { collectMismatches, startTestReconciler, testConfig } from '../harness/reconciler.ts';
import { eventually } from '../harness/resources.ts';
import { Redis } from 'ioredis';
import { stack } from '../harness/resources.ts';
import { onTestFinished } from 'vitest';


/** Waits until the stream state of both sides equals the SQL twin of both tables. */
const waitStateEqualsSql = (p: TestPipeline, config: ReconcilerConfig) => waitUntilStateEqualsSql(p, config, stores(config).store);

function stores(config: ReturnType<typeof testConfig>) {
  const redis = new Redis(stack().redisUrl);
  onTestFinished(() => redis.disconnect());
  const o = { prefix: config.redis.keyPrefix, shards: config.redis.shards, buckets: config.redis.keyBuckets };
  return { store: new RedisStateStore(redis, o), judgeStore: new JudgeStore(redis, o.prefix, o.shards) };
}


describe('reconciliation of a real pipeline', () => {
  test('snapshot agreement, drift made on B behind replication, exactly-once events, resolution after repair', async () => {
    const p = await createTestPipeline();
    await insertOrders(p.a, p.table, 2000);
    await p.waitReplicated();
    const config = testConfig(p, { graceMs: 3000 });
    const events = await collectMismatches(config.topics.mismatches);
    await startTestReconciler(config);

    // The initial snapshot: equal on both sides, equal to SQL's recomputation, and nothing reported.
    await waitStateEqualsSql(p, config);
    const sqlA = await sqlDays(p.a, p.table, config);
    const sqlB = await sqlDays(p.b, p.table, config);
    expect([...sqlA.entries()]).toEqual([...sqlB.entries()]);
    expect([...sqlA.values()].reduce((n, d) => n + d.count, 0n)).toBe(2000n);
    await new Promise((r) => setTimeout(r, config.graceMs + 2000));
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
    await eventually('the drift reported', async () => (opened(events).length >= want.length ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 3000)); // anything published twice would arrive by now
    expect(opened(events).map(label).sort()).toEqual(want);
    for (const e of opened(events)) {
      // Decided within grace + 5 s of the change (the watermarks pass it about a second after it happens).
      expect(Date.parse(e.decidedAt) - t0).toBeLessThan(config.graceMs + 5000);
      expect(JSON.stringify(e)).not.toMatch(/@example\.test/);
    }
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);

    // Repair B: every mismatch resolves.
    await p.b.query(`DELETE FROM "${p.table}" WHERE order_id = 900000001`);
    await p.b.query(`UPDATE "${p.table}" SET amount = amount - 1 WHERE order_id = 8`);
    const missing = await p.a.query(
      `SELECT * FROM "${p.table}" WHERE order_id = 7 OR (created_at >= '2026-03-05' AND created_at < '2026-03-06') ORDER BY order_id`,
    );
    for (const row of missing.rows) {
      await p.b.query(
        `INSERT INTO "${p.table}" (order_id, customer_email, created_at, amount, status, notes) VALUES ($1, $2, $3, $4, $5, $6)`,
        [row.order_id, row.customer_email, row.created_at, row.amount, row.status, row.notes],
      );
    }
    await eventually('every mismatch resolved', async () => {
      const resolved = new Set(events.filter((e) => e.type === 'resolved').map((e) => e.mismatchId));
      return opened(events).every((e) => resolved.has(e.mismatchId)) ? true : undefined;
    }, 60_000);
    await waitStateEqualsSql(p, config);
  });

  test('replication paused for less than the grace period while A keeps changing: no mismatch at all', async () => {
    const p = await createTestPipeline();
    await insertOrders(p.a, p.table, 200);
    await p.waitReplicated();
    const config = testConfig(p, { graceMs: 10_000 });
    const events = await collectMismatches(config.topics.mismatches);
    await startTestReconciler(config);
    await waitStateEqualsSql(p, config);

    await p.pauseReplication();
    const pausedAt = Date.now();
    await insertOrders(p.a, p.table, 100, 1000);
    await p.a.query(`UPDATE "${p.table}" SET amount = amount + 5, status = 'paid' WHERE order_id <= 50`);
    await p.a.query(`DELETE FROM "${p.table}" WHERE order_id BETWEEN 60 AND 70`);
    while (Date.now() - pausedAt < 5_000) await new Promise((r) => setTimeout(r, 200));
    await p.resumeReplication();
    await p.waitReplicated();
    await waitStateEqualsSql(p, config);
    await new Promise((r) => setTimeout(r, config.graceMs + 3000)); // past every decision point
    expect(events).toEqual([]);
  });

  test('a replay of the topics from the beginning leaves the state identical and publishes nothing twice', async () => {
    const p = await createTestPipeline();
    await insertOrders(p.a, p.table, 500);
    await p.waitReplicated();
    await p.b.query(`DELETE FROM "${p.table}" WHERE order_id = 3`);
    const config = testConfig(p, { graceMs: 2000 });
    const events = await collectMismatches(config.topics.mismatches);
    const first = await startTestReconciler(config, { keepState: true });
    await waitStateEqualsSql(p, config);
    await eventually('the missing key reported', async () => (events.some((e) => e.kind === 'missing_on_b') ? true : undefined));
    const { store } = stores(config);
    const before = { a: await store.dayAggregates('orders', 'a', 1), b: await store.dayAggregates('orders', 'b', 1) };
    await first.stop();

    // Rewind the group to the beginning of both topics and run again.
    const { kafka } = await import('../harness/resources.ts');
    const admin = kafka().admin();
    await admin.connect();
    for (const topic of [p.topics.a, p.topics.b]) await admin.resetOffsets({ groupId: config.kafka.groupId, topic, earliest: true });
    await admin.disconnect();
    const count = events.length;
    const second = await startTestReconciler(config);
    await eventually('the replay consumed', async () => {
      const metrics = await second.registry.getSingleMetricAsString('recon_duplicates_ignored_total');
      const n = [...metrics.matchAll(/ (\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
      return n >= 999 ? true : undefined;
    }, 60_000);
    await new Promise((r) => setTimeout(r, config.graceMs + 2000));
    expect(await store.dayAggregates('orders', 'a', 1)).toEqual(before.a);
    expect(await store.dayAggregates('orders', 'b', 1)).toEqual(before.b);
    expect(events.length).toBe(count);
  });
});
