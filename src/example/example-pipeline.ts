/**
 * The example pipeline that the demo and the tests stand on, the same on every stack (native,
 * testcontainers, docker-compose):
 *
 *   side A (database `recon_a`)  --Postgres logical replication-->  side B (database `recon_b`)
 *        |  Debezium connector `recon-a`, topic prefix `a`              |  connector `recon-b`, prefix `b`
 *        v                                                              v
 *   a.public.orders                                               b.public.orders
 *
 * B is a real replica of A (publication on A, subscription on B), so it can lag, drift and miss
 * windows. Side A also holds Debezium's signal table for targeted re-snapshots.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { KafkaConnectClient } from '../connect/kafka-connect-client.ts';

/** How to reach one Postgres server, from this process or from a peer (Connect, B's subscription). */
export interface PgAddress {
  host: string;
  port: number;
  user: string;
  password?: string;
}

export interface ExamplePipeline {
  /** Side A's server as this process reaches it (a superuser: it creates databases and slots). */
  serverA: PgAddress;
  serverB: PgAddress;
  databaseA: string;
  databaseB: string;
  /** Side A as B's subscription reaches it; the same as serverA unless they sit on different networks. */
  serverAFromB: PgAddress;
  /** Each side as Kafka Connect reaches it. */
  serverAFromConnect: PgAddress;
  serverBFromConnect: PgAddress;
}

/** The names the example uses; fixed so that the demo, tests and docs agree. */
export const EXAMPLE = {
  databaseA: 'recon_a',
  databaseB: 'recon_b',
  table: 'orders',
  schema: 'public',
  signalTable: 'debezium_signal',
  publication: 'recon_pub',
  subscription: 'recon_sub',
  connectorA: 'recon-a',
  connectorB: 'recon-b',
  topicPrefixA: 'a',
  topicPrefixB: 'b',
  slotA: 'debezium_a',
  slotB: 'debezium_b',
  /** The Redis key prefix and consumer group of examples/reconciler.yaml, reset with the databases. */
  redisKeyPrefix: 'recon-example',
  consumerGroup: 'cdc-reconciler-example',
  /** Debezium heartbeats keep a quiet side's watermark moving. */
  heartbeatIntervalMs: 1000,
} as const;

const ordersDdl = readFileSync(new URL('./orders.sql', import.meta.url), 'utf8');
const signalTableDdl = readFileSync(new URL('./signal-table.sql', import.meta.url), 'utf8');

export function pgUrl(address: PgAddress, database: string): string {
  const auth = address.password
    ? `${encodeURIComponent(address.user)}:${encodeURIComponent(address.password)}`
    : encodeURIComponent(address.user);
  return `postgres://${auth}@${address.host}:${address.port}/${encodeURIComponent(database)}`;
}

/** The inverse of `pgUrl`: a `postgres://user:password@host:port/db` URL's server part. */
export function pgAddressFromUrl(url: string): PgAddress {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

function libpqConninfo(address: PgAddress, database: string): string {
  const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const parts = [`host=${quote(address.host)}`, `port=${address.port}`, `user=${quote(address.user)}`, `dbname=${quote(database)}`];
  if (address.password) parts.push(`password=${quote(address.password)}`);
  return parts.join(' ');
}

async function withClient<T>(address: PgAddress, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl(address, database) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(address: PgAddress, database: string): Promise<boolean> {
  return withClient(address, 'postgres', async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    return r.rowCount === 1;
  });
}

async function ensureDatabase(address: PgAddress, database: string): Promise<void> {
  if (await databaseExists(address, database)) return;
  await withClient(address, 'postgres', (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`));
}

/** Drops every replication slot of the database, ending the walsender that holds one, if any. */
async function dropSlotsOf(address: PgAddress, database: string): Promise<void> {
  await withClient(address, 'postgres', async (c) => {
    const slots = await c.query<{ slot_name: string; active_pid: number | null }>(
      'SELECT slot_name, active_pid FROM pg_replication_slots WHERE database = $1',
      [database],
    );
    for (const slot of slots.rows) {
      if (slot.active_pid !== null) await c.query('SELECT pg_terminate_backend($1)', [slot.active_pid]);
      for (let attempt = 0; ; attempt++) {
        try {
          await c.query('SELECT pg_drop_replication_slot($1)', [slot.slot_name]);
          break;
        } catch (e) {
          // A terminated walsender releases its slot a moment later.
          if (attempt >= 50) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  });
}

/**
 * Removes the example pipeline's databases with everything in them: every subscription of B (the
 * example's and any a test left behind), every slot of both, so that a fresh Kafka cluster starts
 * from a fresh source (Debezium offsets live in Kafka; stale slots would pin WAL forever).
 */
export async function resetExampleDatabases(p: ExamplePipeline): Promise<void> {
  if (await databaseExists(p.serverB, p.databaseB)) {
    await withClient(p.serverB, p.databaseB, async (c) => {
      const subs = await c.query<{ subname: string }>(
        'SELECT subname FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())',
      );
      for (const { subname } of subs.rows) {
        const name = pg.escapeIdentifier(subname);
        // Detach the remote slot first: DROP SUBSCRIPTION would otherwise try to drop it over a
        // replication connection, which hangs when A and B share one cluster.
        await c.query(`ALTER SUBSCRIPTION ${name} DISABLE`);
        await c.query(`ALTER SUBSCRIPTION ${name} SET (slot_name = NONE)`);
        await c.query(`DROP SUBSCRIPTION ${name}`);
      }
    });
  }
  for (const [server, database] of [
    [p.serverB, p.databaseB],
    [p.serverA, p.databaseA],
  ] as const) {
    await dropSlotsOf(server, database);
    await withClient(server, 'postgres', (c) =>
      c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`),
    );
  }
}

