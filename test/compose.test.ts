/**
 * docker-compose.yml cannot be run here (no Docker engine), so it is checked as a document: every
 * long-running service has a health check, dependencies wait for health, every host path it mounts
 * exists, ports stay on loopback, and the generated connector files are current. Each rule is a
 * pure function returning the problems it finds; each is also run on a broken document, to show it
 * can fail.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXAMPLE } from '../src/example/example-pipeline.ts';
import {
  assetDrift,
  COMPOSE_FILE,
  COMPOSE_POSTGRES,
  CONNECTOR_DIR,
  composePipeline,
  generateComposeAssets,
  repoRoot,
} from '../scripts/generate-compose-assets.ts';
import { CONTAINER_IMAGES } from './harness/containers.ts';

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: (string | number | { published?: string | number; host_ip?: string })[];
  volumes?: (string | { type?: string; source?: string })[];
  env_file?: string | (string | { path: string; required?: boolean })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: Record<string, string | number | boolean | null>;
  restart?: string;
}

interface ComposeDoc {
  services?: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** The one service that runs once and exits instead of staying up. */
const ONE_SHOT = 'setup';
const EXPECTED_SERVICES = ['kafka', 'connect', 'registry', 'postgres-a', 'postgres-b', 'redis', ONE_SHOT];

const composeText = readFileSync(join(repoRoot, COMPOSE_FILE), 'utf8');
const compose = parse(composeText) as ComposeDoc;

function services(doc: ComposeDoc): [string, Service][] {
  return Object.entries(doc.services ?? {});
}

function exists(root: string, path: string): boolean {
  return existsSync(isAbsolute(path) ? path : join(root, path));
}

function healthcheckProblems(doc: ComposeDoc): string[] {
  const problems: string[] = [];
  for (const [name, service] of services(doc)) {
    if (name === ONE_SHOT) {
      if (service.restart !== undefined && service.restart !== 'no') problems.push(`${name}: a one-shot must not restart`);
      continue;
    }
    const test = service.healthcheck?.test;
    const none = test === undefined || (Array.isArray(test) && (test.length === 0 || test[0] === 'NONE'));
    if (none || service.healthcheck?.disable) problems.push(`${name}: no healthcheck`);
  }
  return problems;
}

function dependsOnProblems(doc: ComposeDoc): string[] {
  const problems: string[] = [];
  const all = doc.services ?? {};
  for (const [name, service] of services(doc)) {
    const deps = service.depends_on;
    if (deps === undefined) continue;
    if (Array.isArray(deps)) {
      problems.push(`${name}: depends_on without conditions only waits for the start, not for health`);
      continue;
    }
    for (const [target, { condition } = {}] of Object.entries(deps)) {
      const wanted = target === ONE_SHOT ? 'service_completed_successfully' : 'service_healthy';
      if (!all[target]) problems.push(`${name}: depends on unknown service ${target}`);
      else if (condition !== wanted) {
        problems.push(`${name}: depends on ${target} with ${condition ?? 'no condition'}, not ${wanted}`);
      }
    }
  }
  return problems;
}

/** The host side of a short volume, or undefined for a named volume. */
function bindSource(volume: string | { type?: string; source?: string }): string | undefined {
  if (typeof volume === 'object') return volume.type === 'bind' ? volume.source : undefined;
  const source = volume.split(':')[0] ?? '';
  return /^[./~]/.test(source) ? source : undefined;
}

