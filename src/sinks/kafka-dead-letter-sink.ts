/**
 * The dead-letter topic: a message that cannot be decoded or applied is copied there unchanged (key
 * and value, so it can be inspected and replayed), with its reason and provenance in headers, in the
 * manner of Kafka Connect's dead-letter queues. The send is acknowledged before the source offset
 * is committed, so nothing is skipped in silence (invariants 6 and 9).
 */
import { type IHeaders, type Kafka, type KafkaMessage, Partitioners, type Producer } from 'kafkajs';
import type { DeadLetter } from '../domain/change.ts';

export interface DeadLetterEntry {
  letter: DeadLetter;
  message: KafkaMessage;
}

export const DEAD_LETTER_HEADERS = {
  code: 'recon.error.code',
  reason: 'recon.error.reason',
  topic: 'recon.source.topic',
  partition: 'recon.source.partition',
  offset: 'recon.source.offset',
} as const;

export class KafkaDeadLetterSink {
  private readonly producer: Producer;
  private readonly topic: string;

  constructor(kafka: Kafka, topic: string) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
    this.topic = topic;
  }

  async start(): Promise<void> {
    await this.producer.connect();
  }

  async send(entries: readonly DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: entries.map(({ letter, message }) => {
        const headers: IHeaders = {
          [DEAD_LETTER_HEADERS.code]: letter.code,
          [DEAD_LETTER_HEADERS.reason]: letter.reason,
          [DEAD_LETTER_HEADERS.topic]: letter.provenance.topic,
          [DEAD_LETTER_HEADERS.partition]: String(letter.provenance.partition),
          [DEAD_LETTER_HEADERS.offset]: letter.provenance.offset,
        };
        return { key: message.key, value: message.value, headers };
      }),
    });
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
  }
}
