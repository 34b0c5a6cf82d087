/**
 * Loading and validating the configuration: the examples load, defaults fill in, the result is
 * frozen, and every bad field is named with its rule (RELIABILITY.md B14, B15).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configFieldIndex,
  formatPath,
  loadConfig,
  renderConfigDocs,
  renderConfigJsonSchema,
  toEntityModel,
} from '../../src/config/index.ts';
import { entity, input, issuesOf, load, messageOf, tempDir } from './helpers.ts';

const rule = (issues: { path: string; rule: string }[], path: string) => issues.find((i) => i.path === path)?.rule;

describe('the examples', () => {
  it('examples/reconciler.yaml loads and maps to the orders entity model', () => {
    const config = loadConfig({ file: 'examples/reconciler.yaml', env: {} });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.redis.keyPrefix).toBe('recon-example');
    expect(toEntityModel(config.entities[0]!)).toEqual({
      name: 'orders',
      key: ['order_id'],
      dayColumn: 'created_at',
      timeZone: 'UTC',
      amounts: [{ column: 'amount', scale: 2 }],
      hashColumns: 'all',
      excludeColumns: [],
      safeColumns: ['status'],
      columns: {
        created_at: { name: 'created_at', type: 'timestamptz' },
        amount: { name: 'amount', type: 'decimal' },
      },
      toastColumns: ['notes'],
      decimalHandling: 'string',
      sources: {
        a: { topic: 'a.public.orders', format: 'debezium-json', decimalHandling: 'string', heartbeatTopic: '__debezium-heartbeat.a' },
        b: { topic: 'b.public.orders', format: 'debezium-json', decimalHandling: 'string', heartbeatTopic: '__debezium-heartbeat.b' },
      },
      tolerances: { count: { absolute: 0, percent: 0 }, sums: { absolute: '0', percent: 0 } },
    });
  });

  it('examples/reconciler.min.yaml loads, and the defaults fill in', () => {
    const config = loadConfig({ file: 'examples/reconciler.min.yaml', env: {} });
    expect(config.kafka).toMatchObject({ clientId: 'cdc-reconciler', groupId: 'cdc-reconciler', ssl: { enabled: false, rejectUnauthorized: true } });
    expect(config.redis).toMatchObject({ url: 'redis://127.0.0.1:6379', keyPrefix: 'recon', shards: 16, keyBuckets: 1024, cluster: { enabled: false, nodes: [] } });
    expect(config.topics).toEqual({ mismatches: 'recon.mismatches', deadLetter: 'recon.dead-letter' });
    expect(config.keys.mode).toBe('hmac');
    expect([config.graceMs, config.judgeIntervalMs, config.http.host, config.http.port]).toEqual([30000, 500, '0.0.0.0', 9464]);
    const orders = config.entities[0]!;
    expect(orders.businessDay.timeZone).toBe('UTC');
    expect(orders.columns).toEqual({ hash: 'all', exclude: [], safe: [], toast: [], types: {} });
    expect(orders.sources.a).toEqual({ topic: 'a.public.orders', format: 'debezium-json', decimalHandling: 'precise' });
    expect(orders.tolerances).toEqual({ count: { absolute: 0, percent: 0 }, sums: { absolute: '0', percent: 0 } });
  });

  it('the min example is minimal: without any one of its fields it is invalid', () => {
    const base = loadConfig({ file: 'examples/reconciler.min.yaml', env: {} });
    const required = { kafka: { brokers: base.kafka.brokers }, keys: { hmacSecret: base.keys.hmacSecret }, entities: base.entities };
    for (const drop of ['kafka', 'keys', 'entities'] as const) {
      const partial = { ...required, [drop]: undefined };
      expect(() => load(partial), drop).toThrow(ConfigError);
    }
  });
});

describe('the loaded configuration', () => {
  it('is deeply frozen', () => {
    const config = load(input());
    expect(Object.isFrozen(config.entities[0]!.key)).toBe(true);
    expect(() => {
      (config as { graceMs: number }).graceMs = 1;
    }).toThrow(TypeError);
    expect(() => (config.kafka.brokers as string[]).push('x:1')).toThrow(TypeError);
  });
});

describe('field rules', () => {
  it('names an unknown field, with the closest known one', () => {
    const issues = issuesOf(() => load(input({ redis: { keyPrefx: 'x' } })));
    expect(issues).toEqual([{ path: 'redis.keyPrefx', rule: 'unknown field (did you mean keyPrefix?)' }]);
  });

  it('names an unknown field inside an entity, and at the top', () => {
    const issues = issuesOf(() => load({ ...input(), autoRepair: true, entities: [entity({ colums: {} })] }));
    expect(rule(issues, 'entities[0].colums')).toMatch(/^unknown field \(did you mean columns\?\)/);
    expect(rule(issues, 'autoRepair')).toMatch(/^unknown field/);
  });

  it('names a wrong type', () => {
    const issues = issuesOf(() => load(input({ graceMs: 'soon', http: { port: 80.5 }, kafka: { brokers: 'k:9092' } })));
    expect(rule(issues, 'graceMs')).toBe('expected a number, got a string');
    expect(rule(issues, 'http.port')).toMatch(/integer/);
    expect(rule(issues, 'kafka.brokers')).toBe('expected a list, got a string');
  });

  it('names a missing required field', () => {
    const issues = issuesOf(() => load({ keys: { mode: 'plain' } }));
    expect(issues).toEqual([
      { path: 'kafka', rule: 'is required' },
      { path: 'entities', rule: 'is required' },
    ]);
    expect(rule(issuesOf(() => load(input({ entities: [] }))), 'entities')).toBe('must list at least one entity');
  });

  it('refuses decimal handling `double`, saying why', () => {
    const issues = issuesOf(() => load(input({ entities: [entity({ sources: { b: { decimalHandling: 'double' } } })] })));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('entities[0].sources.b.decimalHandling');
    expect(issues[0]!.rule).toMatch(/`double` is refused: it is lossy/);
  });

  it('checks time zones against IANA names, refusing offsets', () => {
    for (const timeZone of ['Mars/Olympus_Mons', '+07:00', 'GMT+7', '']) {
      const issues = issuesOf(() => load(input({ entities: [entity({ businessDay: { timeZone } })] })));
      expect(rule(issues, 'entities[0].businessDay.timeZone'), timeZone).toMatch(/IANA time zone/);
    }
    for (const timeZone of ['UTC', 'Asia/Bangkok', 'America/Argentina/Buenos_Aires', 'Etc/GMT+7']) {
      expect(load(input({ entities: [entity({ businessDay: { timeZone } })] })).entities[0]!.businessDay.timeZone).toBe(timeZone);
    }
  });

  it("reads an entity side's audit database: schema defaults to public, the table is required, the URL must be a Postgres URL", () => {
    const withDatabase = (database: object) => input({ entities: [entity({ sources: { a: { database } } })] });
    const config = load(withDatabase({ url: 'postgres://recon@db-a:5432/app', table: 'we"ird; name' }));
    expect(config.entities[0]!.sources.a.database).toEqual({
      url: 'postgres://recon@db-a:5432/app',
      schema: 'public',
      table: 'we"ird; name',
      tls: { enabled: false, rejectUnauthorized: true },
    });
    expect(config.entities[0]!.sources.b.database).toBeUndefined();
    const issues = issuesOf(() => load(withDatabase({ url: 'mysql://db-a/app', schema: 'a\u0000b' })));
    expect(rule(issues, 'entities[0].sources.a.database.url')).toBe('must be a postgres:// or postgresql:// URL');
    expect(rule(issues, 'entities[0].sources.a.database.table')).toBe('is required');
    expect(rule(issues, 'entities[0].sources.a.database.schema')).toBe('must not contain control characters');
    // The URL may hold a password: the message names the rule, never the value.
    const message = messageOf(() => load(withDatabase({ url: 'mysql://u:s3cr3t-pw@db/app', table: 't' })));
    expect(message).not.toContain('s3cr3t-pw');
  });

  it('accepts column names with quotes, spaces, semicolons and mixed case, but not control characters (B14)', () => {
    const odd = ['Order "ID"', 'created at', 'x; DROP TABLE orders; --', 'MixedCase', 'naïve'];
    const config = load(
      input({
        entities: [
          entity({
            key: [odd[0]],
            businessDay: { column: odd[1] },
            columns: { safe: [odd[2]], toast: [odd[3]], types: { [odd[1]!]: { type: 'timestamptz' }, [odd[4]!]: { type: 'text' } } },
          }),
        ],
      }),
    );
    expect(config.entities[0]!.key).toEqual([odd[0]]);
    const issues = issuesOf(() => load(input({ entities: [entity({ key: ['order\nid'], columns: { types: { 'tab\there': { type: 'text' } } } })] })));
    expect(rule(issues, 'entities[0].key[0]')).toBe('must not contain control characters');
    expect(rule(issues, 'entities[0].columns.types["tab\\there"]')).toBe('invalid name: must not contain control characters');
  });

  it('restricts entity names to A-Z a-z 0-9 _ -', () => {
    for (const name of ['orders v2', 'orders;', '', 'ordérs', '{orders}']) {
      expect(rule(issuesOf(() => load(input({ entities: [entity({ name })] }))), 'entities[0].name'), name).toMatch(/A-Z a-z 0-9 _ -/);
    }
  });

  it('bounds numbers and formats', () => {
    const issues = issuesOf(() =>
      load(
        input({
          redis: { shards: 2000, keyBuckets: 0, keyPrefix: 'a{b}', url: 'http://x' },
          kafka: { brokers: ['no-port'] },
          topics: { deadLetter: 'bad topic' },
          schemaRegistry: { url: 'ftp://registry' },
          entities: [entity({ amounts: [{ column: 'amount', scale: 39 }], tolerances: { count: { percent: 101 } } })],
        }),
      ),
    );
    expect(rule(issues, 'redis.shards')).toBe('must be <= 1024');
    expect(rule(issues, 'redis.keyBuckets')).toBe('must be >= 1');
    expect(rule(issues, 'redis.keyPrefix')).toMatch(/no braces/);
    expect(rule(issues, 'redis.url')).toMatch(/redis:\/\/ or rediss:\/\//);
    expect(rule(issues, 'kafka.brokers[0]')).toMatch(/host:port/);
    expect(rule(issues, 'topics.deadLetter')).toMatch(/Kafka topic name/);
    expect(rule(issues, 'schemaRegistry.url')).toMatch(/http:\/\/ or https:\/\//);
    expect(rule(issues, 'entities[0].amounts[0].scale')).toBe('must be <= 38');
    expect(rule(issues, 'entities[0].tolerances.count.percent')).toBe('must be <= 100');
    const fine = issuesOf(() => load(input({ entities: [entity({ tolerances: { sums: { percent: 0.0000001 } } })] })));
    expect(rule(fine, 'entities[0].tolerances.sums.percent')).toBe('must have at most 6 decimal places');
    expect(load(input({ entities: [entity({ tolerances: { sums: { percent: 0.5 } } })] })).entities[0]!.tolerances.sums.percent).toBe(0.5);
  });

  it('wants the sums tolerance as a decimal string, so that it stays exact', () => {
    const issues = issuesOf(() => load(input({ entities: [entity({ tolerances: { sums: { absolute: 0.01 } } })] })));
    expect(rule(issues, 'entities[0].tolerances.sums.absolute')).toMatch(/decimal string \(quote it/);
    expect(load(input({ entities: [entity({ tolerances: { sums: { absolute: '0.01' } } })] })).entities[0]!.tolerances.sums.absolute).toBe('0.01');
  });

  it('reports every problem at once, one per line, naming the field', () => {
    const message = messageOf(() => load(input({ graceMs: -1, redis: { keyPrefx: 'x' } })));
    expect(message.split('\n')).toEqual([
      'invalid configuration, 2 problems:',
      '  redis.keyPrefx: unknown field (did you mean keyPrefix?)',
      '  graceMs: must be >= 0',
    ]);
  });

  it('never quotes a value in an error, not even a wrong one', () => {
    const message = messageOf(() =>
      load(input({ keys: { hmacSecret: 'short-secret' }, redis: { password: 'p4ss', url: 'mongodb://u:hunter2@x' } })),
    );
    expect(message).toContain('keys.hmacSecret: must be at least 16 characters');
    for (const value of ['short-secret', 'hunter2', 'p4ss']) expect(message).not.toContain(value);
  });
});

describe('the YAML file', () => {
  const dir = () => tempDir();

  it('reports YAML errors with their position and without the text', () => {
    const d = dir();
    const file = d.write('dup.yaml', 'kafka:\n  brokers: [k:9092]\nkafka:\n  clientId: hunter2\n');
    const error = issuesOf(() => loadConfig({ file, env: {} }));
    expect(error).toEqual([{ path: '(file)', rule: 'YAML error at line 3, column 1: Map keys must be unique' }]);
  });

  it('reports a missing file and a file that is not a mapping', () => {
    const d = dir();
    expect(issuesOf(() => loadConfig({ file: `${d.path}/nope.yaml`, env: {} }))[0]!.rule).toMatch(/cannot read .*nope\.yaml \(ENOENT\)/);
    expect(issuesOf(() => loadConfig({ file: d.write('list.yaml', '- a\n- b\n'), env: {} }))).toEqual([
      { path: '(root)', rule: 'the file must hold a mapping of fields' },
    ]);
  });

  it('names the file in the message', () => {
    const d = dir();
    const file = d.write('bad.yaml', 'graceMs: 1\n');
    expect(messageOf(() => loadConfig({ file, env: {} }))).toMatch(new RegExp(`^invalid configuration \\(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\), 2 problems:`));
  });
});

describe('paths in messages', () => {
  it('quote keys that are not identifiers', () => {
    expect(formatPath(['entities', 0, 'columns', 'types', 'my "col"', 'type'])).toBe('entities[0].columns.types["my \\"col\\""].type');
    expect(formatPath([])).toBe('(root)');
  });
});

describe('the generated files', () => {
  it('schemas/config.schema.json is current (run npm run generate)', () => {
    expect(readFileSync('schemas/config.schema.json', 'utf8')).toBe(renderConfigJsonSchema());
  });

  it('docs/configuration.md is current (run npm run generate)', () => {
    expect(readFileSync('docs/configuration.md', 'utf8')).toBe(renderConfigDocs());
  });

  it('every field has a description, and the schema refuses unknown fields everywhere', () => {
    const { fields } = configFieldIndex();
    expect(fields.length).toBeGreaterThan(50);
    expect(fields.filter((f) => f.description.trim() === '').map((f) => f.path)).toEqual([]);
    const openObjects = fields.filter((f) => f.schema.type === 'object' && f.schema.properties && f.schema.additionalProperties !== false);
    expect(openObjects.map((f) => f.path)).toEqual([]);
  });

  it('the docs list every field with its environment variable', () => {
    const docs = renderConfigDocs();
    for (const field of configFieldIndex().fields) {
      const isSection = field.segments.length === 1 && (field.schema.type === 'object' || field.schema.type === 'array');
      expect(docs).toContain(isSection ? `### \`${field.path}\`` : `| \`${field.path}\` |`);
      if (field.env) expect(docs).toContain(`\`${field.env}\``);
    }
  });
});
