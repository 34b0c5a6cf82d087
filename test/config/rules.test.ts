/**
 * Cross-field rules (RELIABILITY.md B15): each contradictory setting is refused with an issue that
 * names the field to change. Every case starts from a configuration that loads (checked first),
 * and changes one thing.
 */
import { describe, expect, it } from 'vitest';
import { entity, input, issuesOf, load, SECRET, tempDir } from './helpers.ts';

interface Case {
  name: string;
  config: object;
  path: string;
  rule: RegExp;
}

const cases: Case[] = [
  {
    name: 'a key column is excluded',
    config: input({ entities: [entity({ columns: { exclude: ['order_id'] } })] }),
    path: 'entities[0].columns.exclude[0]',
    rule: /must not exclude key column "order_id"/,
  },
  {
    name: 'the business-day column is excluded',
    config: input({ entities: [entity({ columns: { exclude: ['notes', 'created_at'] } })] }),
    path: 'entities[0].columns.exclude[1]',
    rule: /business-day column "created_at"/,
  },
  {
    name: 'an amount column is excluded',
    config: input({ entities: [entity({ columns: { exclude: ['amount'] } })] }),
    path: 'entities[0].columns.exclude[0]',
    rule: /must not exclude amount column "amount"/,
  },
  {
    name: 'an amount column is also a key',
    config: input({ entities: [entity({ amounts: [{ column: 'order_id', scale: 0 }] })] }),
    path: 'entities[0].amounts[0].column',
    rule: /is a key column and cannot also be an amount/,
  },
  {
    name: 'a key column is listed twice',
    config: input({ entities: [entity({ key: ['order_id', 'order_id'] })] }),
    path: 'entities[0].key[1]',
    rule: /listed twice/,
  },
  {
    name: "the two sides' topics are the same",
    config: input({ entities: [entity({ sources: { b: { topic: 'a.public.orders' } } })] }),
    path: 'entities[0].sources.b.topic',
    rule: /must differ from sources\.a\.topic/,
  },
  {
    name: 'two entities read the same topic',
    config: input({
      entities: [entity(), entity({ name: 'orders2', sources: { a: { topic: 'a.public.orders' }, b: { topic: 'b.public.orders2' } } })],
    }),
    path: 'entities[1].sources.a.topic',
    rule: /entities\[0\]\.sources\.a\.topic/,
  },
  {
    name: 'a data topic is the mismatch topic',
    config: input({ topics: { mismatches: 'b.public.orders' } }),
    path: 'entities[0].sources.b.topic',
    rule: /topics\.mismatches/,
  },
  {
    name: 'a heartbeat topic is a data topic',
    config: input({ entities: [entity({ sources: { a: { heartbeatTopic: 'b.public.orders' } } })] }),
    path: 'entities[0].sources.a.heartbeatTopic',
    rule: /must not be the topic of entities\[0\]\.sources\.b\.topic/,
  },
  {
    name: 'entity names repeat',
    config: input({ entities: [entity(), entity({ sources: { a: { topic: 'a2' }, b: { topic: 'b2' } } })] }),
    path: 'entities[1].name',
    rule: /must be unique: entities\[0\]/,
  },
  {
    name: 'a safe column is not hashed (hash is a list)',
    config: input({ entities: [entity({ columns: { hash: ['order_id', 'amount'], safe: ['status'] } })] }),
    path: 'entities[0].columns.safe[0]',
    rule: /"status" must be one of the hashed columns/,
  },
  {
    name: 'a toast column is not hashed (hash is a list)',
    config: input({ entities: [entity({ columns: { hash: ['order_id', 'amount'], toast: ['notes'] } })] }),
    path: 'entities[0].columns.toast[0]',
    rule: /"notes" must be one of the hashed columns/,
  },
  {
    name: 'a column is both hashed and excluded',
    config: input({ entities: [entity({ columns: { hash: ['order_id', 'notes'], exclude: ['notes'] } })] }),
    path: 'entities[0].columns.exclude[0]',
    rule: /both hashed and excluded/,
  },
  {
    name: 'a safe column is excluded (hash is all)',
    config: input({ entities: [entity({ columns: { exclude: ['status'], safe: ['status'] } })] }),
    path: 'entities[0].columns.safe[0]',
    rule: /is excluded from the hash/,
  },
  {
    name: 'the business-day column is declared as text',
    config: input({ entities: [entity({ columns: { types: { created_at: { type: 'text' } } } })] }),
    path: 'entities[0].columns.types.created_at.type',
    rule: /business-day column must be one of date, timestamp, timestamptz/,
  },
  {
    name: 'an amount column is declared as a float',
    config: input({ entities: [entity({ columns: { types: { amount: { type: 'float8' } } } })] }),
    path: 'entities[0].columns.types.amount.type',
    rule: /integer or decimal/,
  },
  {
    name: 'a scale on a non-decimal column',
    config: input({ entities: [entity({ columns: { types: { status: { type: 'text', scale: 2 } } } })] }),
    path: 'entities[0].columns.types.status.scale',
    rule: /only for decimal columns/,
  },
  {
    name: 'a decimal without scale on a schemaless precise source',
    config: input({
      entities: [entity({ sources: { b: { decimalHandling: 'precise' } }, columns: { types: { amount: { type: 'decimal' } } } })],
    }),
    path: 'entities[0].columns.types.amount.scale',
    rule: /sources\.b sends decimals as bytes without a schema/,
  },
  {
    name: 'a sums tolerance finer than the amount scale',
    config: input({ entities: [entity({ tolerances: { sums: { absolute: '0.001' } } })] }),
    path: 'entities[0].tolerances.sums.absolute',
    rule: /3 fraction digits, more than the smallest amount scale \(2\)/,
  },
  {
    name: 'an avro source without a schema registry',
    config: input({ entities: [entity({ sources: { b: { format: 'debezium-avro' } } })] }),
    path: 'schemaRegistry',
    rule: /required: entities\[0\]\.sources\.b\.format is debezium-avro/,
  },
  {
    name: 'hmac keys without a secret',
    config: { ...input(), keys: { mode: 'hmac' } },
    path: 'keys.hmacSecret',
    rule: /is required \(or give hmacSecretFile\)/,
  },
  {
    name: 'a secret given both inline and as a file',
    config: input({ keys: { hmacSecretFile: '/run/secrets/hmac' } }),
    path: 'keys.hmacSecretFile',
    rule: /either hmacSecret or hmacSecretFile, not both/,
  },
  {
    name: 'SASL without a password',
    config: input({ kafka: { sasl: { mechanism: 'scram-sha-512', username: 'recon' } } }),
    path: 'kafka.sasl.password',
    rule: /is required/,
  },
  {
    name: 'a registry user without a password',
    config: input({ schemaRegistry: { url: 'http://127.0.0.1:8081', username: 'recon' } }),
    path: 'schemaRegistry.password',
    rule: /is required with schemaRegistry\.username/,
  },
  {
    name: 'the Kafka heartbeat is not below the session timeout',
    config: input({ kafka: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 6000 } }),
    path: 'kafka.heartbeatIntervalMs',
    rule: /must be below kafka\.sessionTimeoutMs/,
  },
  {
    name: 'a TLS client certificate without its key',
    config: input({ kafka: { ssl: { enabled: true, cert: '/etc/recon/cert.pem' } } }),
    path: 'kafka.ssl.key',
    rule: /is required with cert/,
  },
  {
    name: 'a CA file while TLS is off',
    config: input({ redis: { tls: { ca: '/etc/recon/ca.pem' } } }),
    path: 'redis.tls.ca',
    rule: /TLS is not enabled/,
  },
  {
    name: 'cluster nodes while cluster mode is off',
    config: input({ redis: { cluster: { nodes: ['127.0.0.1:7000'] } } }),
    path: 'redis.cluster.nodes',
    rule: /needs redis\.cluster\.enabled: true/,
  },
  {
    name: "an audited database's CA file without TLS enabled",
    config: input({ entities: [entity({ sources: { a: { database: { url: 'postgres://recon@db-a/app', table: 'orders', tls: { ca: '/etc/ca.pem' } } } } })] }),
    path: 'entities[0].sources.a.database.tls.ca',
    rule: /is set but TLS is not enabled \(set entities\[0\]\.sources\.a\.database\.tls\.enabled: true\)/,
  },
  {
    name: "an audited database's client certificate without its key",
    config: input({ entities: [entity({ sources: { b: { database: { url: 'postgres://recon@db-b/app', table: 'orders', tls: { enabled: true, cert: '/etc/c.pem' } } } } })] }),
    path: 'entities[0].sources.b.database.tls.key',
    rule: /is required with cert/,
  },
  {
    name: "an audited database's password given twice",
    config: input({ entities: [entity({ sources: { b: { database: { url: 'postgres://recon@db-b/app', table: 'orders', password: 'pw', passwordFile: '/run/pw' } } } })] }),
    path: 'entities[0].sources.b.database.passwordFile',
    rule: /give either password or passwordFile, not both/,
  },
];

