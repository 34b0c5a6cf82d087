/**
 * The bad and tricky inputs of RELIABILITY.md (B1-B8, B11, B13) and the PII check S1, each on the
 * whole real pipeline: Postgres A replicating to Postgres B, Debezium on both, Kafka, Redis, and
 * the reconciler in this process. The ground truth is the SQL twin of both tables (`sqlDays`), the
 * mismatch topic and the dead-letter topic, never the reconciler's own opinion.
 */
import { Redis } from 'ioredis';
import { type KafkaMessage, ConfigResourceTypes } from 'kafkajs';
import type pg from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { label, opened, sleep, stateVersusSql, waitStateEqualsSql as waitUntilStateEqualsSql } from '../harness/expectations.ts';
import { describe, expect, onTestFinished, test } from 'vitest';
import { startReconciler } from '../../src/app.ts';
import type { ReconcilerConfig } from '../../src/config/index.ts';
import type { MismatchEvent } from '../../src/domain/mismatch-event.ts';
import { dayToIso, isoToDay } from '../../src/normalize/days.ts';
import { entityKeys } from '../../src/state/redis/keys.ts';
import { RedisStateStore } from '../../src/state/redis/redis-state-store.ts';
import { collectDeadLetters } from '../harness/dead-letters.ts';
import { DAYS, insertOrders, sqlDays } from '../harness/orders-data.ts';
import { type TestPipeline, type TestPipelineOptions, createTestPipeline } from '../harness/pipeline.ts';
import { deleteKeysOf } from '../harness/redis-state.ts';
import { collectMismatches, startTestReconciler, testConfig } from '../harness/reconciler.ts';
import { eventually, kafka, stack, uniqueName } from '../harness/resources.ts';

const GRACE_MS = 2500;
const TEST_TIMEOUT_MS = 240_000;
const UNAVAILABLE = '__debezium_unavailable_value';


function redisClient(): Redis {
  const redis = new Redis(stack().redisUrl);
  onTestFinished(() => redis.disconnect());
  return redis;
}

function stateStore(config: ReconcilerConfig, redis = redisClient()): RedisStateStore {
  return new RedisStateStore(redis, { prefix: config.redis.keyPrefix, shards: config.redis.shards, buckets: config.redis.keyBuckets });
}




/** Waits until the stream state of both sides equals the SQL twin (by default of each side's own table). */
const waitStateEqualsSql = (p: TestPipeline, config: ReconcilerConfig, options: { timeoutMs?: number; sqlOf?: { a: pg.Client; b: pg.Client } } = {}) =>
  waitUntilStateEqualsSql(p, config, stateStore(config), { timeoutMs: 60_000, ...options });

/** Sum of a metric's series whose labels include `labels`. */
async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x))
    .reduce((s, v) => s + v.value, 0);
}

/** Waits past every decision point (watermarks move about once a second, plus the grace period) and expects no mismatch at all. */
async function expectNoMismatch(events: MismatchEvent[], config: ReconcilerConfig): Promise<void> {
  await sleep(config.graceMs + 4000);
  expect(events.map(label)).toEqual([]);
}

interface Setup {
  p: TestPipeline;
  config: ReconcilerConfig;
  events: MismatchEvent[];
  dead: Awaited<ReturnType<typeof collectDeadLetters>>;
  registry: Registry;
}

/** A pipeline with `rows` orders replicated, a reconciler that has read the snapshot, and its outputs collected. */
async function setUp(rows: number, options: TestPipelineOptions & { beforeInsert?: (p: TestPipeline) => Promise<void> } = {}): Promise<Setup> {
  const p = await createTestPipeline(options);
  if (options.beforeInsert) await options.beforeInsert(p);
  await insertOrders(p.a, p.table, rows);
  // Generous: the initial table sync waits for a free logical-replication worker, which tests running beside this one share.
  await p.waitReplicated(120_000);
  const config = testConfig(p, { graceMs: GRACE_MS });
  const events = await collectMismatches(config.topics.mismatches);
  const dead = await collectDeadLetters(config.topics.deadLetter);
  const { registry } = await startTestReconciler(config);
  await waitStateEqualsSql(p, config);
  return { p, config, events, dead, registry };
}

