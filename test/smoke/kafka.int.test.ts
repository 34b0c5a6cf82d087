import { expect, onTestFinished, test } from 'vitest';
import { createTopic, eventually, kafka, kafkaAdmin, uniqueName } from '../harness/resources.ts';

test('kafkajs produces, a consumer group consumes and commits on the real broker', async () => {
  const topic = await createTopic(3);
  const groupId = uniqueName('g');
  const client = kafka();

  const producer = client.producer();
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  const sent = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ i }) }));
  await producer.send({ topic, messages: sent });

  const consumer = client.consumer({ groupId });
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: number[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push((JSON.parse(message.value!.toString()) as { i: number }).i);
    },
  });
  await eventually('all 30 messages', async () => (received.length >= 30 ? true : undefined));
  await consumer.stop();
  expect([...received].sort((x, y) => x - y)).toEqual(sent.map((_, i) => i));

  // The group's committed offsets equal each partition's end: consumption was committed.
  const admin = await kafkaAdmin();
  const ends = await admin.fetchTopicOffsets(topic);
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const byPartition = new Map(committed[0]!.partitions.map((p) => [p.partition, p.offset]));
  expect(ends).toHaveLength(3);
  for (const end of ends) expect(byPartition.get(end.partition)).toBe(end.high);
  expect(ends.reduce((sum, p) => sum + Number(p.high), 0)).toBe(30);
});