describe('cross-field rules', () => {
  it('the base configuration of the cases is valid', () => {
    expect(load(input()).keys.hmacSecret).toBe(SECRET);
  });

  it.each(cases)('$name → $path', ({ config, path, rule }) => {
    const issues = issuesOf(() => load(config));
    const issue = issues.find((i) => i.path === path);
    expect(issue, `issues: ${JSON.stringify(issues)}`).toBeDefined();
    expect(issue!.rule).toMatch(rule);
  });

  it('counts only significant fraction digits of the sums tolerance', () => {
    expect(load(input({ entities: [entity({ tolerances: { sums: { absolute: '0.010' } } })] })).entities[0]!.tolerances.sums.absolute).toBe('0.010');
  });

  it('allows an audited database with verified TLS and a password file', () => {
    const dir = tempDir();
    const database = { url: 'postgresql://recon@db-a:5432/app', table: 'orders', passwordFile: dir.write('pw', 'pg-pw\n'), tls: { enabled: true, ca: '/etc/ca.pem' } };
    const config = load(input({ entities: [entity({ sources: { a: { database } } })] }));
    expect(config.entities[0]!.sources.a.database?.tls).toEqual({ enabled: true, ca: '/etc/ca.pem', rejectUnauthorized: true });
    expect(config.entities[0]!.sources.a.database?.password).toBe('pg-pw');
  });

  it('allows what the rules do not forbid: TLS via rediss://, a CA file, an avro source with a registry', () => {
    const config = load(
      input({
        redis: { url: 'rediss://cache.internal:6380', tls: { ca: '/etc/recon/ca.pem' } },
        schemaRegistry: { url: 'https://registry.internal' },
        entities: [entity({ sources: { b: { format: 'debezium-avro', decimalHandling: 'precise' } }, columns: { types: { amount: { type: 'decimal' } } } })],
      }),
    );
    expect(config.entities[0]!.sources.b.format).toBe('debezium-avro');
  });
});