interface RawRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** The parsed value; null for a tombstone or a value that is not JSON. */
  json: Record<string, unknown> | null;
  /** The parsed key. */
  keyJson: Record<string, unknown> | null;
}

function parse(b: Buffer | null): Record<string, unknown> | null {
  if (!b) return null;
  try {
    return JSON.parse(b.toString()) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Reads a topic from the beginning (all partitions) until `done` accepts what was read. */
async function readTopic(topic: string, done: (records: RawRecord[]) => boolean, timeoutMs = 30_000): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  const consumer = kafka().consumer({ groupId: uniqueName('read') });
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
      records.push({ partition, offset: message.offset, key: message.key, value: message.value, json: parse(message.value), keyJson: parse(message.key) });
    },
  });
  try {
    await eventually(`the expected records on ${topic} (have ${records.length})`, async () => (done(records) ? true : undefined), timeoutMs);
  } finally {
    await consumer.stop();
  }
  return records;
}

const opOf = (r: RawRecord) => r.json?.op as string | undefined;
const rowOf = (r: RawRecord, image: 'before' | 'after') => r.json?.[image] as Record<string, unknown> | null | undefined;
const idOf = (r: RawRecord) => Number((r.keyJson?.order_id ?? rowOf(r, 'after')?.order_id ?? rowOf(r, 'before')?.order_id) as number);

async function producer() {
  const p = kafka().producer();
  await p.connect();
  onTestFinished(() => p.disconnect());
  return p;
}

