/**
 * Builds the kafkajs and ioredis clients from the configuration: TLS (CA, client certificate,
 * verification) and SASL/SCRAM for Kafka, TLS and ACL user for Redis, single server or cluster.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { Kafka, type KafkaConfig, type SASLOptions, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import type { ReconcilerConfig } from '../config/index.ts';

interface TlsConfig {
  enabled: boolean;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  rejectUnauthorized: boolean;
}

function tlsOptions(tls: TlsConfig): ConnectionOptions | undefined {
  if (!tls.enabled) return undefined;
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
    ...(tls.cert ? { cert: readFileSync(tls.cert) } : {}),
    ...(tls.key ? { key: readFileSync(tls.key) } : {}),
  };
}

/** kafkajs' own log lines go through pino at a matching level. */
function kafkaLogCreator(log: Logger) {
  return () =>
    ({ level, log: entry }: { level: number; log: { message: string } & Record<string, unknown> }) => {
      const { message, ...rest } = entry;
      const target = level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'debug';
      log[target]({ kafkajs: rest }, message);
    };
}

export function createKafka(config: ReconcilerConfig, log: Logger): Kafka {
  const k = config.kafka;
  const ssl = tlsOptions(k.ssl);
  let sasl: SASLOptions | undefined;
  if (k.sasl) {
    const password = k.sasl.password ?? '';
    sasl = { mechanism: k.sasl.mechanism, username: k.sasl.username, password } as SASLOptions;
  }
  const options: KafkaConfig = {
    clientId: k.clientId,
    brokers: [...k.brokers],
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(log.child({ component: 'kafkajs' })),
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
  };
  return new Kafka(options);
}

export function createRedis(config: ReconcilerConfig): Redis | Cluster {
  const r = config.redis;
  const tls = tlsOptions(r.tls);
  const common: RedisOptions = {
    ...(r.username ? { username: r.username } : {}),
    ...(r.password ? { password: r.password } : {}),
    ...(tls ? { tls } : {}),
    // A paused or unreachable Redis makes commands wait rather than fail fast; the consumer then
    // pauses with them and commits nothing (F6). Retry reconnecting forever, with a capped backoff.
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  };
  if (r.cluster.enabled) {
    // ioredis parses a URL only for a single server; a cluster gets host:port seeds, so what else the
    // URL says (credentials, rediss:// meaning TLS) is carried over here, as single-server mode honours it.
    const url = new URL(r.url);
    const nodes = r.cluster.nodes.length ? r.cluster.nodes : [`${url.hostname}:${url.port || 6379}`];
    const fromUrl: RedisOptions = {
      ...(url.username && !r.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password && !r.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.protocol === 'rediss:' && !tls ? { tls: { rejectUnauthorized: r.tls.rejectUnauthorized } } : {}),
    };
    return new Cluster(
      nodes.map((n) => {
        const [host, port] = n.split(':');
        return { host: host!, port: Number(port) };
      }),
      { redisOptions: { ...common, ...fromUrl }, scaleReads: 'master' },
    );
  }
  return new Redis(r.url, common);
}
