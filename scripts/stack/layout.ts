/**
 * Where the local stack lives and which loopback ports it uses. Everything it downloads or writes
 * goes under `.stack/` (ignored by git); ports can be moved with environment variables when a
 * machine already uses the defaults.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const stackHome = process.env.RECON_STACK_HOME ?? join(repoRoot, '.stack');

export const paths = {
  pom: join(repoRoot, 'stack', 'pom.xml'),
  lib: join(stackHome, 'lib'),
  plugins: join(stackHome, 'plugins'),
  apicurioDir: join(stackHome, 'apicurio'),
  config: join(stackHome, 'config'),
  data: join(stackHome, 'data'),
  kafkaData: join(stackHome, 'data', 'kafka'),
  connectData: join(stackHome, 'data', 'connect'),
  run: join(stackHome, 'run'),
  logs: join(stackHome, 'logs'),
  envFile: join(stackHome, 'stack.env'),
};

function port(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${name} must be a TCP port, got '${value}'`);
  return n;
}

export const ports = {
  kafka: port('RECON_STACK_KAFKA_PORT', 9092),
  kafkaController: port('RECON_STACK_KAFKA_CONTROLLER_PORT', 9093),
  connect: port('RECON_STACK_CONNECT_PORT', 8083),
  registry: port('RECON_STACK_REGISTRY_PORT', 8081),
};

/** The machine's pre-started services that the stack uses rather than starts. */
export const existing = {
  /** A superuser connection to the Postgres cluster that holds side A and side B. */
  pgAdminUrl: process.env.RECON_STACK_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.RECON_STACK_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

export const host = '127.0.0.1';
