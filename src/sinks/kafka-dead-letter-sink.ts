/**
 * The dead-letter topic: a message that cannot be decoded or applied is copied there unchanged (key
 * and value, so it can be inspected and replayed), with its reason and provenance in headers, in the
 * manner of Kafka Connect's dead-letter queues. The send is acknowledged before the source offset
 * is committed, so nothing is skipped in silence (invariants 6 and 9).
 *
 * The broker refuses a produce request whose record batch is larger than the topic's
 * `max.message.bytes` (about 1 MB by default), and kafkajs puts every message of one send into one
 * batch. So the entries go out in chunks of at most MAX_SEND_BYTES, and a key or value larger than
 * MAX_COPY_BYTES (e.g. the message dead-lettered for being too large) is not copied: its size is in
 * a header and the provenance headers point at the original. Otherwise one such message would fail
 * every attempt and stop its partition for good.
 */
import { type IHeaders, type Kafka, type KafkaMessage, type Message, Partitioners, type Producer } from 'kafkajs';
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
  /** Present when the original key / value was too large to copy: its size in bytes. */
  keyBytes: 'recon.original.key.bytes',
  valueBytes: 'recon.original.value.bytes',
} as const;

/** Largest key or value copied into a dead letter. */
export const MAX_COPY_BYTES = 512 * 1024;
/** Largest sum of keys and values sent in one request (the broker's default limit is 1,048,588 bytes per batch). */
export const MAX_SEND_BYTES = 768 * 1024;

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
    const messages = entries.map(deadLetterMessage);
    // In order, one chunk at a time: the partition's dead letters keep the source's order.
    for (let start = 0; start < messages.length; ) {
      let end = start;
      let bytes = 0;
      while (end < messages.length && (end === start || bytes + messages[end]!.bytes <= MAX_SEND_BYTES)) bytes += messages[end++]!.bytes;
      await this.producer.send({ topic: this.topic, acks: -1, messages: messages.slice(start, end).map((m) => m.message) });
      start = end;
    }
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** The dead-letter record of an entry, and roughly how many bytes it adds to a request. */
export function deadLetterMessage({ letter, message }: DeadLetterEntry): { message: Message; bytes: number } {
  const headers: IHeaders = {
    [DEAD_LETTER_HEADERS.code]: letter.code,
    [DEAD_LETTER_HEADERS.reason]: letter.reason,
    [DEAD_LETTER_HEADERS.topic]: letter.provenance.topic,
    [DEAD_LETTER_HEADERS.partition]: String(letter.provenance.partition),
    [DEAD_LETTER_HEADERS.offset]: letter.provenance.offset,
  };
  let key = message.key;
  let value = message.value;
  if (key && key.length > MAX_COPY_BYTES) {
    headers[DEAD_LETTER_HEADERS.keyBytes] = String(key.length);
    key = null;
  }
  if (value && value.length > MAX_COPY_BYTES) {
    headers[DEAD_LETTER_HEADERS.valueBytes] = String(value.length);
    value = null;
  }
  const headerBytes = Object.entries(headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(String(v)), 0);
  return { message: { key, value, headers }, bytes: (key?.length ?? 0) + (value?.length ?? 0) + headerBytes + 64 };
}