function hostPathProblems(doc: ComposeDoc, root: string): string[] {
  const problems: string[] = [];
  for (const [name, service] of services(doc)) {
    for (const volume of service.volumes ?? []) {
      const source = bindSource(volume);
      if (source !== undefined) {
        if (!exists(root, source)) problems.push(`${name}: bind mount source ${source} does not exist`);
      } else {
        const named = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
        if (named && !(doc.volumes && named in doc.volumes)) problems.push(`${name}: volume ${named} is not declared`);
      }
    }
    const envFiles = Array.isArray(service.env_file) ? service.env_file : service.env_file ? [service.env_file] : [];
    for (const envFile of envFiles) {
      const path = typeof envFile === 'string' ? envFile : envFile.path;
      const required = typeof envFile === 'string' || envFile.required !== false;
      if (required && !exists(root, path)) problems.push(`${name}: env_file ${path} does not exist`);
    }
    if (service.build !== undefined) {
      const context = typeof service.build === 'string' ? service.build : (service.build.context ?? '.');
      const dockerfile = typeof service.build === 'string' ? 'Dockerfile' : (service.build.dockerfile ?? 'Dockerfile');
      if (!exists(root, context)) problems.push(`${name}: build context ${context} does not exist`);
      else if (!exists(root, join(context, dockerfile))) problems.push(`${name}: ${join(context, dockerfile)} does not exist`);
    }
  }
  return problems;
}

function portProblems(doc: ComposeDoc): string[] {
  const problems: string[] = [];
  for (const [name, service] of services(doc)) {
    for (const port of service.ports ?? []) {
      const loopback =
        typeof port === 'object'
          ? port.host_ip === '127.0.0.1' && port.published !== undefined
          : /^127\.0\.0\.1:\d+:\d+(\/(tcp|udp))?$/.test(String(port));
      if (!loopback) problems.push(`${name}: port ${JSON.stringify(port)} is not published on 127.0.0.1 only`);
    }
  }
  return problems;
}

/** Images carry an explicit version; `latest` or no tag would change under the user's feet. */
function imageProblems(doc: ComposeDoc): string[] {
  const problems: string[] = [];
  for (const [name, service] of services(doc)) {
    if (service.image === undefined) {
      if (service.build === undefined) problems.push(`${name}: neither image nor build`);
      continue;
    }
    const tag = /:([^/:]+)$/.exec(service.image)?.[1];
    if (!tag || tag === 'latest') problems.push(`${name}: image ${service.image} has no fixed tag`);
  }
  return problems;
}

