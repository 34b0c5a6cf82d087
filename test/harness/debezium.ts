/**
 * Debezium captures owned by one test: a fresh table on side A or B, its own connector, slot,
 * publication and topic prefix, all removed when the test finishes. Also a collector that reads a
 * topic with a fresh consumer group until it has seen what the test waits for.
 */
import { onTestFinished } from 'vitest';
import pg from 'pg';
import { KafkaConnectClient } from '../../src/connect/kafka-connect-client.ts';
import { debeziumConnectorConfig } from '../../src/example/example-pipeline.ts';
import { eventually, kafka, kafkaAdmin, pgClient, stack, uniqueName } from './resources.ts';

export interface Capture {
  table: string;
  topic: string;
  connector: string;
  db: pg.Client;
}

/**
 * Creates `CREATE TABLE <name> (<columns>)` on the side and a connector capturing it.
 * `columns` is the column list of the test's own table, e.g. `id bigint primary key, v text`.
 */
export async function captureNewTable(
  side: 'a' | 'b',
  columns: string,
  options: { replicaIdentityFull?: boolean } = {},
): Promise<Capture> {
  const name = uniqueName('cap');
  const db = await pgClient(side);
  const table = pg.escapeIdentifier(name);
  await db.query(`CREATE TABLE ${table} (${columns})`);
  if (options.replicaIdentityFull) await db.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);

  const connect = new KafkaConnectClient(stack().connectUrl);
  const server = side === 'a' ? stack().pipeline.serverAFromConnect : stack().pipeline.serverBFromConnect;
  const database = side === 'a' ? stack().pipeline.databaseA : stack().pipeline.databaseB;
  await connect.putConnector(
    name,
    debeziumConnectorConfig({
      name,
      server,
      database,
      topicPrefix: name,
      slot: name,
      publication: name,
      tables: [`public.${name}`],
    }),
  );
  onTestFinished(async () => {
    await connect.deleteConnector(name);
    // The slot stays active until the task has stopped; dropping it earlier fails.
    await eventually(`slot ${name} released`, async () => {
      const r = await db.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [name]);
      return r.rowCount === 0 || r.rows[0].active === false ? true : undefined;
    });
    await db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [name]);
    await db.query(`DROP PUBLICATION IF EXISTS ${table}`);
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    const admin = await kafka().admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${name}.`) || t === name);
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });
  await connect.waitRunning(name, 60_000);
  return { table: name, topic: `${name}.public.${name}`, connector: name, db };
}

export interface Received {
  key: unknown;
  /** The parsed value; null for a tombstone. */
  value: Record<string, unknown> | null;
}

/**
 * Reads `topic` from the beginning with a fresh group and returns the messages that `keep` accepts,
 * once `done` says the test has seen enough (or fails naming what is missing after `timeoutMs`).
 */
export async function collect(
  topic: string,
  keep: (m: Received) => boolean,
  done: (kept: Received[]) => boolean,
  timeoutMs = 30_000,
): Promise<Received[]> {
  // Debezium creates its topics on first write; wait for the topic before subscribing.
  const admin = await kafkaAdmin();
  await eventually(`topic ${topic}`, async () => ((await admin.listTopics()).includes(topic) ? true : undefined), timeoutMs);
  const consumer = kafka().consumer({ groupId: uniqueName('g') });
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const kept: Received[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const m: Received = {
        key: message.key ? JSON.parse(message.key.toString()) : null,
        value: message.value ? (JSON.parse(message.value.toString()) as Record<string, unknown>) : null,
      };
      if (keep(m)) kept.push(m);
    },
  });
  try {
    await eventually(`the expected messages on ${topic} (have ${kept.length})`, async () => (done(kept) ? true : undefined), timeoutMs);
  } finally {
    await consumer.stop();
  }
  return kept;
}
