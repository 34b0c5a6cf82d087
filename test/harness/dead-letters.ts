/**
 * Reads a dead-letter topic in the background for the rest of a test: each entry keeps the original
 * key and value (as bytes) and the reconciler's headers (reason code, reason, provenance).
 */
import { onTestFinished } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../../src/sinks/kafka-dead-letter-sink.ts';
import { kafka, uniqueName } from './resources.ts';

export interface ReceivedDeadLetter {
  key: Buffer | null;
  value: Buffer | null;
  /** Every header as text. */
  headers: Record<string, string>;
  code: string | undefined;
  reason: string | undefined;
  source: { topic: string | undefined; partition: number | undefined; offset: string | undefined };
}

/**
 * Creates the topic if it does not exist yet (with the broker's defaults, as the sink's automatic
 * creation would) and collects every message from the beginning.
 */
export async function collectDeadLetters(topic: string): Promise<ReceivedDeadLetter[]> {
  const received: ReceivedDeadLetter[] = [];
  const admin = kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }).catch(() => undefined);
  await admin.disconnect();
  const consumer = kafka().consumer({ groupId: uniqueName('dlc') });
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        const first = Array.isArray(value) ? value[0] : value;
        if (first !== undefined) headers[name] = first.toString();
      }
      const partition = headers[DEAD_LETTER_HEADERS.partition];
      received.push({
        key: message.key,
        value: message.value,
        headers,
        code: headers[DEAD_LETTER_HEADERS.code],
        reason: headers[DEAD_LETTER_HEADERS.reason],
        source: {
          topic: headers[DEAD_LETTER_HEADERS.topic],
          partition: partition === undefined ? undefined : Number(partition),
          offset: headers[DEAD_LETTER_HEADERS.offset],
        },
      });
    },
  });
  return received;
}
