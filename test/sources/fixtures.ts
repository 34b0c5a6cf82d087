/**
 * The golden Debezium messages under test/fixtures/debezium (captured from Debezium 3.6.1; each file
 * says how), and the small helpers every decoder test uses to read them.
 */
import { readFileSync } from 'node:fs';
import type { ChangeMessage, DecodeResult } from '../../src/domain/change.ts';
import type { KafkaRecord } from '../../src/sources/decode/index.ts';

export interface FixtureMessage {
  case: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
}

export function load(name: string): FixtureMessage[] {
  return (JSON.parse(readFileSync(new URL(`../fixtures/debezium/${name}.json`, import.meta.url), 'utf8')) as { messages: FixtureMessage[] })
    .messages;
}

/** The message as a Kafka record, its value text optionally edited first. */
export function record(m: FixtureMessage, edit: (text: string) => string = (t) => t): KafkaRecord {
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    key: m.key === null ? null : Buffer.from(m.key),
    value: m.value === null ? null : Buffer.from(edit(m.value)),
  };
}

/** The one message of a file labelled `label`; fails when there is not exactly one. */
export function only(messages: FixtureMessage[], label: string): FixtureMessage {
  const found = messages.filter((m) => m.case === label);
  if (found.length !== 1) throw new Error(`fixture case ${label}: ${found.length} messages`);
  return found[0]!;
}

export function change(result: DecodeResult): ChangeMessage {
  if (result.kind !== 'change') throw new Error(`expected a change, got ${JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  return result;
}