function env(service: string): Record<string, string> {
  const raw = compose.services?.[service]?.environment ?? {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
}

const BROKEN = `
volumes:
  declared: {}
services:
  app:
    image: example/app
    ports: ['8080:8080', 9000, { target: 80, published: 8081 }]
    volumes: ['./no/such/file.sql:/init.sql:ro', 'undeclared:/data', 'declared:/more']
    env_file: ['missing.env', { path: 'optional.env', required: false }]
    depends_on: [db]
  db:
    image: postgres:latest
    healthcheck: { disable: true }
    build: ./nowhere
    depends_on:
      app: { condition: service_started }
      ghost: { condition: service_healthy }
  ${ONE_SHOT}:
    build: ./docker
    restart: always
`;

describe('docker-compose.yml rules', () => {
  const broken = parse(BROKEN) as ComposeDoc;

  it('each rule reports the faults of a broken document', () => {
    expect(healthcheckProblems(broken)).toEqual([
      'app: no healthcheck',
      'db: no healthcheck',
      `${ONE_SHOT}: a one-shot must not restart`,
    ]);
    expect(dependsOnProblems(broken)).toEqual([
      'app: depends_on without conditions only waits for the start, not for health',
      'db: depends on app with service_started, not service_healthy',
      'db: depends on unknown service ghost',
    ]);
    expect(hostPathProblems(broken, repoRoot)).toEqual([
      'app: bind mount source ./no/such/file.sql does not exist',
      'app: volume undeclared is not declared',
      'app: env_file missing.env does not exist',
      'db: build context ./nowhere does not exist',
      `${ONE_SHOT}: docker/Dockerfile does not exist`,
    ]);
    expect(portProblems(broken)).toEqual([
      'app: port "8080:8080" is not published on 127.0.0.1 only',
      'app: port 9000 is not published on 127.0.0.1 only',
      'app: port {"target":80,"published":8081} is not published on 127.0.0.1 only',
    ]);
    expect(imageProblems(broken)).toEqual([
      'app: image example/app has no fixed tag',
      'db: image postgres:latest has no fixed tag',
    ]);
  });
});

describe('docker-compose.yml', () => {
  it('has the services of the example topology', () => {
    expect(services(compose).map(([name]) => name).sort()).toEqual([...EXPECTED_SERVICES].sort());
  });

  it('gives every long-running service a health check, and the one-shot no restart', () => {
    expect(healthcheckProblems(compose)).toEqual([]);
  });

  it('makes every dependency wait for health', () => {
    expect(dependsOnProblems(compose)).toEqual([]);
    // The one-shot runs last: it needs both databases and Connect.
    expect(Object.keys(compose.services?.[ONE_SHOT]?.depends_on ?? {}).sort()).toEqual(['connect', 'postgres-a', 'postgres-b']);
  });

  it('mounts and builds only paths that exist in the repository', () => {
    expect(hostPathProblems(compose, repoRoot)).toEqual([]);
  });

  it('publishes ports on 127.0.0.1 only', () => {
    expect(portProblems(compose)).toEqual([]);
  });

  it('pins every image', () => {
    expect(imageProblems(compose)).toEqual([]);
  });

  it("mounts the example's own DDL files as init scripts: orders on both sides, the signal table on A", () => {
    const initScripts = (service: string) =>
      (compose.services?.[service]?.volumes ?? [])
        .filter((v): v is string => typeof v === 'string' && v.includes(':/docker-entrypoint-initdb.d/'))
        .map((v) => v.split(':')[0]);
    expect(initScripts(COMPOSE_POSTGRES.a)).toEqual([
      './src/example/orders.sql',
      './src/example/signal-table.sql',
      './docker/postgres/30-publication.sql',
    ]);
    expect(initScripts(COMPOSE_POSTGRES.b)).toEqual(['./src/example/orders.sql']);
    const publication = readFileSync(join(repoRoot, 'docker/postgres/30-publication.sql'), 'utf8');
    expect(publication).toContain(`CREATE PUBLICATION ${EXAMPLE.publication} FOR TABLE ${EXAMPLE.schema}.${EXAMPLE.table};`);
  });

  it('runs both Postgres servers with logical decoding', () => {
    for (const name of [COMPOSE_POSTGRES.a, COMPOSE_POSTGRES.b]) {
      expect(compose.services?.[name]?.command, name).toEqual(
        expect.arrayContaining(['wal_level=logical', 'max_replication_slots=20', 'max_wal_senders=20']),
      );
    }
  });

  it("gives the setup service the example's names and A's password", () => {
    expect(env(ONE_SHOT)).toMatchObject({
      HOST_A: COMPOSE_POSTGRES.a,
      HOST_B: COMPOSE_POSTGRES.b,
      DATABASE_A: EXAMPLE.databaseA,
      DATABASE_B: EXAMPLE.databaseB,
      PUBLICATION: EXAMPLE.publication,
      SUBSCRIPTION: EXAMPLE.subscription,
      PGUSER: env(COMPOSE_POSTGRES.a).POSTGRES_USER,
      PGPASSWORD: env(COMPOSE_POSTGRES.a).POSTGRES_PASSWORD,
    });
  });

  it("points Connect at an advertised Kafka listener, and advertises the host listener on its published port", () => {
    const advertised = env('kafka').KAFKA_ADVERTISED_LISTENERS?.split(',').map((l) => l.replace(/^\w+:\/\//, '')) ?? [];
    expect(advertised).toContain(env('connect').BOOTSTRAP_SERVERS);
    expect(advertised).toContain('127.0.0.1:9092');
    expect(compose.services?.kafka?.ports).toContain('127.0.0.1:9092:9092');
  });

  it('uses the same images as the testcontainers harness (Kafka aside, see containers.ts)', () => {
    const image = (service: string) => compose.services?.[service]?.image;
    expect({
      connect: image('connect'),
      registry: image('registry'),
      postgresA: image(COMPOSE_POSTGRES.a),
      postgresB: image(COMPOSE_POSTGRES.b),
      redis: image('redis'),
    }).toEqual({
      connect: CONTAINER_IMAGES.connect,
      registry: CONTAINER_IMAGES.registry,
      postgresA: CONTAINER_IMAGES.postgres,
      postgresB: CONTAINER_IMAGES.postgres,
      redis: CONTAINER_IMAGES.redis,
    });
  });
});

describe('generated connector files', () => {
  const generated = generateComposeAssets(composeText);
  const scratch = mkdtempSync(join(tmpdir(), 'compose-assets-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('are current (else run: node scripts/generate-compose-assets.ts)', () => {
    expect(generated.map((f) => f.path).sort()).toEqual([`${CONNECTOR_DIR}/recon-a.json`, `${CONNECTOR_DIR}/recon-b.json`]);
    expect(assetDrift(repoRoot, generated)).toEqual({ stale: [], unexpected: [] });
  });

  it('are reported when missing, edited or left over', () => {
    mkdirSync(join(scratch, CONNECTOR_DIR), { recursive: true });
    expect(assetDrift(scratch, generated).stale).toHaveLength(generated.length);
    for (const file of generated) writeFileSync(join(scratch, file.path), file.content);
    expect(assetDrift(scratch, generated)).toEqual({ stale: [], unexpected: [] });
    const edited = generated[0];
    if (!edited) throw new Error('nothing generated');
    writeFileSync(join(scratch, edited.path), edited.content.replace('"tasks.max": "1"', '"tasks.max": "2"'));
    writeFileSync(join(scratch, CONNECTOR_DIR, 'old.json'), '{}\n');
    expect(assetDrift(scratch, generated)).toEqual({ stale: [edited.path], unexpected: [`${CONNECTOR_DIR}/old.json`] });
  });

  it('reach each database by its compose service name, with the compose password', () => {
    const byName = Object.fromEntries(
      generated.map((f) => {
        const parsed = JSON.parse(f.content) as { name: string; config: Record<string, string> };
        return [parsed.name, parsed.config];
      }),
    );
    expect(byName[EXAMPLE.connectorA]).toMatchObject({
      'database.hostname': COMPOSE_POSTGRES.a,
      'database.port': String(COMPOSE_POSTGRES.port),
      'database.dbname': EXAMPLE.databaseA,
      'database.password': env(COMPOSE_POSTGRES.a).POSTGRES_PASSWORD,
      'topic.prefix': EXAMPLE.topicPrefixA,
    });
    expect(byName[EXAMPLE.connectorB]).toMatchObject({
      'database.hostname': COMPOSE_POSTGRES.b,
      'database.dbname': EXAMPLE.databaseB,
      'database.password': env(COMPOSE_POSTGRES.b).POSTGRES_PASSWORD,
      'topic.prefix': EXAMPLE.topicPrefixB,
    });
  });

  it('come from a compose pipeline whose host side uses the published ports', () => {
    const pipeline = composePipeline(composeText);
    expect(pipeline.serverA).toMatchObject({ host: '127.0.0.1', port: 5433 });
    expect(pipeline.serverB).toMatchObject({ host: '127.0.0.1', port: 5434 });
    expect(pipeline.serverAFromB).toMatchObject({ host: COMPOSE_POSTGRES.a, port: COMPOSE_POSTGRES.port });
  });

  it('refuse a compose file whose database names differ from the example', () => {
    expect(() => composePipeline(composeText.replace('POSTGRES_DB: recon_a', 'POSTGRES_DB: other'))).toThrow(
      /services\.postgres-a\.environment\.POSTGRES_DB must be recon_a, got other/,
    );
  });
});

describe('examples/reconciler.yaml', () => {
  it('uses the Redis prefix and consumer group that the stack resets with the example databases', async () => {
    const { parse } = await import('yaml');
    const { readFileSync } = await import('node:fs');
    const { EXAMPLE } = await import('../src/example/example-pipeline.ts');
    const config = parse(readFileSync(new URL('../examples/reconciler.yaml', import.meta.url), 'utf8')) as {
      redis: { keyPrefix: string };
      kafka: { groupId: string };
    };
    expect(config.redis.keyPrefix).toBe(EXAMPLE.redisKeyPrefix);
    expect(config.kafka.groupId).toBe(EXAMPLE.consumerGroup);
  });
});