/** Creates (idempotently) both databases, the example table, the signal table on A and the replication A to B. */
export async function prepareExampleDatabases(p: ExamplePipeline): Promise<void> {
  await ensureDatabase(p.serverA, p.databaseA);
  await ensureDatabase(p.serverB, p.databaseB);
  await withClient(p.serverA, p.databaseA, async (c) => {
    await c.query(ordersDdl);
    await c.query(signalTableDdl);
    const pub = await c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [EXAMPLE.publication]);
    if (pub.rowCount === 0) {
      await c.query(
        `CREATE PUBLICATION ${pg.escapeIdentifier(EXAMPLE.publication)} FOR TABLE ${EXAMPLE.schema}.${EXAMPLE.table}`,
      );
    }
    // The subscription's slot is made here rather than by CREATE SUBSCRIPTION: when A and B are
    // databases of one cluster, creating the slot inside CREATE SUBSCRIPTION waits on itself forever.
    const slot = await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [EXAMPLE.subscription]);
    if (slot.rowCount === 0) {
      await c.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [EXAMPLE.subscription]);
    }
  });
  await withClient(p.serverB, p.databaseB, async (c) => {
    await c.query(ordersDdl);
    const sub = await c.query('SELECT 1 FROM pg_subscription WHERE subname = $1', [EXAMPLE.subscription]);
    if (sub.rowCount === 0) {
      await c.query(
        `CREATE SUBSCRIPTION ${pg.escapeIdentifier(EXAMPLE.subscription)} ` +
          `CONNECTION ${pg.escapeLiteral(libpqConninfo(p.serverAFromB, p.databaseA))} ` +
          `PUBLICATION ${pg.escapeIdentifier(EXAMPLE.publication)} ` +
          `WITH (create_slot = false, slot_name = ${pg.escapeLiteral(EXAMPLE.subscription)}, copy_data = true)`,
      );
    }
  });
}

export interface DebeziumConnectorOptions {
  name: string;
  server: PgAddress;
  database: string;
  topicPrefix: string;
  slot: string;
  /** Fully qualified tables, e.g. `public.orders`. */
  tables: string[];
  /** Fully qualified signal table, side A only. */
  signalTable?: string;
  /** Debezium's publication for this connector; one per connector when several share a database. */
  publication?: string;
}

/**
 * A Debezium Postgres connector config. Decimals as strings (the default, binary, is harder to read
 * in JSON and needs the schema to decode); heartbeats so an idle side still advances.
 */
export function debeziumConnectorConfig(o: DebeziumConnectorOptions): Record<string, string> {
  const tables = o.signalTable ? [...o.tables, o.signalTable] : o.tables;
  const config: Record<string, string> = {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'plugin.name': 'pgoutput',
    'database.hostname': o.server.host,
    'database.port': String(o.server.port),
    'database.user': o.server.user,
    'database.password': o.server.password ?? '',
    'database.dbname': o.database,
    'topic.prefix': o.topicPrefix,
    'slot.name': o.slot,
    'publication.name': o.publication ?? `dbz_${o.slot}`,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': tables.map(escapeRegexName).join(','),
    'snapshot.mode': 'initial',
    'decimal.handling.mode': 'string',
    'heartbeat.interval.ms': String(EXAMPLE.heartbeatIntervalMs),
    // Debezium skips truncates by default; the reconciler must see them to flag the entity (B6).
    'skipped.operations': 'none',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  };
  if (o.signalTable) config['signal.data.collection'] = o.signalTable;
  return config;
}

/** table.include.list entries are regular expressions; a table name is matched literally. */
function escapeRegexName(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function exampleConnectors(p: ExamplePipeline): { name: string; config: Record<string, string> }[] {
  const table = `${EXAMPLE.schema}.${EXAMPLE.table}`;
  return [
    {
      name: EXAMPLE.connectorA,
      config: debeziumConnectorConfig({
        name: EXAMPLE.connectorA,
        server: p.serverAFromConnect,
        database: p.databaseA,
        topicPrefix: EXAMPLE.topicPrefixA,
        slot: EXAMPLE.slotA,
        tables: [table],
        signalTable: `${EXAMPLE.schema}.${EXAMPLE.signalTable}`,
      }),
    },
    {
      name: EXAMPLE.connectorB,
      config: debeziumConnectorConfig({
        name: EXAMPLE.connectorB,
        server: p.serverBFromConnect,
        database: p.databaseB,
        topicPrefix: EXAMPLE.topicPrefixB,
        slot: EXAMPLE.slotB,
        tables: [table],
      }),
    },
  ];
}

/** Registers both example connectors (idempotent) and waits until they run. */
export async function registerExampleConnectors(p: ExamplePipeline, connect: KafkaConnectClient, timeoutMs = 60_000): Promise<void> {
  const connectors = exampleConnectors(p);
  for (const c of connectors) await connect.putConnector(c.name, c.config);
  for (const c of connectors) await connect.waitRunning(c.name, timeoutMs);
}
