/**
 * Publishes mismatch events to the mismatch topic: JSON, keyed by mismatch id (so one mismatch's
 * lifecycle stays in order on one partition), acknowledged by all in-sync replicas, with kafkajs'
 * idempotent producer so its own retries do not duplicate. A failed publish throws: the judge then
 * retries the same events (same ids) on its next tick (F14).
 */
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import type { MismatchEvent } from '../domain/mismatch-event.ts';
import type { MismatchSink } from '../engine/ports.ts';

export class KafkaMismatchSink implements MismatchSink {
  private readonly producer: Producer;
  private readonly topic: string;

  constructor(kafka: Kafka, topic: string) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
    this.topic = topic;
  }

  async start(): Promise<void> {
    await this.producer.connect();
  }

  async publish(events: readonly MismatchEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: events.map((e) => ({
        key: e.mismatchId,
        value: JSON.stringify(e),
        headers: { 'recon.event-id': e.eventId, 'recon.schema': e.schema },
      })),
    });
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
  }
}
