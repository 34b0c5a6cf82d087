/**
 * The local stack without Docker: `node scripts/stack.ts fetch|up|down|status [--clean]`.
 *
 * up      fetches the JVM parts once (Maven, cached in ~/.m2), prepares Postgres (logical WAL, the
 *         example databases A and B with replication A to B), starts Kafka, Apicurio Registry and
 *         Kafka Connect with Debezium on loopback, registers one Debezium connector per side, and
 *         writes the endpoints to .stack/stack.env. Running it twice is harmless.
 * down    stops what `up` started (SIGTERM, then SIGKILL); `--clean` also removes Kafka's data and
 *         the example databases, slots and subscription, so the next `up` starts from nothing.
 * status  prints each service with its pid, state and start time; exits 1 unless all are ready.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { KafkaConnectClient } from '../src/connect/kafka-connect-client.ts';
import {
  type ExamplePipeline,
  EXAMPLE,
  pgAddressFromUrl,
  pgUrl,
  prepareExampleDatabases,
  registerExampleConnectors,
  resetExampleDatabases,
} from '../src/example/example-pipeline.ts';
import { existing, paths, repoRoot } from './stack/layout.ts';
import { ensureLogicalReplication } from './stack/postgres.ts';
import { ManagedProcess, waitReady } from './stack/processes.ts';
import {
  type ServiceSpec,
  connectService,
  formatKafkaStorage,
  kafkaService,
  registryService,
  writeConfigFiles,
} from './stack/services.ts';

const services: ServiceSpec[] = [kafkaService, registryService, connectService];
const proc = (s: ServiceSpec) => new ManagedProcess(s.name, paths.run, paths.logs);

/** Time a JVM gets to shut down cleanly before it is killed. */
const STOP_GRACE_MS = 20_000;

function log(line: string): void {
  process.stdout.write(`[stack] ${line}\n`);
}

function fetched(): boolean {
  return (
    existsSync(join(paths.lib, 'kafka-server-4.3.1.jar')) &&
    existsSync(join(paths.plugins, 'debezium-connector-postgres')) &&
    existsSync(paths.apicurioDir) &&
    readdirSync(paths.apicurioDir).some((f) => f.endsWith('-runner.jar'))
  );
}

