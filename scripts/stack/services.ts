/**
 * The three JVM services of the local stack: Kafka (KRaft, broker and controller in one process),
 * Apicurio Registry (Confluent-compatible API) and Kafka Connect with the Debezium Postgres plugin.
 * Each is a command line plus a readiness probe.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { host, paths, ports } from './layout.ts';

function javaBin(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function properties(entries: Record<string, string | number>): string {
  return `${Object.entries(entries).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

/** Kafka's own YAML log config needs a parser it does not ship; a properties config needs none. */
const log4j2 = properties({
  'status': 'warn',
  'appender.out.type': 'Console',
  'appender.out.name': 'OUT',
  'appender.out.layout.type': 'PatternLayout',
  'appender.out.layout.pattern': '[%d] %p %m (%c)%n',
  'rootLogger.level': 'INFO',
  'rootLogger.appenderRef.out.ref': 'OUT',
  // The controller and the request logger are chatty at INFO and say nothing a user needs here.
  'logger.controller.name': 'kafka.controller',
  'logger.controller.level': 'WARN',
  'logger.reflections.name': 'org.reflections',
  'logger.reflections.level': 'ERROR',
});

const kafkaProperties = properties({
  'process.roles': 'broker,controller',
  'node.id': 1,
  'controller.quorum.bootstrap.servers': `${host}:${ports.kafkaController}`,
  'listeners': `PLAINTEXT://${host}:${ports.kafka},CONTROLLER://${host}:${ports.kafkaController}`,
  'advertised.listeners': `PLAINTEXT://${host}:${ports.kafka}`,
  'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
  'controller.listener.names': 'CONTROLLER',
  'inter.broker.listener.name': 'PLAINTEXT',
  'log.dirs': paths.kafkaData,
  'num.partitions': 1,
  'auto.create.topics.enable': 'true',
  // One node: every internal topic at replication factor 1, or groups never find a coordinator.
  'offsets.topic.replication.factor': 1,
  'transaction.state.log.replication.factor': 1,
  'transaction.state.log.min.isr': 1,
  'share.coordinator.state.topic.replication.factor': 1,
  'share.coordinator.state.topic.min.isr': 1,
  // Faster start and a smaller heap on a 2-core machine.
  'offsets.topic.num.partitions': 1,
  'transaction.state.log.num.partitions': 1,
  'group.initial.rebalance.delay.ms': 0,
  'log.cleaner.dedupe.buffer.size': 33554432,
});

const connectProperties = properties({
  'bootstrap.servers': `${host}:${ports.kafka}`,
  'group.id': 'recon-stack-connect',
  'listeners': `http://${host}:${ports.connect}`,
  'rest.advertised.host.name': host,
  'rest.advertised.port': ports.connect,
  'plugin.path': paths.plugins,
  // Every plugin here ships ServiceLoader manifests: skip the slow reflective classpath scan.
  'plugin.discovery': 'service_load',
  // Plain JSON without embedded schemas: several times smaller and faster to parse.
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'key.converter.schemas.enable': 'false',
  'value.converter.schemas.enable': 'false',
  'config.storage.topic': 'recon-stack-connect-configs',
  'offset.storage.topic': 'recon-stack-connect-offsets',
  'status.storage.topic': 'recon-stack-connect-status',
  'config.storage.replication.factor': 1,
  'offset.storage.replication.factor': 1,
  'status.storage.replication.factor': 1,
  'offset.storage.partitions': 1,
  'status.storage.partitions': 1,
  'offset.flush.interval.ms': 1000,
});

export function writeConfigFiles(): void {
  mkdirSync(paths.config, { recursive: true });
  writeFileSync(join(paths.config, 'log4j2.properties'), log4j2);
  writeFileSync(join(paths.config, 'kafka.properties'), kafkaProperties);
  writeFileSync(join(paths.config, 'connect.properties'), connectProperties);
}

const jvmCommon = ['-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true'];

