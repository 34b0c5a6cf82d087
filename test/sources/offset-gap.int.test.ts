import type { KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { expect, onTestFinished, test } from 'vitest';
import { KafkaChangeSource, type OffsetGap } from '../../src/sources/kafka-change-source.ts';
import { createTopic, eventually, kafka, kafkaAdmin, uniqueName } from '../harness/resources.ts';

/** A change source on its own topic and group whose handler only records what it is given. */
function source(topic: string, groupId: string, gaps: OffsetGap[], seen: string[]) {
  const s = new KafkaChangeSource(
    kafka(),
    { handle: async (_t: string, _p: number, messages: KafkaMessage[]) => (seen.push(...messages.map((m) => m.offset)), { maxTsMs: 0 }) },
    async () => undefined,
    { groupId, topics: [topic], partitionsConsumedConcurrently: 1, progressIntervalMs: 60_000, sessionTimeoutMs: 10_000 },
    pino({ level: 'silent' }),
    async (gap) => void gaps.push(gap),
  );
  onTestFinished(() => s.stop());
  return s;
}

async function produce(topic: string, count: number): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();
}

test('F13: a committed offset deleted by retention is reported as a gap, not skipped in silence', async () => {
  const topic = await createTopic(1);
  const groupId = uniqueName('g');
  const gaps: OffsetGap[] = [];
  const seen: string[] = [];
  await produce(topic, 10);
  const first = source(topic, groupId, gaps, seen);
  await first.start();
  await eventually('the first ten read', async () => (seen.length >= 10 ? true : undefined));
  await first.stop();

  // Ten more arrive while nobody reads, and retention deletes everything before offset 15.
  await produce(topic, 10);
  const admin = await kafkaAdmin();
  await admin.fetchTopicMetadata({ topics: [topic] }); // kafkajs' deleteTopicRecords needs it loaded
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '15' }] });

  const second = source(topic, groupId, gaps, seen);
  await second.start();
  await eventually('the rest read', async () => (seen.includes('19') ? true : undefined));
  expect(seen.slice(10)).toEqual(['15', '16', '17', '18', '19']);
  expect(gaps).toEqual([{ topic, partition: 0, committedOffset: '10', firstAvailableOffset: '15' }]);
});

test('a restart with nothing deleted reports no gap', async () => {
  const topic = await createTopic(1);
  const groupId = uniqueName('g');
  const gaps: OffsetGap[] = [];
  const seen: string[] = [];
  await produce(topic, 5);
  const first = source(topic, groupId, gaps, seen);
  await first.start();
  await eventually('five read', async () => (seen.length >= 5 ? true : undefined));
  await first.stop();
  await produce(topic, 5);
  const second = source(topic, groupId, gaps, seen);
  await second.start();
  await eventually('all read', async () => (seen.includes('9') ? true : undefined));
  expect(seen).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  expect(gaps).toEqual([]);
});
