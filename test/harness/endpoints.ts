/**
 * The addresses of the real services that integration and end-to-end tests talk to, however the
 * stack was started (environment, testcontainers, or the native stack of `npm run stack:up`).
 */
import type { ExamplePipeline } from '../../src/example/example-pipeline.ts';

export interface StackEndpoints {
  /** Comma-separated `host:port` list. */
  kafkaBrokers: string;
  /** Confluent-compatible API base, e.g. `http://127.0.0.1:8081/apis/ccompat/v7`. */
  schemaRegistryUrl: string;
  /** Kafka Connect REST base, e.g. `http://127.0.0.1:8083`. */
  connectUrl: string;
  redisUrl: string;
  /** Side A's and side B's example databases, as a superuser (tests create tables and slots). */
  pgUrlA: string;
  pgUrlB: string;
  /** How the example pipeline's peers reach each other (they differ from the above in containers). */
  pipeline: ExamplePipeline;
  /** Where the stack came from, for messages. */
  origin: 'environment' | 'testcontainers' | 'native';
}

/** Names of the environment variables that, when all set, point the tests at an existing stack. */
export const ENDPOINT_ENV = {
  kafkaBrokers: 'KAFKA_BROKERS',
  schemaRegistryUrl: 'SCHEMA_REGISTRY_URL',
  connectUrl: 'CONNECT_URL',
  redisUrl: 'REDIS_URL',
  pgUrlA: 'PG_URL_A',
  pgUrlB: 'PG_URL_B',
} as const;