describe('bad and tricky input on the real pipeline (RELIABILITY B1-B13, S1)', () => {
  test(
    'B1: updates without a before image (REPLICA IDENTITY DEFAULT) that move rows between days and change amounts: exact deltas, no mismatch',
    async () => {
      const { p, config, events, dead } = await setUp(500);
      const before = await sqlDays(p.a, p.table, config);

      await p.a.query(`UPDATE "${p.table}" SET created_at = created_at + interval '1 day', amount = amount + 3.21 WHERE order_id % 10 = 1 AND created_at < '2026-03-05'`);
      await p.a.query(`UPDATE "${p.table}" SET created_at = created_at - interval '2 days' WHERE order_id % 10 = 4 AND created_at >= '2026-03-03'`);
      await p.a.query(`UPDATE "${p.table}" SET amount = amount * 2, status = 'paid' WHERE order_id % 10 = 7`);
      await p.waitReplicated();

      // The condition under test is real: Debezium's updates carry no before image.
      const updates = await readTopic(p.topics.a, (rs) => rs.filter((r) => opOf(r) === 'u').length >= 150);
      expect(updates.filter((r) => opOf(r) === 'u').every((r) => rowOf(r, 'before') === null)).toBe(true);

      await waitStateEqualsSql(p, config);
      const after = await sqlDays(p.a, p.table, config);
      // The updates did move rows between days (otherwise this proves little).
      expect([...after.values()].map((d) => d.count)).not.toEqual([...before.values()].map((d) => d.count));
      expect([...after.values()].reduce((n, d) => n + d.count, 0n)).toBe(500n);
      await expectNoMismatch(events, config);
      expect(dead).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'B2: an update that leaves a TOASTed column unchanged (__debezium_unavailable_value): the stored hash is reused, state equals SQL, no mismatch, no dead letter',
    async () => {
      const { p, config, events, dead } = await setUp(500, {
        // Store `notes` out of line uncompressed, so every 6000-character note is really TOASTed.
        beforeInsert: async (q) => {
          for (const db of [q.a, q.b]) await db.query(`ALTER TABLE "${q.table}" ALTER COLUMN notes SET STORAGE EXTERNAL`);
        },
      });
      await p.a.query(`UPDATE "${p.table}" SET amount = amount + 1, status = 'shipped' WHERE order_id % 25 = 0`);
      await p.waitReplicated();

      // Both sides' streams carry the placeholder for the 10 large notes (every 50th row) and real notes for the others.
      for (const topic of [p.topics.a, p.topics.b]) {
        const records = await readTopic(topic, (rs) => rs.filter((r) => opOf(r) === 'u').length >= 20);
        const updates = records.filter((r) => opOf(r) === 'u');
        const placeholders = updates.filter((r) => rowOf(r, 'after')?.notes === UNAVAILABLE).map(idOf).sort((x, y) => x - y);
        expect(placeholders, topic).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
      }

      await waitStateEqualsSql(p, config);
      await expectNoMismatch(events, config);
      expect(dead).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'B3: a delete followed by its tombstone decreases the count once; no dead letter, no mismatch',
    async () => {
      const { p, config, events, dead } = await setUp(500);
      const deleted = await p.a.query(`DELETE FROM "${p.table}" WHERE order_id % 7 = 0 RETURNING order_id`);
      expect(deleted.rowCount).toBe(71);
      await p.waitReplicated();

      // Each delete is followed by a tombstone of the same key on both sides.
      for (const topic of [p.topics.a, p.topics.b]) {
        const records = await readTopic(topic, (rs) => rs.filter((r) => r.value === null).length >= 71);
        for (const row of deleted.rows) {
          const id = Number(row.order_id);
          const ofKey = records.filter((r) => Number(r.keyJson?.order_id) === id);
          const tail = ofKey.slice(-2).map((r) => (r.value === null ? 'tombstone' : opOf(r)));
          expect(tail, `${topic} key ${id}`).toEqual(['d', 'tombstone']);
        }
      }

      await waitStateEqualsSql(p, config);
      expect([...(await sqlDays(p.a, p.table, config)).values()].reduce((n, d) => n + d.count, 0n)).toBe(429n);
      await expectNoMismatch(events, config);
      expect(dead).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'B4: primary-key changes (delete of the old key, create of the new, on different partitions): exact after settling, no mismatch',
    async () => {
      // Three partitions per topic, so that a key change's delete and create can be read in either order.
      const { p, config, events, dead } = await setUp(300, {
        connectorConfig: { 'topic.creation.default.replication.factor': '1', 'topic.creation.default.partitions': '3' },
      });
      const moved = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
      for (const id of moved) await p.a.query(`UPDATE "${p.table}" SET order_id = $1 WHERE order_id = $2`, [id + 100_000, id]);
      // A key change to a key that was deleted before, and a change with an amount change in one statement.
      await p.a.query(`DELETE FROM "${p.table}" WHERE order_id = 20`);
      await p.a.query(`UPDATE "${p.table}" SET order_id = 20, amount = amount + 7 WHERE order_id = 21`);
      await p.waitReplicated();

      const changeOf = (rs: RawRecord[], id: number) => ({
        del: rs.find((r) => opOf(r) === 'd' && idOf(r) === id),
        create: rs.find((r) => opOf(r) === 'c' && idOf(r) === id + 100_000),
      });
      const records = await readTopic(p.topics.a, (rs) => moved.every((id) => changeOf(rs, id).del && changeOf(rs, id).create));
      let crossed = 0;
      for (const id of moved) {
        const { del, create } = changeOf(records, id);
        expect(del, `delete of ${id}`).toBeDefined();
        expect(create, `create of ${id + 100_000}`).toBeDefined();
        if (del!.partition !== create!.partition) crossed++;
      }
      expect(crossed).toBeGreaterThan(0);

      await waitStateEqualsSql(p, config);
      await expectNoMismatch(events, config);
      expect(dead).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'B5: an older update re-delivered after a newer update, and after a delete, of the same key: ignored, not resurrected, counted as duplicates',
    async () => {
      const { p, config, events, dead, registry } = await setUp(200);
      await p.a.query(`UPDATE "${p.table}" SET amount = amount + 1 WHERE order_id = 11`);
      await p.a.query(`UPDATE "${p.table}" SET amount = amount + 1, status = 'shipped' WHERE order_id = 11`);
      await p.a.query(`UPDATE "${p.table}" SET amount = amount + 1 WHERE order_id = 12`);
      await p.a.query(`DELETE FROM "${p.table}" WHERE order_id = 12`);
      await p.waitReplicated();
      await waitStateEqualsSql(p, config);

      // Side B's own events of these keys, as Debezium wrote them.
      const records = await readTopic(p.topics.b, (rs) => rs.some((r) => opOf(r) === 'd' && idOf(r) === 12) && rs.filter((r) => opOf(r) === 'u' && idOf(r) === 11).length >= 2);
      const olderOf11 = records.filter((r) => opOf(r) === 'u' && idOf(r) === 11)[0]!;
      const olderOf12 = records.find((r) => opOf(r) === 'u' && idOf(r) === 12)!;
      expect(BigInt((olderOf11.json!.source as { lsn: number }).lsn)).toBeLessThan(
        BigInt((records.filter((r) => opOf(r) === 'u' && idOf(r) === 11)[1]!.json!.source as { lsn: number }).lsn),
      );

      const duplicatesBefore = await metric(registry, 'recon_duplicates_ignored_total', { side: 'b' });
      const stale = await producer();
      for (const r of [olderOf11, olderOf12]) await stale.send({ topic: p.topics.b, acks: -1, messages: [{ key: r.key, value: r.value }] });
      await eventually('the stale events counted as duplicates', async () =>
        (await metric(registry, 'recon_duplicates_ignored_total', { side: 'b' })) >= duplicatesBefore + 2 ? true : undefined,
      );
      expect(await metric(registry, 'recon_duplicates_ignored_total', { side: 'b' })).toBe(duplicatesBefore + 2);

      // Nothing changed: still equal to SQL; key 12 still deleted on B, key 11 still at its newer version.
      const store = stateStore(config);
      expect(await stateVersusSql(p, config, store)).toEqual([]);
      const layout = { amounts: 1, toast: 1, columns: 6, toastColumnIndex: [3] }; // amount, created_at, customer_email, notes, order_id, status
      const versionOf = (r: RawRecord) => BigInt((r.json!.source as { lsn: number }).lsn);
      const newestOf11 = records.filter((r) => opOf(r) === 'u' && idOf(r) === 11)[1]!;
      const deleteOf12 = records.find((r) => opOf(r) === 'd' && idOf(r) === 12)!;
      const [k11, k12] = [await store.keyStates('orders', layout, '2:11'), await store.keyStates('orders', layout, '2:12')];
      expect(k11.b).toMatchObject({ present: true, version: versionOf(newestOf11) });
      expect(k11.b!.rowHash).toBe(k11.a!.rowHash);
      expect(k12.b).toMatchObject({ present: false, version: versionOf(deleteOf12) });
      await expectNoMismatch(events, config);
      expect(dead).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'B6: a truncate marks the entity for a full batch audit (Redis mark, metric) and no count goes negative',
    async () => {
      // Debezium skips truncates unless told otherwise (skipped.operations defaults to "t").
      const { p, config, registry, dead } = await setUp(200, { connectorConfig: { 'skipped.operations': 'none' } });
      const redis = redisClient();
      const mark = entityKeys(config.redis.keyPrefix, 'orders').truncated;
      expect(await redis.exists(mark)).toBe(0);

      await p.a.query(`TRUNCATE "${p.table}"`);
      await p.waitReplicated();
      const truncates = await readTopic(p.topics.a, (rs) => rs.some((r) => opOf(r) === 't'));
      expect(truncates.filter((r) => opOf(r) === 't')).toHaveLength(1);

      await eventually('both truncates counted', async () =>
        (await metric(registry, 'recon_truncates_total', { side: 'a', entity: 'orders' })) >= 1 &&
        (await metric(registry, 'recon_truncates_total', { side: 'b', entity: 'orders' })) >= 1
          ? true
          : undefined,
      );
      const marked = JSON.parse((await redis.get(mark))!) as { side: string; topic: string; offset: string };
      expect(['a', 'b']).toContain(marked.side);
      expect([p.topics.a, p.topics.b]).toContain(marked.topic);

      // Writes after the truncate, re-using old keys and new ones, then deletes: no day count below zero.
      await insertOrders(p.a, p.table, 50, 1);
      await insertOrders(p.a, p.table, 50, 1000);
      await p.a.query(`DELETE FROM "${p.table}" WHERE order_id % 4 = 0`);
      await p.waitReplicated();
      const store = stateStore(config);
      await eventually('the writes after the truncate consumed', async () => {
        const n = await metric(registry, 'recon_events_consumed_total', { side: 'b' });
        return n >= 200 + 100 + 25 ? true : undefined;
      });
      for (const side of ['a', 'b'] as const) {
        for (const [day, agg] of await store.dayAggregates('orders', side, 1)) {
          expect(agg.count, `side ${side} day ${dayToIso(day)}`).toBeGreaterThanOrEqual(0n);
        }
      }
      expect(await redis.exists(mark)).toBe(1);
      expect(dead).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'B7: a late row for a day already settled: re-judged to match when both sides have it; a mismatch while B lacks it past the grace period, resolved when it arrives',
    async () => {
      const { p, config, events, registry } = await setUp(250);
      const redis = redisClient();
      const daysKey = entityKeys(config.redis.keyPrefix, 'orders').days;
      const day = isoToDay(DAYS[0]!);
      const verdict = async () => {
        const json = await redis.hget(daysKey, String(day));
        return json ? (JSON.parse(json) as { status: string; checkedAtMs: number; open: Record<string, unknown> }) : undefined;
      };
      const settled = await eventually('the first day settled as a match', async () => ((await verdict())?.status === 'match' ? await verdict() : undefined));
      const store = stateStore(config);
      const countOn = async (side: 'a' | 'b') => (await store.dayAggregate('orders', side, 1, day)).count;
      expect(await countOn('a')).toBe(50n);

      // Late, but on both sides within the grace period: the day is re-judged, still a match, with the new count.
      const lateAt = Date.now();
      await p.a.query(`INSERT INTO "${p.table}" (order_id, customer_email, created_at, amount, status) VALUES (100001, 'late1@example.test', '${DAYS[0]}T10:00:00Z', 12.34, 'new')`);
      await p.waitReplicated();
      await waitStateEqualsSql(p, config);
      await eventually('the day re-judged as a match', async () => {
        const v = await verdict();
        return v && v.status === 'match' && v.checkedAtMs > settled!.checkedAtMs && v.checkedAtMs > lateAt ? true : undefined;
      });
      expect(await countOn('a')).toBe(51n);
      expect(await countOn('b')).toBe(51n);
      await sleep(config.graceMs + 4000);
      expect(events.map(label)).toEqual([]);

      // Late on A while replication is down for longer than the grace period: reported, then resolved.
      await p.pauseReplication();
      await p.a.query(`INSERT INTO "${p.table}" (order_id, customer_email, created_at, amount, status) VALUES (100002, 'late2@example.test', '${DAYS[0]}T11:00:00Z', 5.00, 'new')`);
      const want = [
        'opened missing_on_b 6:100002',
        `opened day_count ${DAYS[0]}`,
        `opened day_sum ${DAYS[0]} [amount]`,
        `opened day_digest ${DAYS[0]}`,
      ].sort();
      await eventually('the late row reported', async () => (opened(events).length >= want.length ? true : undefined), 60_000);
      await sleep(2000);
      expect(opened(events).map(label).sort()).toEqual(want);
      expect((await verdict())?.status).toBe('mismatch');
      expect(await metric(registry, 'recon_mismatches_opened_total', { entity: 'orders' })).toBe(4);

      await p.resumeReplication();
      await p.waitReplicated();
      await eventually('every mismatch resolved', async () => {
        const resolved = new Set(events.filter((e) => e.type === 'resolved').map((e) => e.mismatchId));
        return opened(events).every((e) => resolved.has(e.mismatchId)) ? true : undefined;
      }, 60_000);
      await eventually('the day a match again', async () => ((await verdict())?.status === 'match' ? true : undefined));
      expect(await metric(registry, 'recon_mismatches_resolved_total', { entity: 'orders' })).toBe(4);
      await waitStateEqualsSql(p, config);
      expect(await countOn('b')).toBe(52n);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'B8: one transaction across midnight: each row counted in its own business day',
    async () => {
      const { p, config, events, dead } = await setUp(100);
      const store = stateStore(config);
      const [d2, d3] = [isoToDay('2026-03-02'), isoToDay('2026-03-03')];
      const before = { d2: (await store.dayAggregate('orders', 'a', 1, d2)).count, d3: (await store.dayAggregate('orders', 'a', 1, d3)).count };

      await p.a.query('BEGIN');
      await p.a.query(`INSERT INTO "${p.table}" (order_id, customer_email, created_at, amount) VALUES (500001, 'm1@example.test', '2026-03-02T23:59:59.999999Z', 1.01)`);
      await p.a.query(`INSERT INTO "${p.table}" (order_id, customer_email, created_at, amount) VALUES (500002, 'm2@example.test', '2026-03-03T00:00:00Z', 2.02)`);
      await p.a.query('COMMIT');
      await p.waitReplicated();
      await waitStateEqualsSql(p, config);
      for (const side of ['a', 'b'] as const) {
        expect((await store.dayAggregate('orders', side, 1, d2)).count).toBe(before.d2 + 1n);
        expect((await store.dayAggregate('orders', side, 1, d3)).count).toBe(before.d3 + 1n);
      }

      // And back across midnight in one transaction, by a microsecond each.
      await p.a.query('BEGIN');
      await p.a.query(`UPDATE "${p.table}" SET created_at = '2026-03-03T00:00:00Z' WHERE order_id = 500001`);
      await p.a.query(`UPDATE "${p.table}" SET created_at = '2026-03-02T23:59:59.999999Z' WHERE order_id = 500002`);
      await p.a.query('COMMIT');
      await p.waitReplicated();
      await waitStateEqualsSql(p, config);
      await expectNoMismatch(events, config);
      expect(dead).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'B11: a column added on A only: the hashed columns stay those of first sight; no mismatch',
    async () => {
      const { p, config, events, dead } = await setUp(200);
      const redis = redisClient();
      const fixed = JSON.parse((await redis.get(entityKeys(config.redis.keyPrefix, 'orders').columns))!) as string[];
      expect(fixed).toEqual(['amount', 'created_at', 'customer_email', 'notes', 'order_id', 'status']);

      // B's replication keeps working only if the new column is not replicated: a publication column list.
      await p.a.query(`ALTER PUBLICATION "${p.table}_pub" SET TABLE "${p.table}" (order_id, customer_email, created_at, amount, status, notes)`);
      await p.a.query(`ALTER TABLE "${p.table}" ADD COLUMN extra text`);
      await p.a.query(`UPDATE "${p.table}" SET extra = 'x' || order_id, amount = amount + 1 WHERE order_id % 5 = 0`);
      await insertOrders(p.a, p.table, 50, 1000);
      await p.a.query(`UPDATE "${p.table}" SET extra = 'y' WHERE order_id >= 1000`);
      const columns = 'order_id, customer_email, created_at, amount, status, notes';
      await eventually('replication of the shared columns caught up', async () => {
        const [x, y] = await Promise.all(
          [p.a, p.b].map((db) => db.query(`SELECT md5(string_agg(row(${columns})::text, '|' ORDER BY order_id)) AS h FROM "${p.table}"`)),
        );
        return x!.rows[0].h === y!.rows[0].h ? true : undefined;
      });

      // A's stream really carries the new column.
      const records = await readTopic(p.topics.a, (rs) => rs.filter((r) => rowOf(r, 'after')?.extra === 'y').length >= 50);
      expect(records.some((r) => typeof rowOf(r, 'after')?.extra === 'string')).toBe(true);

      await waitStateEqualsSql(p, config);
      await expectNoMismatch(events, config);
      expect(dead).toEqual([]);
      expect(JSON.parse((await redis.get(entityKeys(config.redis.keyPrefix, 'orders').columns))!)).toEqual(fixed);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'B11: a hashed column dropped on B: schema-changed dead letters naming it, not a mismatch flood',
    async () => {
      const { p, config, events, dead, registry } = await setUp(200);
      // Replication would break on the missing column: B is a copy being migrated by hand.
      await p.pauseReplication();
      await p.b.query(`ALTER TABLE "${p.table}" DROP COLUMN status`);
      // Rewrite 40 rows on B with their own values: a real change event per row, without `status`.
      await p.b.query(`UPDATE "${p.table}" SET amount = amount WHERE order_id <= 40`);

      await eventually('the 40 rows dead-lettered', async () => (dead.length >= 40 ? true : undefined));
      await sleep(1000);
      expect(dead).toHaveLength(40);
      for (const d of dead) {
        expect(d.code).toBe('RECON_DL_SCHEMA_CHANGED');
        expect(d.reason).toContain('status');
        expect(d.source.topic).toBe(p.topics.b);
        expect(d.value).not.toBeNull();
      }
      expect(await metric(registry, 'recon_dead_lettered_total', { reason: 'RECON_DL_SCHEMA_CHANGED' })).toBe(40);
      // B's rows hold A's values (apart from the dropped column): the state still equals A's SQL twin.
      await waitStateEqualsSql(p, config, { sqlOf: { a: p.a, b: p.a } });
      await expectNoMismatch(events, config);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'B13: malformed JSON, a JSON that is not an envelope, an unknown op and a 2 MiB message: dead letters with code and provenance, a metric, and the partition keeps moving',
    async () => {
      const { p, config, events, dead, registry } = await setUp(100);
      // The topic must accept a 2 MiB message at all (the broker's default limit is about 1 MiB).
      const admin = kafka().admin();
      await admin.connect();
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: p.topics.a, configEntries: [{ name: 'max.message.bytes', value: String(4 * 1024 * 1024) }] }],
      });
      await admin.disconnect();

      const bad: { code: string; key: Buffer | null; value: Buffer }[] = [
        { code: 'RECON_DL_NOT_JSON', key: Buffer.from('{"order_id":900001}'), value: Buffer.from('{"op":"c","after":{"order_id":900001,') },
        { code: 'RECON_DL_NOT_AN_ENVELOPE', key: null, value: Buffer.from('{"order_id":900002,"amount":"1.00"}') },
        { code: 'RECON_DL_UNKNOWN_OP', key: null, value: Buffer.from(JSON.stringify({ op: 'x', source: { ts_ms: Date.now(), lsn: 1 }, after: { order_id: 900003 } })) },
        { code: 'RECON_DL_TOO_LARGE', key: Buffer.from('{"order_id":900004}'), value: Buffer.from(JSON.stringify({ op: 'c', pad: 'p'.repeat(2 * 1024 * 1024) })) },
      ];
      const send = await producer();
      const offsets: string[] = [];
      for (const m of bad) {
        const [meta] = await send.send({ topic: p.topics.a, acks: -1, messages: [{ key: m.key, value: m.value }] });
        offsets.push(meta!.baseOffset!);
      }
      // A burst of undecodable messages, more than the broker takes in one request when copied together.
      const burst = Array.from({ length: 150 }, (_, i) => ({ key: Buffer.from(`{"order_id":${910_000 + i}}`), value: Buffer.from(`x${i}`.padEnd(10 * 1024, 'x')) }));
      await send.send({ topic: p.topics.a, acks: -1, messages: burst });
      // A real change after them, on the same (single) partition.
      await p.a.query(`INSERT INTO "${p.table}" (order_id, customer_email, created_at, amount) VALUES (700001, 'after@example.test', '2026-03-04T08:00:00Z', 77.70)`);
      await p.waitReplicated();
      await waitStateEqualsSql(p, config);

      await eventually('the bad messages dead-lettered', async () => (dead.length >= bad.length + burst.length ? true : undefined), 60_000);
      await sleep(1000);
      expect(dead.map((d) => d.code)).toEqual([...bad.map((m) => m.code), ...burst.map(() => 'RECON_DL_NOT_JSON')]);
      // The burst, in order, each copied unchanged.
      dead.slice(bad.length).forEach((d, i) => {
        expect(d.source.offset).toBe(String(BigInt(offsets[3]!) + 1n + BigInt(i)));
        expect(d.value?.equals(burst[i]!.value)).toBe(true);
      });
      // The oversized original is not copied (no topic with the broker's default limit could take it); its size is.
      expect(dead[3]!.value).toBeNull();
      expect(dead[3]!.key?.toString()).toBe(bad[3]!.key!.toString());
      expect(dead[3]!.headers['recon.original.value.bytes']).toBe(String(bad[3]!.value.length));
      dead.slice(0, bad.length).forEach((d, i) => {
        expect(d.source).toEqual({ topic: p.topics.a, partition: 0, offset: offsets[i] });
        expect(d.reason).toBeTruthy();
        if (bad[i]!.code !== 'RECON_DL_TOO_LARGE') {
          expect(d.value?.equals(bad[i]!.value)).toBe(true);
          expect(d.key === null ? null : d.key.toString()).toBe(bad[i]!.key?.toString() ?? null);
        }
      });
      for (const m of bad.slice(1)) expect(await metric(registry, 'recon_dead_lettered_total', { reason: m.code }), m.code).toBe(1);
      expect(await metric(registry, 'recon_dead_lettered_total', { reason: 'RECON_DL_NOT_JSON' })).toBe(1 + burst.length);
      await expectNoMismatch(events, config);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'S1: personal values (e-mails) never reach mismatch events, dead-letter reasons, logs or /metrics',
    async () => {
      const p = await createTestPipeline();
      await insertOrders(p.a, p.table, 200);
      await p.a.query(`UPDATE "${p.table}" SET customer_email = 'zz.secret.' || order_id || '@pii-s1.example'`);
      await p.waitReplicated(120_000);
      const config = testConfig(p, { graceMs: GRACE_MS });
      const events = await collectMismatches(config.topics.mismatches);
      const dead = await collectDeadLetters(config.topics.deadLetter);

      // The reconciler with its log captured at debug level.
      const lines: string[] = [];
      const registry = new Registry();
      const running = await startReconciler(config, pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }), registry);
      onTestFinished(async () => {
        await running.stop();
        const redis = new Redis(stack().redisUrl);
        await deleteKeysOf(redis, config.redis.keyPrefix);
        redis.disconnect();
      });
      await waitStateEqualsSql(p, config);

      // Drift on B, touching the personal column, and input that carries e-mails into error paths.
      await p.b.query(`UPDATE "${p.table}" SET customer_email = 'zz.drifted.' || order_id || '@pii-s1.example' WHERE order_id IN (5, 6)`);
      await p.b.query(`UPDATE "${p.table}" SET amount = amount + 1 WHERE order_id = 8`);
      await p.b.query(`DELETE FROM "${p.table}" WHERE order_id = 9`);
      await p.b.query(`INSERT INTO "${p.table}" (order_id, customer_email, created_at, amount) VALUES (800001, 'zz.only.on.b@pii-s1.example', '2026-03-03T12:00:00Z', 3.00)`);
      const send = await producer();
      const envelope = (after: Record<string, unknown>) => JSON.stringify({ op: 'c', source: { ts_ms: Date.now(), lsn: 1 }, before: null, after });
      await send.send({
        topic: p.topics.a,
        acks: -1,
        messages: [
          { value: '{"op":"c","after":{"customer_email":"zz.broken@pii-s1.example"' },
          { value: envelope({ order_id: 800002, customer_email: 'zz.bad.amount@pii-s1.example', created_at: '2026-03-03T01:00:00Z', amount: 'zz.amount@pii-s1.example', status: 'new', notes: null }) },
          { value: envelope({ order_id: 800003, customer_email: 'zz.bad.day@pii-s1.example', created_at: 'zz.day@pii-s1.example', amount: '1.00', status: 'new', notes: null }) },
        ],
      });

      const want = ['opened missing_on_a 6:800001', 'opened missing_on_b 1:9', 'opened value_mismatch 1:5 [customer_email]', 'opened value_mismatch 1:6 [customer_email]', 'opened value_mismatch 1:8 [amount]'];
      await eventually('the drift reported', async () => {
        const keys = opened(events).filter((e) => e.key).map(label).sort();
        return want.every((w) => keys.includes(w)) && dead.length >= 3 ? true : undefined;
      }, 60_000);
      await sleep(2000);
      expect(dead.map((d) => d.code)).toEqual(['RECON_DL_NOT_JSON', 'RECON_DL_BAD_VALUE', 'RECON_DL_BAD_VALUE']);
      // The e-mails did flow through: the dead letters keep the original values (the copy of the source topic is as sensitive as the source).
      expect(dead.every((d) => d.value?.toString().includes('@pii-s1.example'))).toBe(true);

      const metrics = await (await fetch(`http://127.0.0.1:${running.httpPort}/metrics`)).text();
      expect(metrics).toContain('recon_dead_lettered_total');
      const captured = {
        events: events.map((e) => JSON.stringify(e)).join('\n'),
        deadLetterHeaders: dead.map((d) => JSON.stringify(d.headers)).join('\n'),
        logs: lines.join(''),
        metrics,
      };
      expect(captured.logs).toContain('dead-lettered a message');
      for (const [what, text] of Object.entries(captured)) {
        expect(text, what).not.toMatch(/pii-s1|zz\.(secret|drifted|only|broken|bad|amount|day)/);
        expect(text, what).not.toMatch(/@example\.test/);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
