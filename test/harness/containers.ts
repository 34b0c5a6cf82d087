/**
 * The example stack on testcontainers, for machines with a container runtime: the topology of
 * docker-compose.yml (Kafka, Connect with Debezium, Apicurio, Postgres A and B, Redis) on one
 * private network, each service also published on a random host port for the tests.
 *
 * Every testcontainers module is imported dynamically (type imports are erased), so importing this
 * file loads nothing of testcontainers: machines without Docker never pay for it.
 */
import type { StartedKafkaContainer } from '@testcontainers/kafka';
import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import type { StartedRedisContainer } from '@testcontainers/redis';
import type { StartedTestContainer } from 'testcontainers';
import { KafkaConnectClient } from '../../src/connect/kafka-connect-client.ts';
import {
  EXAMPLE,
  type ExamplePipeline,
  type PgAddress,
  pgUrl,
  prepareExampleDatabases,
  registerExampleConnectors,
} from '../../src/example/example-pipeline.ts';
import type { StackEndpoints } from './endpoints.ts';

/**
 * The images; all but Kafka are those of docker-compose.yml (a unit test keeps them equal). Kafka
 * is Confluent's image here because @testcontainers/kafka drives that image's start scripts to
 * advertise both the host-mapped port and the in-network alias; cp-kafka 8.2 is Apache Kafka 4.2.
 */
export const CONTAINER_IMAGES = {
  kafka: 'confluentinc/cp-kafka:8.2.0',
  connect: 'quay.io/debezium/connect:3.6.1.Final',
  registry: 'quay.io/apicurio/apicurio-registry-mem:2.6.13.Final',
  postgres: 'postgres:15',
  redis: 'redis:7',
} as const;

/** Network aliases: the containers reach each other by these names, as compose services do. */
const ALIAS = {
  kafka: 'kafka',
  connect: 'connect',
  registry: 'registry',
  postgresA: 'postgres-a',
  postgresB: 'postgres-b',
  redis: 'redis',
} as const;

const PG_USER = 'postgres';
const PG_PASSWORD = 'recon';
const PG_PORT = 5432;
/** The same server settings as docker-compose.yml: logical decoding, and room for the tests' slots. */
const POSTGRES_COMMAND = ['postgres', '-c', 'wal_level=logical', '-c', 'max_replication_slots=20', '-c', 'max_wal_senders=20'];

/** @testcontainers/kafka: the port mapped to the host, and the broker listener inside the network. */
const KAFKA_HOST_PORT = 9093;
const KAFKA_NETWORK_PORT = 9092;
const CONNECT_PORT = 8083;
const REGISTRY_PORT = 8080;
const POSTGRES_CONNECTOR_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';
/** JVM images pull and start slowly on a cold machine. */
const STARTUP_TIMEOUT_MS = 180_000;

const NO_RUNTIME = 'Could not find a working container runtime strategy';

/**
 * Whether Docker (or another runtime testcontainers supports) answers. Without one,
 * testcontainers fails within milliseconds with NO_RUNTIME; any other failure is a broken runtime
 * and is reported rather than hidden.
 */
export async function containerRuntimeAvailable(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
    return true;
  } catch (error) {
    if (error instanceof Error && error.message.includes(NO_RUNTIME)) return false;
    throw error;
  }
}

interface Stoppable {
  stop(): Promise<unknown>;
}

/** Stops in reverse start order (Connect before Postgres, the network last), ignoring what is already gone. */
async function stopAll(started: Stoppable[]): Promise<void> {
  for (const item of [...started].reverse()) {
    await item.stop().catch(() => undefined);
  }
}

/**
 * Starts the services in parallel where they do not depend on each other; if any fails, stops
 * those that did start before rethrowing, so a failed start leaks nothing.
 */
