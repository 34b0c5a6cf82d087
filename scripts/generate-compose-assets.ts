/**
 * Generates docker/connect/*.json, the Debezium connector registrations that docker-compose.yml's
 * one-shot `setup` service sends to Kafka Connect, from `exampleConnectors()`: the TypeScript stays
 * the single source of the connector configuration, and docker-compose.yml the single source of
 * the Postgres services' names, databases and password.
 *
 *   node scripts/generate-compose-assets.ts           # write the files
 *   node scripts/generate-compose-assets.ts --check   # exit 1 if the committed files are stale
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { EXAMPLE, type ExamplePipeline, exampleConnectors, type PgAddress } from '../src/example/example-pipeline.ts';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const COMPOSE_FILE = 'docker-compose.yml';
/** Every `.json` file here is generated; the `setup` service registers each one. */
export const CONNECTOR_DIR = 'docker/connect';

/** The compose services that hold side A and side B, and the port Postgres listens on inside the network. */
export const COMPOSE_POSTGRES = { a: 'postgres-a', b: 'postgres-b', port: 5432 } as const;

export interface GeneratedFile {
  /** Relative to the repository root, with `/` separators. */
  path: string;
  content: string;
}

type Environment = Record<string, string>;

/** A compose `environment:` in either form (map, or list of `KEY=value`), as strings. */
function environmentOf(service: string, raw: unknown): Environment {
  if (Array.isArray(raw)) {
    return Object.fromEntries(
      raw.map((entry) => {
        const text = String(entry);
        const eq = text.indexOf('=');
        return eq < 0 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  }
  if (raw && typeof raw === 'object') {
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)]));
  }
  throw new Error(`${COMPOSE_FILE}: services.${service}.environment is missing`);
}

/** The host port that publishes the service's container port 5432 (`[ip:]host:container`). */
function publishedPort(service: string, raw: unknown): number {
  for (const entry of Array.isArray(raw) ? raw : []) {
    const parts = String(entry).split(':');
    if (parts.length >= 2 && parts[parts.length - 1] === String(COMPOSE_POSTGRES.port)) {
      return Number(parts[parts.length - 2]);
    }
  }
  throw new Error(`${COMPOSE_FILE}: services.${service}.ports publishes no port ${COMPOSE_POSTGRES.port}`);
}

interface ComposeServer {
  fromHost: PgAddress;
  inNetwork: PgAddress;
  database: string;
}

function composeServer(services: Record<string, Record<string, unknown>>, name: string, database: string): ComposeServer {
  const service = services[name];
  if (!service) throw new Error(`${COMPOSE_FILE}: service ${name} is missing`);
  const env = environmentOf(name, service.environment);
  // The example's names are fixed (EXAMPLE) so that demo, tests and docs agree; compose must follow.
  if (env.POSTGRES_DB !== database) {
    const got = env.POSTGRES_DB ?? 'nothing';
    throw new Error(`${COMPOSE_FILE}: services.${name}.environment.POSTGRES_DB must be ${database}, got ${got}`);
  }
  if (!env.POSTGRES_PASSWORD) {
    throw new Error(`${COMPOSE_FILE}: services.${name}.environment.POSTGRES_PASSWORD is missing`);
  }
  const user = env.POSTGRES_USER || 'postgres';
  const password = env.POSTGRES_PASSWORD;
  return {
    fromHost: { host: '127.0.0.1', port: publishedPort(name, service.ports), user, password },
    inNetwork: { host: name, port: COMPOSE_POSTGRES.port, user, password },
    database,
  };
}

/**
 * The example pipeline of the docker-compose stack: the host reaches each side on its published
 * port; B's subscription and Connect reach them by service name inside the compose network.
 */
export function composePipeline(composeYaml: string): ExamplePipeline {
  const doc = parse(composeYaml) as { services?: Record<string, Record<string, unknown>> } | null;
  const services = doc?.services;
  if (!services) throw new Error(`${COMPOSE_FILE}: no services`);
  const a = composeServer(services, COMPOSE_POSTGRES.a, EXAMPLE.databaseA);
  const b = composeServer(services, COMPOSE_POSTGRES.b, EXAMPLE.databaseB);
  return {
    serverA: a.fromHost,
    serverB: b.fromHost,
    databaseA: a.database,
    databaseB: b.database,
    serverAFromB: a.inNetwork,
    serverAFromConnect: a.inNetwork,
    serverBFromConnect: b.inNetwork,
  };
}

/** The connector files for this compose file; pure, so that a unit test can compare them too. */
export function generateComposeAssets(composeYaml: string): GeneratedFile[] {
  return exampleConnectors(composePipeline(composeYaml)).map((connector) => ({
    path: `${CONNECTOR_DIR}/${connector.name}.json`,
    content: `${JSON.stringify({ name: connector.name, config: connector.config }, null, 2)}\n`,
  }));
}

export interface AssetDrift {
  /** Generated files whose committed copy is missing or different. */
  stale: string[];
  /** `.json` files in the connector folder that the generator no longer makes. */
  unexpected: string[];
}

/** Compares the generated files with the ones under `root`. */
export function assetDrift(root: string, generated: GeneratedFile[]): AssetDrift {
  const stale = generated
    .filter((file) => {
      const onDisk = join(root, file.path);
      return !existsSync(onDisk) || readFileSync(onDisk, 'utf8') !== file.content;
    })
    .map((file) => file.path);
  const wanted = new Set(generated.map((file) => file.path));
  const dir = join(root, CONNECTOR_DIR);
  const unexpected = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .map((name) => `${CONNECTOR_DIR}/${name}`)
        .filter((path) => !wanted.has(path))
    : [];
  return { stale, unexpected };
}

function main(args: string[]): number {
  const generated = generateComposeAssets(readFileSync(join(repoRoot, COMPOSE_FILE), 'utf8'));
  const drift = assetDrift(repoRoot, generated);
  if (args.includes('--check')) {
    const problems = [...drift.stale.map((p) => `stale: ${p}`), ...drift.unexpected.map((p) => `not generated: ${p}`)];
    if (problems.length === 0) return 0;
    for (const problem of problems) console.error(problem);
    console.error('run: node scripts/generate-compose-assets.ts');
    return 1;
  }
  mkdirSync(join(repoRoot, CONNECTOR_DIR), { recursive: true });
  for (const file of generated) {
    writeFileSync(join(repoRoot, file.path), file.content);
    console.log(`wrote ${file.path}`);
  }
  // The setup service registers every file in the folder: a leftover would register a stale connector.
  for (const path of drift.unexpected) {
    rmSync(join(repoRoot, path));
    console.log(`removed ${path}`);
  }
  return 0;
}

if (import.meta.main) {
  process.exitCode = main(process.argv.slice(2));
}