function fetchJvmParts(): void {
  if (fetched()) return;
  log('fetching Kafka, Kafka Connect, Debezium and Apicurio from Maven Central (cached in ~/.m2)');
  const started = Date.now();
  execFileSync('mvn', ['-q', '-B', '-f', paths.pom, `-Dstack.home=${join(paths.lib, '..')}`, 'generate-resources'], {
    stdio: 'inherit',
    cwd: repoRoot,
  });
  if (!fetched()) throw new Error('Maven finished but the stack folder is incomplete; see the output above');
  log(`fetched in ${seconds(Date.now() - started)}`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** On this machine both sides are databases of the one local cluster, reached the same way by everyone. */
export function localPipeline(): ExamplePipeline {
  const server = pgAddressFromUrl(existing.pgAdminUrl);
  return {
    serverA: server,
    serverB: server,
    databaseA: EXAMPLE.databaseA,
    databaseB: EXAMPLE.databaseB,
    serverAFromB: server,
    serverAFromConnect: server,
    serverBFromConnect: server,
  };
}

/** The example reconciler's state belongs to the example databases: it goes when they go. */
async function resetExampleRedisState(): Promise<number> {
  const redis = new Redis(existing.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${EXAMPLE.redisKeyPrefix}:*`, 'COUNT', 1000);
      if (keys.length) removed += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    return removed;
  } finally {
    redis.disconnect();
  }
}

async function checkRedis(): Promise<void> {
  const redis = new Redis(existing.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(
      `Redis does not answer at ${existing.redisUrl} (${String(e)}). Start it (redis-server --daemonize yes ` +
        `--bind 127.0.0.1 --port 6379) or set RECON_STACK_REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
}

async function startService(spec: ServiceSpec): Promise<void> {
  const p = proc(spec);
  if (p.runningPid() !== undefined) {
    await waitReady(p, spec.probe, spec.timeoutMs);
    log(`${spec.name.padEnd(9)} already running (pid ${p.runningPid()})`);
    return;
  }
  const started = Date.now();
  const { command, args, cwd } = spec.command(p.marker);
  const pid = p.start(command, args, cwd);
  await waitReady(p, spec.probe, spec.timeoutMs);
  const readySeconds = (Date.now() - started) / 1000;
  p.saveRecord({ ...p.record()!, readySeconds });
  log(`${spec.name.padEnd(9)} ready in ${readySeconds.toFixed(1)} s (pid ${pid}, log ${p.logFile})`);
}

function endpoints(pipeline: ExamplePipeline): Record<string, string> {
  return {
    KAFKA_BROKERS: kafkaService.endpoint,
    SCHEMA_REGISTRY_URL: registryService.endpoint,
    CONNECT_URL: connectService.endpoint,
    REDIS_URL: existing.redisUrl,
    PG_URL_A: pgUrl(pipeline.serverA, pipeline.databaseA),
    PG_URL_B: pgUrl(pipeline.serverB, pipeline.databaseB),
  };
}

async function up(): Promise<void> {
  const started = Date.now();
  fetchJvmParts();
  for (const dir of [paths.data, paths.run, paths.logs]) mkdirSync(dir, { recursive: true });
  writeConfigFiles();

  await checkRedis();
  const pgChanges = await ensureLogicalReplication(existing.pgAdminUrl);
  if (pgChanges.length) log(`postgres  set ${pgChanges.join(', ')} and restarted`);

  const pipeline = localPipeline();
  const freshCluster = proc(kafkaService).runningPid() === undefined && formatKafkaStorage();
  if (freshCluster) {
    // Debezium keeps its offsets in Kafka: a new cluster must meet new databases and slots.
    log('kafka     new cluster: resetting the example databases and the example reconciler state');
    await resetExampleDatabases(pipeline);
    await resetExampleRedisState();
  }
  await prepareExampleDatabases(pipeline);
  log(`postgres  ${pipeline.databaseA} -> ${pipeline.databaseB} replication ready`);

  // Kafka and the registry are independent: start them side by side; Connect needs Kafka.
  await Promise.all([startService(kafkaService), startService(registryService)]);
  await startService(connectService);
  await registerExampleConnectors(pipeline, new KafkaConnectClient(connectService.endpoint));
  log(`debezium  connectors ${EXAMPLE.connectorA} and ${EXAMPLE.connectorB} running`);

  const env = endpoints(pipeline);
  writeFileSync(paths.envFile, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  log(`up in ${seconds(Date.now() - started)}; endpoints (also in ${paths.envFile}):`);
  for (const [k, v] of Object.entries(env)) log(`  ${k}=${v}`);
}

async function down(clean: boolean): Promise<void> {
  for (const spec of [...services].reverse()) {
    const result = await proc(spec).stop(STOP_GRACE_MS);
    log(`${spec.name.padEnd(9)} ${result}`);
  }
  rmSync(paths.envFile, { force: true });
  if (clean) {
    rmSync(paths.data, { recursive: true, force: true });
    await resetExampleDatabases(localPipeline());
    const keys = await resetExampleRedisState();
    log(`removed Kafka data, the example databases, slots and subscription, and ${keys} Redis keys of the example reconciler`);
  }
}

async function status(): Promise<boolean> {
  let allReady = true;
  for (const spec of services) {
    const p = proc(spec);
    const pid = p.runningPid();
    const ready = pid !== undefined && (await spec.probe().catch(() => false));
    allReady &&= ready;
    const record = p.record();
    const since = record && pid !== undefined ? `since ${record.startedAt}, ready in ${record.readySeconds?.toFixed(1) ?? '?'} s` : '';
    log(`${spec.name.padEnd(9)} ${ready ? 'ready  ' : pid ? 'STARTING' : 'DOWN   '} ${pid ? `pid ${pid}` : ''} ${spec.endpoint} ${since}`);
  }
  for (const [name, check] of [
    ['postgres', () => ensureReachablePg()],
    ['redis', () => checkRedis()],
  ] as const) {
    const ok = await check().then(() => true, () => false);
    allReady &&= ok;
    log(`${name.padEnd(9)} ${ok ? 'ready  ' : 'DOWN   '} ${name === 'redis' ? existing.redisUrl : existing.pgAdminUrl}`);
  }
  if (allReady && existsSync(paths.envFile)) log(`endpoints in ${paths.envFile}`);
  return allReady;
}

async function ensureReachablePg(): Promise<void> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: existing.pgAdminUrl });
  await client.connect();
  await client.end();
}

const usage = 'usage: node scripts/stack.ts fetch|up|down [--clean]|status';

async function cli(argv: string[]): Promise<number> {
  const [command, ...flags] = argv;
  switch (command) {
    case 'fetch':
      fetchJvmParts();
      log('JVM parts present');
      return 0;
    case 'up':
      await up();
      return 0;
    case 'down':
      await down(flags.includes('--clean'));
      return 0;
    case 'status':
      return (await status()) ? 0 : 1;
    default:
      process.stderr.write(`${usage}\n`);
      return 64;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`[stack] FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