async function startAllOrNothing<T extends readonly unknown[]>(
  started: Stoppable[],
  starts: { [K in keyof T]: Promise<T[K] & Stoppable> },
): Promise<T> {
  const results = await Promise.allSettled(starts);
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * Starts the example stack, prepares both databases (tables, publication, slot, subscription A -> B)
 * and registers the two Debezium connectors. `stop()` removes every container and the network.
 */
export async function startContainerStack(): Promise<{ endpoints: StackEndpoints; stop(): Promise<void> }> {
  const { GenericContainer, Network, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');

  const started: Stoppable[] = [];
  try {
    const network = await new Network().start();
    started.push(network);

    const postgres = (alias: string, database: string) =>
      new PostgreSqlContainer(CONTAINER_IMAGES.postgres)
        .withNetwork(network)
        .withNetworkAliases(alias)
        .withDatabase(database)
        .withUsername(PG_USER)
        .withPassword(PG_PASSWORD)
        .withCommand(POSTGRES_COMMAND)
        .start();

    const [kafka, pgA, pgB, redis, registry] = await startAllOrNothing<
      [StartedKafkaContainer, StartedPostgreSqlContainer, StartedPostgreSqlContainer, StartedRedisContainer, StartedTestContainer]
    >(started, [
      new KafkaContainer(CONTAINER_IMAGES.kafka)
        .withNetwork(network)
        .withNetworkAliases(ALIAS.kafka)
        // The in-network listener advertises the container's hostname: make it the alias.
        .withHostname(ALIAS.kafka)
        .withEnvironment({
          // One node: every internal topic at replication factor 1 (the module sets only some).
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
          KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
        })
        .start(),
      postgres(ALIAS.postgresA, EXAMPLE.databaseA),
      postgres(ALIAS.postgresB, EXAMPLE.databaseB),
      new RedisContainer(CONTAINER_IMAGES.redis).withNetwork(network).withNetworkAliases(ALIAS.redis).start(),
      new GenericContainer(CONTAINER_IMAGES.registry)
        .withNetwork(network)
        .withNetworkAliases(ALIAS.registry)
        .withExposedPorts(REGISTRY_PORT)
        .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', REGISTRY_PORT).forStatusCode(200))
        .withStartupTimeout(STARTUP_TIMEOUT_MS)
        .start(),
    ]);

    // The worker settings of docker-compose.yml's `connect` service.
    const connect = await new GenericContainer(CONTAINER_IMAGES.connect)
      .withNetwork(network)
      .withNetworkAliases(ALIAS.connect)
      .withEnvironment({
        BOOTSTRAP_SERVERS: `${ALIAS.kafka}:${KAFKA_NETWORK_PORT}`,
        GROUP_ID: 'recon-connect',
        CONFIG_STORAGE_TOPIC: 'recon-connect-configs',
        OFFSET_STORAGE_TOPIC: 'recon-connect-offsets',
        STATUS_STORAGE_TOPIC: 'recon-connect-status',
        KEY_CONVERTER: 'org.apache.kafka.connect.json.JsonConverter',
        VALUE_CONVERTER: 'org.apache.kafka.connect.json.JsonConverter',
        OFFSET_FLUSH_INTERVAL_MS: '1000',
        ADVERTISED_HOST_NAME: ALIAS.connect,
        HEAP_OPTS: '-Xms256m -Xmx512m',
        CONNECT_LISTENERS: `http://0.0.0.0:${CONNECT_PORT}`,
        CONNECT_KEY_CONVERTER_SCHEMAS_ENABLE: 'false',
        CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE: 'false',
        CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR: '1',
        CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR: '1',
        CONNECT_STATUS_STORAGE_REPLICATION_FACTOR: '1',
        CONNECT_OFFSET_STORAGE_PARTITIONS: '1',
        CONNECT_STATUS_STORAGE_PARTITIONS: '1',
      })
      .withExposedPorts(CONNECT_PORT)
      // Ready once the worker has joined its group and lists the Postgres connector plugin.
      .withWaitStrategy(
        Wait.forHttp('/connector-plugins', CONNECT_PORT)
          .forStatusCode(200)
          .forResponsePredicate((body) => body.includes(POSTGRES_CONNECTOR_CLASS)),
      )
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start();
    started.push(connect);

    const fromHost = (c: StartedPostgreSqlContainer): PgAddress => ({
      host: c.getHost(),
      port: c.getPort(),
      user: PG_USER,
      password: PG_PASSWORD,
    });
    const inNetwork = (alias: string): PgAddress => ({ host: alias, port: PG_PORT, user: PG_USER, password: PG_PASSWORD });
    const pipeline: ExamplePipeline = {
      serverA: fromHost(pgA),
      serverB: fromHost(pgB),
      databaseA: EXAMPLE.databaseA,
      databaseB: EXAMPLE.databaseB,
      serverAFromB: inNetwork(ALIAS.postgresA),
      serverAFromConnect: inNetwork(ALIAS.postgresA),
      serverBFromConnect: inNetwork(ALIAS.postgresB),
    };

    const connectUrl = `http://${connect.getHost()}:${connect.getMappedPort(CONNECT_PORT)}`;
    await prepareExampleDatabases(pipeline);
    await registerExampleConnectors(pipeline, new KafkaConnectClient(connectUrl));

    const endpoints: StackEndpoints = {
      kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(KAFKA_HOST_PORT)}`,
      schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(REGISTRY_PORT)}/apis/ccompat/v7`,
      connectUrl,
      redisUrl: redis.getConnectionUrl(),
      pgUrlA: pgUrl(pipeline.serverA, pipeline.databaseA),
      pgUrlB: pgUrl(pipeline.serverB, pipeline.databaseB),
      pipeline,
      origin: 'testcontainers',
    };
    return { endpoints, stop: () => stopAll(started) };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}
