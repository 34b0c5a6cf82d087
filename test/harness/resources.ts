/**
 * Per-test resources on the real stack. Every test gets its own topics, consumer group, Redis key
 * prefix and tables; each helper registers the clean-up right where it creates the resource, so
 * nothing outlives the test that made it.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';
import type { StackEndpoints } from './endpoints.ts';

export function stack(): StackEndpoints {
  return inject('stack');
}

/** A short unique name, safe as a topic, group, table or Redis prefix (lowercase, `_` separated). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export function kafka(clientId = uniqueName('test')): Kafka {
  return new Kafka({ clientId, brokers: stack().kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
}

/** An admin client, disconnected when the test finishes. */
export async function kafkaAdmin(): Promise<Admin> {
  const admin = kafka().admin();
  await admin.connect();
  onTestFinished(() => admin.disconnect());
  return admin;
}

/** A fresh topic, deleted when the test finishes. */
export async function createTopic(partitions = 1, name = uniqueName('t')): Promise<string> {
  const admin = await kafkaAdmin();
  await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }], waitForLeaders: true });
  onTestFinished(async () => {
    await admin.deleteTopics({ topics: [name] }).catch(() => undefined);
  });
  return name;
}

/** A Redis client whose keys all start with a fresh prefix; they are deleted when the test finishes. */
export async function redisWithPrefix(): Promise<{ redis: Redis; prefix: string }> {
  const prefix = `${uniqueName('test')}:`;
  const redis = new Redis(stack().redisUrl, { keyPrefix: prefix });
  onTestFinished(async () => {
    const raw = new Redis(stack().redisUrl);
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    raw.disconnect();
    redis.disconnect();
  });
  return { redis, prefix };
}

/** A connected Postgres client on side A or B, closed when the test finishes. */
export async function pgClient(side: 'a' | 'b'): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: side === 'a' ? stack().pgUrlA : stack().pgUrlB });
  await client.connect();
  onTestFinished(() => client.end());
  return client;
}

/** Polls `probe` until it returns a value other than undefined, or fails naming what it waited for. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
