/**
 * A whole pipeline owned by one test: an orders-like table on side A and on side B, native logical
 * replication from A to B, a Debezium connector per side with its own topics and heartbeats, all
 * removed when the test finishes. The reconciler under test reads `topics.a` and `topics.b`.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { onTestFinished } from 'vitest';
import { KafkaConnectClient } from '../../src/connect/kafka-connect-client.ts';
import { debeziumConnectorConfig, pgAddressFromUrl } from '../../src/example/example-pipeline.ts';
import { eventually, kafka, pgClient, stack, uniqueName } from './resources.ts';

const ordersDdl = readFileSync(new URL('../../src/example/orders.sql', import.meta.url), 'utf8');

export interface TestPipeline {
  table: string;
  a: pg.Client;
  b: pg.Client;
  topics: { a: string; b: string; heartbeatA: string; heartbeatB: string };
  /** Stops (or restarts) applying A's changes on B, as a replica that lags or is down. */
  pauseReplication(): Promise<void>;
  resumeReplication(): Promise<void>;
  /** Waits until B holds exactly A's rows (replication caught up). */
  waitReplicated(timeoutMs?: number): Promise<void>;
}

function libpq(url: string): string {
  const a = pgAddressFromUrl(url);
  const db = new URL(url).pathname.slice(1);
  return `host=${a.host} port=${a.port} user=${a.user} dbname=${db}${a.password ? ` password=${a.password}` : ''}`;
}

export interface TestPipelineOptions {
  replicaIdentityFull?: boolean;
  /**
   * Extra Debezium connector properties for both sides, merged over the defaults, e.g.
   * `{ 'skipped.operations': 'none' }` so that truncates are captured (Debezium skips them by default).
   */
  connectorConfig?: Record<string, string>;
}

export async function createTestPipeline(options: TestPipelineOptions = {}): Promise<TestPipeline> {
  const name = uniqueName('p');
  const table = pg.escapeIdentifier(name);
  const a = await pgClient('a');
  const b = await pgClient('b');
  const ddl = ordersDdl.replace('public.orders', `public.${table}`);
  const sub = `${name}_sub`;
  const connect = new KafkaConnectClient(stack().connectUrl);
  const connectors = [`${name}_a`, `${name}_b`];

  onTestFinished(async () => {
    for (const c of connectors) await connect.deleteConnector(c);
    const exists = await b.query('SELECT 1 FROM pg_subscription WHERE subname = $1', [sub]);
    if (exists.rowCount) {
      await b.query(`ALTER SUBSCRIPTION ${pg.escapeIdentifier(sub)} DISABLE`);
      await b.query(`ALTER SUBSCRIPTION ${pg.escapeIdentifier(sub)} SET (slot_name = NONE)`);
      await b.query(`DROP SUBSCRIPTION ${pg.escapeIdentifier(sub)}`);
    }
    for (const db of [a, b]) {
      await eventually(`slots of ${name} released`, async () => {
        const r = await db.query(`SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name LIKE $1 AND active`, [`${name}%`]);
        return r.rows[0].n === 0 ? true : undefined;
      });
      await db.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE $1`, [`${name}%`]);
      await db.query(`DROP PUBLICATION IF EXISTS ${pg.escapeIdentifier(`${name}_pub`)}, ${pg.escapeIdentifier(`${name}_dbz`)}`);
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
    const admin = kafka().admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.includes(name));
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  await a.query(ddl);
  await b.query(ddl);
  if (options.replicaIdentityFull) {
    await a.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
    await b.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
  }
  await a.query(`CREATE PUBLICATION ${pg.escapeIdentifier(`${name}_pub`)} FOR TABLE ${table}`);
  await a.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [sub]);
  await b.query(
    `CREATE SUBSCRIPTION ${pg.escapeIdentifier(sub)} CONNECTION ${pg.escapeLiteral(libpq(stack().pgUrlA))} ` +
      `PUBLICATION ${pg.escapeIdentifier(`${name}_pub`)} WITH (create_slot = false, slot_name = ${pg.escapeLiteral(sub)}, copy_data = true)`,
  );
  for (const [side, connector] of [['a', connectors[0]!], ['b', connectors[1]!]] as const) {
    await connect.putConnector(connector, {
      ...debeziumConnectorConfig({
        name: connector,
        server: side === 'a' ? stack().pipeline.serverAFromConnect : stack().pipeline.serverBFromConnect,
        database: side === 'a' ? stack().pipeline.databaseA : stack().pipeline.databaseB,
        topicPrefix: connector,
        slot: connector,
        publication: `${name}_dbz`,
        tables: [`public.${name}`],
      }),
      ...options.connectorConfig,
    });
  }
  for (const c of connectors) await connect.waitRunning(c, 60_000);

  const count = async (db: pg.Client) => (await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
  return {
    table: name,
    a,
    b,
    topics: {
      a: `${connectors[0]}.public.${name}`,
      b: `${connectors[1]}.public.${name}`,
      heartbeatA: `__debezium-heartbeat.${connectors[0]}`,
      heartbeatB: `__debezium-heartbeat.${connectors[1]}`,
    },
    pauseReplication: async () => void (await b.query(`ALTER SUBSCRIPTION ${pg.escapeIdentifier(sub)} DISABLE`)),
    resumeReplication: async () => void (await b.query(`ALTER SUBSCRIPTION ${pg.escapeIdentifier(sub)} ENABLE`)),
    waitReplicated: async (timeoutMs = 30_000) => {
      await eventually(
        'replication A to B caught up',
        async () => {
          const [x, y] = [
            await a.query(`SELECT md5(string_agg(t::text, '|' ORDER BY order_id)) AS h FROM ${table} t`),
            await b.query(`SELECT md5(string_agg(t::text, '|' ORDER BY order_id)) AS h FROM ${table} t`),
          ];
          return x.rows[0].h === y.rows[0].h && (await count(a)) === (await count(b)) ? true : undefined;
        },
        timeoutMs,
      );
    },
  };
}
