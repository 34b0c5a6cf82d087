/**
 * Runs the reconciler in the test's process against a test pipeline, on its own consumer group,
 * Redis prefix and output topics, and collects what it publishes.
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { onTestFinished } from 'vitest';
import { type RunningReconciler, startReconciler } from '../../src/app.ts';
import { type ReconcilerConfig, validateConfig } from '../../src/config/index.ts';
import type { MismatchEvent } from '../../src/domain/mismatch-event.ts';
import { deleteKeysOf } from './redis-state.ts';
import { kafka, stack, uniqueName } from './resources.ts';
import type { TestPipeline } from './pipeline.ts';
import { Redis } from 'ioredis';

export interface TestReconcilerOptions {
  graceMs?: number;
  /** Share these with another instance to test a group of instances. */
  groupId?: string;
  keyPrefix?: string;
  mismatchTopic?: string;
  deadLetterTopic?: string;
  shards?: number;
}

/** The configuration a user would write for a test pipeline. */
export function testConfig(p: TestPipeline, o: TestReconcilerOptions = {}): ReconcilerConfig {
  return validateConfig({
    kafka: { brokers: stack().kafkaBrokers.split(','), clientId: 'recon-test', groupId: o.groupId ?? uniqueName('g') },
    redis: { url: stack().redisUrl, keyPrefix: o.keyPrefix ?? uniqueName('rc'), shards: o.shards ?? 4, keyBuckets: 64 },
    topics: { mismatches: o.mismatchTopic ?? uniqueName('mm'), deadLetter: o.deadLetterTopic ?? uniqueName('dl') },
    keys: { mode: 'plain' },
    graceMs: o.graceMs ?? 3000,
    judgeIntervalMs: 200,
    http: { host: '127.0.0.1', port: 0 },
    entities: [
      {
        name: 'orders',
        key: ['order_id'],
        businessDay: { column: 'created_at', timeZone: 'UTC' },
        amounts: [{ column: 'amount', scale: 2 }],
        columns: { toast: ['notes'], types: { created_at: { type: 'timestamptz' }, amount: { type: 'decimal' } } },
        sources: {
          a: { topic: p.topics.a, format: 'debezium-json', decimalHandling: 'string', heartbeatTopic: p.topics.heartbeatA },
          b: { topic: p.topics.b, format: 'debezium-json', decimalHandling: 'string', heartbeatTopic: p.topics.heartbeatB },
        },
      },
    ],
  });
}

export interface TestReconciler {
  config: ReconcilerConfig;
  running: RunningReconciler;
  registry: Registry;
  stop(): Promise<void>;
}

/** Starts an instance; it is stopped (and, unless shared, its Redis keys removed) when the test finishes. */
export async function startTestReconciler(config: ReconcilerConfig, options: { keepState?: boolean } = {}): Promise<TestReconciler> {
  const registry = new Registry();
  const log = pino({ level: process.env.RECON_TEST_LOG ?? 'silent' });
  const running = await startReconciler(config, log, registry);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await running.stop();
  };
  onTestFinished(async () => {
    await stop();
    if (!options.keepState) {
      const redis = new Redis(stack().redisUrl);
      await deleteKeysOf(redis, config.redis.keyPrefix);
      redis.disconnect();
    }
  });
  return { config, running, registry, stop };
}

/** Reads the mismatch topic from the beginning, in the background, for the rest of the test. */
export async function collectMismatches(topic: string): Promise<MismatchEvent[]> {
  const events: MismatchEvent[] = [];
  const admin = kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }).catch(() => undefined);
  await admin.disconnect();
  const consumer = kafka().consumer({ groupId: uniqueName('mmc') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void events.push(JSON.parse(message.value!.toString()) as MismatchEvent) });
  onTestFinished(() => consumer.disconnect());
  return events;
}
