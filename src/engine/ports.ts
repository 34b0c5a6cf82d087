/** Interfaces of the engine's collaborators that have more than one implementation (or a test double). */
import type { MismatchEvent } from '../domain/mismatch-event.ts';

export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** Where mismatch events go; `publish` resolves once they are durably accepted (Kafka acks=all). */
export interface MismatchSink {
  publish(events: readonly MismatchEvent[]): Promise<void>;
}

/** Both sides' watermarks of one entity, in source commit time (ms). */
export interface WatermarkReader {
  read(entity: string): Promise<{ a: number; b: number }>;
}

/** The same start / stop life cycle for every long-running part. */
export interface Service {
  start(): Promise<void>;
  /** Stops taking new work, finishes (drains) what is in hand, then resolves. */
  stop(): Promise<void>;
}