/** Heaps sized for a 2-core, shared machine; the three JVMs together stay under 1.5 GiB. */
function kafkaClasspathArgs(marker: string, maxHeap = '512m'): string[] {
  return [
    marker,
    '-Xms128m',
    `-Xmx${maxHeap}`,
    ...jvmCommon,
    `-Dlog4j2.configurationFile=${join(paths.config, 'log4j2.properties')}`,
    '-cp',
    `${paths.lib}/*`,
  ];
}

/** Formats Kafka's storage once; returns true when it did (a brand-new cluster). */
export function formatKafkaStorage(): boolean {
  if (existsSync(join(paths.kafkaData, 'meta.properties'))) return false;
  mkdirSync(paths.kafkaData, { recursive: true });
  const clusterId = randomBytes(16).toString('base64url');
  execFileSync(
    javaBin(),
    [
      ...kafkaClasspathArgs('-Drecon.stack.service=kafka-format', '256m'),
      'kafka.tools.StorageTool',
      'format',
      '-c',
      join(paths.config, 'kafka.properties'),
      '-t',
      clusterId,
      '--standalone',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return true;
}

export interface ServiceSpec {
  name: 'kafka' | 'registry' | 'connect';
  title: string;
  timeoutMs: number;
  command(marker: string): { command: string; args: string[]; cwd: string };
  probe(): Promise<boolean>;
  endpoint: string;
}

export const kafkaService: ServiceSpec = {
  name: 'kafka',
  title: `Kafka ${'4.3.1'} (KRaft)`,
  timeoutMs: 90_000,
  endpoint: `${host}:${ports.kafka}`,
  command: (marker) => ({
    command: javaBin(),
    args: [...kafkaClasspathArgs(marker), 'kafka.Kafka', join(paths.config, 'kafka.properties')],
    cwd: paths.data,
  }),
  probe: async () => {
    const admin = new Kafka({
      clientId: 'recon-stack-probe',
      brokers: [`${host}:${ports.kafka}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 1000,
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};

function apicurioRunner(): string {
  const jar = readdirSync(paths.apicurioDir).find((f) => f.endsWith('-runner.jar'));
  if (!jar) throw new Error(`no Apicurio runner jar in ${paths.apicurioDir}; run 'npm run stack:fetch'`);
  return join(paths.apicurioDir, jar);
}

export const registryService: ServiceSpec = {
  name: 'registry',
  title: 'Apicurio Registry 2.6 (ccompat)',
  timeoutMs: 120_000,
  endpoint: `http://${host}:${ports.registry}/apis/ccompat/v7`,
  command: (marker) => ({
    command: javaBin(),
    args: [
      marker,
      '-Xms128m',
      '-Xmx384m',
      ...jvmCommon,
      `-Dquarkus.http.host=${host}`,
      `-Dquarkus.http.port=${ports.registry}`,
      '-jar',
      apicurioRunner(),
    ],
    cwd: paths.data,
  }),
  probe: async () => {
    const r = await fetch(`http://${host}:${ports.registry}/apis/ccompat/v7/subjects`, {
      signal: AbortSignal.timeout(2000),
    });
    return r.ok;
  },
};

export const connectService: ServiceSpec = {
  name: 'connect',
  title: 'Kafka Connect 4.3.1 + Debezium 3.6.1',
  timeoutMs: 150_000,
  endpoint: `http://${host}:${ports.connect}`,
  command: (marker) => ({
    command: javaBin(),
    args: [
      ...kafkaClasspathArgs(marker),
      'org.apache.kafka.connect.cli.ConnectDistributed',
      join(paths.config, 'connect.properties'),
    ],
    cwd: paths.data,
  }),
  probe: async () => {
    const r = await fetch(`http://${host}:${ports.connect}/connector-plugins`, { signal: AbortSignal.timeout(2000) });
    if (!r.ok) return false;
    const plugins = (await r.json()) as { class: string }[];
    return plugins.some((p) => p.class.endsWith('PostgresConnector'));
  },
};
