/**
 * RECON_* environment overrides (read as the field's type), secrets from files, and redaction
 * (RELIABILITY.md S3, S4).
 */
import { describe, expect, it } from 'vitest';
import { readEnvOverrides } from '../../src/config/env.ts';
import { configFieldIndex, formatPath, loadConfig, REDACTED, redactedConfig } from '../../src/config/index.ts';
import { entity, input, issuesOf, load, messageOf, SECRET, tempDir } from './helpers.ts';

const MIN = 'examples/reconciler.min.yaml';
const withEnv = (env: Record<string, string>) => loadConfig({ file: MIN, env });

describe('environment overrides', () => {
  it('override scalars, read as the field type', () => {
    const config = withEnv({
      RECON_REDIS_URL: 'redis://cache.internal:6380',
      RECON_REDIS_KEY_PREFIX: 'recon-test-1',
      RECON_GRACE_MS: '1500',
      RECON_KAFKA_SSL_ENABLED: 'true',
      RECON_KAFKA_SSL_REJECT_UNAUTHORIZED: 'no',
      RECON_HTTP_PORT: '0',
      RECON_KEYS_MODE: 'plain',
    });
    expect(config.redis.url).toBe('redis://cache.internal:6380');
    expect(config.redis.keyPrefix).toBe('recon-test-1');
    expect(config.graceMs).toBe(1500);
    expect(config.kafka.ssl).toEqual({ enabled: true, rejectUnauthorized: false });
    expect(config.http.port).toBe(0);
    expect(config.keys.mode).toBe('plain');
  });

  it('override lists of scalars: comma-separated, or JSON when an item holds a comma', () => {
    expect(withEnv({ RECON_KAFKA_BROKERS: 'a:1, b:2' }).kafka.brokers).toEqual(['a:1', 'b:2']);
    const config = withEnv({ RECON_ENTITIES__0__KEY: '["region, code","id"]', RECON_ENTITIES__0__COLUMNS_HASH: 'region, code' });
    expect(config.entities[0]!.key).toEqual(['region, code', 'id']);
    expect(config.entities[0]!.columns.hash).toEqual(['region', 'code']);
    expect(withEnv({ RECON_ENTITIES__0__COLUMNS_HASH: 'all' }).entities[0]!.columns.hash).toBe('all');
  });

  it('override a nested entity field, with single or double underscores between segments', () => {
    expect(withEnv({ RECON_ENTITIES__0__SOURCES__A__TOPIC: 'x.public.orders' }).entities[0]!.sources.a.topic).toBe('x.public.orders');
    expect(withEnv({ RECON_ENTITIES__0__SOURCES_A_TOPIC: 'y.public.orders' }).entities[0]!.sources.a.topic).toBe('y.public.orders');
    expect(withEnv({ RECON_REDIS__KEY_PREFIX: 'p' }).redis.keyPrefix).toBe('p');
    expect(withEnv({ RECON_ENTITIES__0__BUSINESS_DAY__TIME_ZONE: 'Asia/Bangkok' }).entities[0]!.businessDay.timeZone).toBe('Asia/Bangkok');
  });

  it('set maps and whole sections as JSON', () => {
    const config = withEnv({
      RECON_ENTITIES__0__COLUMNS_TYPES: '{"created at":{"type":"timestamptz"},"amount":{"type":"decimal","scale":2}}',
      RECON_KAFKA_SASL: '{"mechanism":"scram-sha-256","username":"recon","password":"pw"}',
    });
    expect(config.entities[0]!.columns.types).toEqual({ 'created at': { type: 'timestamptz' }, amount: { type: 'decimal', scale: 2 } });
    expect(config.kafka.sasl?.mechanism).toBe('scram-sha-256');
  });

  it('add a list element at the next index, and refuse a gap', () => {
    const added = withEnv({
      RECON_ENTITIES__1__NAME: 'payments',
      RECON_ENTITIES__1__KEY: 'payment_id',
      RECON_ENTITIES__1__BUSINESS_DAY_COLUMN: 'paid_at',
      RECON_ENTITIES__1__SOURCES_A_TOPIC: 'a.public.payments',
      RECON_ENTITIES__1__SOURCES_B_TOPIC: 'b.public.payments',
    });
    expect(added.entities.map((e) => e.name)).toEqual(['orders', 'payments']);
    const issues = issuesOf(() => withEnv({ RECON_ENTITIES__3__NAME: 'x' }));
    expect(issues).toContainEqual({ path: 'entities', rule: expect.stringMatching(/index 3 would leave a gap; the next index is 1/), env: 'RECON_ENTITIES__3__NAME' });
  });

  it('name the variable when its value breaks a rule', () => {
    const issues = issuesOf(() => withEnv({ RECON_GRACE_MS: 'soon', RECON_ENTITIES__0__BUSINESS_DAY_TIME_ZONE: '+07:00' }));
    expect(issues).toContainEqual({ path: 'graceMs', rule: 'expected a number, got a string', env: 'RECON_GRACE_MS' });
    expect(issues).toContainEqual({
      path: 'entities[0].businessDay.timeZone',
      rule: expect.stringMatching(/IANA/),
      env: 'RECON_ENTITIES__0__BUSINESS_DAY_TIME_ZONE',
    });
    expect(messageOf(() => withEnv({ RECON_GRACE_MS: 'soon' }))).toContain('graceMs: expected a number, got a string (from RECON_GRACE_MS)');
  });

  it('refuse a variable that looks like a field but is none; leave other RECON_* variables alone', () => {
    const issues = issuesOf(() => withEnv({ RECON_REDIS_KEY_PREFX: 'x', RECON_ENTITIES_0_NAME: 'x', RECON_STACK_REDIS_URL: 'redis://x', RECON_KEEP_STACK: '1' }));
    expect(issues).toEqual([
      { path: 'RECON_ENTITIES_0_NAME', rule: 'names no configuration field (a list index goes between double underscores, e.g. RECON_ENTITIES__0__NAME)' },
      { path: 'RECON_REDIS_KEY_PREFX', rule: 'names no configuration field (did you mean RECON_REDIS_KEY_PREFIX?)' },
    ]);
  });

  it('refuse bad JSON without quoting it', () => {
    const issues = issuesOf(() => withEnv({ RECON_KAFKA_SASL: '{"password": "hunter2"' }));
    expect(issues).toEqual([{ path: 'kafka.sasl', rule: 'must be a JSON object', env: 'RECON_KAFKA_SASL' }]);
  });

  it('treat an empty value as unset', () => {
    expect(withEnv({ RECON_REDIS_URL: '' }).redis.url).toBe('redis://127.0.0.1:6379');
  });

  it('take the file from RECON_CONFIG; overrides beat the environment, which beats the file', () => {
    const config = loadConfig({
      env: { RECON_CONFIG: 'examples/reconciler.yaml', RECON_GRACE_MS: '1000', RECON_REDIS_SHARDS: '8' },
      overrides: { graceMs: 2000 },
    });
    expect(config.entities[0]!.columns.safe).toEqual(['status']); // from the file
    expect(config.redis.shards).toBe(8); // env over the file's 16
    expect(config.graceMs).toBe(2000); // overrides over env
  });

  it('every field outside maps has a variable that resolves back to it', () => {
    const fields = configFieldIndex().fields.filter((f) => f.env !== undefined);
    expect(fields.length).toBeGreaterThan(50);
    for (const field of fields) {
      const name = field.env!.replaceAll('<n>', '0');
      const value = field.schema.type === 'object' ? '{}' : field.schema.type === 'array' && field.schema.items?.type === 'object' ? '[]' : '1';
      const { overrides, issues } = readEnvOverrides({ [name]: value });
      expect(issues, name).toEqual([]);
      expect(overrides.map((o) => formatPath(o.path).replace(/\[0\]/g, '[]')), name).toEqual([field.path]);
    }
  });
});

describe('secrets', () => {
  it('are read from files, without the trailing newline', () => {
    const dir = tempDir();
    const config = load({
      ...input({
        redis: { passwordFile: dir.write('redis', 'redis-pw\r\n') },
        kafka: { sasl: { mechanism: 'scram-sha-512', username: 'recon', passwordFile: dir.write('kafka', 'kafka-pw') } },
      }),
      keys: { hmacSecretFile: dir.write('hmac', `${SECRET}\n`) },
    });
    expect(config.keys.hmacSecret).toBe(SECRET);
    expect(config.redis.password).toBe('redis-pw');
    expect(config.kafka.sasl?.password).toBe('kafka-pw');
  });

  it('come from the environment, directly or as a file', () => {
    const dir = tempDir();
    expect(loadConfig({ env: { RECON_CONFIG: MIN, RECON_REDIS_PASSWORD: 'from-env' } }).redis.password).toBe('from-env');
    const file = dir.write('hmac', 'another-secret-of-enough-length');
    const config = loadConfig({ env: { RECON_KEYS_HMAC_SECRET_FILE: file }, overrides: { ...input(), keys: {} } as never });
    expect(config.keys.hmacSecret).toBe('another-secret-of-enough-length');
  });

  it("of an audited database: from a file, or from the environment, per entity and side", () => {
    const dir = tempDir();
    const database = { url: 'postgres://recon@db-b/app', table: 'orders', passwordFile: dir.write('pg', 'pg-file-pw\n') };
    const fromFile = load(input({ entities: [entity({ sources: { b: { database } } })] }));
    expect(fromFile.entities[0]!.sources.b.database?.password).toBe('pg-file-pw');
    const fromEnv = loadConfig({
      file: dir.write('reconciler.yaml', JSON.stringify(input())),
      env: {
        RECON_ENTITIES__0__SOURCES_A_DATABASE_URL: 'postgres://recon@db-a/app',
        RECON_ENTITIES__0__SOURCES_A_DATABASE_TABLE: 'orders',
        RECON_ENTITIES__0__SOURCES_A_DATABASE_PASSWORD: 'pg-env-pw',
      },
    });
    expect(fromEnv.entities[0]!.sources.a.database).toMatchObject({ url: 'postgres://recon@db-a/app', table: 'orders', password: 'pg-env-pw' });
  });

  it('name the file field when the file is missing, empty or too short, and never print the content', () => {
    const dir = tempDir();
    const missing = issuesOf(() => load({ ...input(), keys: { hmacSecretFile: `${dir.path}/none` } }));
    expect(missing).toEqual([{ path: 'keys.hmacSecretFile', rule: `cannot read ${dir.path}/none (ENOENT)` }]);
    const empty = issuesOf(() => load({ ...input(), keys: { hmacSecretFile: dir.write('empty', '\n') } }));
    expect(empty[0]).toMatchObject({ path: 'keys.hmacSecretFile', rule: expect.stringMatching(/is empty$/) });
    const short = messageOf(() => load({ ...input(), keys: { hmacSecretFile: dir.write('short', 'tiny-secret') } }));
    expect(short).toMatch(/keys\.hmacSecretFile: the content of .* must be at least 16 characters/);
    expect(short).not.toContain('tiny-secret');
  });
});

describe('redactedConfig', () => {
  it('replaces every secret and URL password, keeps file paths, and leaves the config unchanged', () => {
    const config = load(
      input({
        redis: { url: 'redis://recon:url-pw@cache:6379/0', password: 'redis-pw' },
        kafka: { sasl: { mechanism: 'plain', username: 'recon', password: 'kafka-pw' } },
        schemaRegistry: { url: 'https://reg:reg-url-pw@registry.internal', username: 'reg', password: 'reg-pw' },
        entities: [entity()],
      }),
    );
    const dump = redactedConfig(config);
    const text = JSON.stringify(dump);
    for (const secret of [SECRET, 'redis-pw', 'kafka-pw', 'reg-pw', 'url-pw', 'reg-url-pw']) expect(text).not.toContain(secret);
    expect(dump.keys.hmacSecret).toBe(REDACTED);
    expect(dump.redis.password).toBe(REDACTED);
    expect(dump.kafka.sasl?.password).toBe(REDACTED);
    expect(dump.redis.url).toBe(`redis://recon:${REDACTED}@cache:6379/0`);
    expect(dump.schemaRegistry?.url).toBe(`https://reg:${REDACTED}@registry.internal`);
    expect(dump.kafka.sasl?.username).toBe('recon');
    expect(config.keys.hmacSecret).toBe(SECRET);
  });

  it("hides an audited database's password, inline, in its URL, or as a URL parameter", () => {
    const config = load(
      input({
        entities: [
          entity({
            sources: {
              a: { database: { url: 'postgres://recon:url-pw@db-a:5432/app?sslmode=require', table: 'orders', password: 'pg-pw' } },
              b: { database: { url: 'postgresql://db-b/app?user=recon&password=param-pw&application_name=x', table: 'orders' } },
            },
          }),
        ],
      }),
    );
    const dump = redactedConfig(config);
    const text = JSON.stringify(dump);
    for (const secret of ['url-pw', 'pg-pw', 'param-pw']) expect(text).not.toContain(secret);
    expect(dump.entities[0]!.sources.a.database).toMatchObject({ url: `postgres://recon:${REDACTED}@db-a:5432/app?sslmode=require`, password: REDACTED });
    expect(dump.entities[0]!.sources.b.database?.url).toBe(`postgresql://db-b/app?user=recon&password=${REDACTED}&application_name=x`);
  });

  it('shows which secrets come from files, and that unset secrets are unset', () => {
    const dir = tempDir();
    const config = load({ ...input(), keys: { hmacSecretFile: dir.write('hmac', SECRET) } });
    const dump = redactedConfig(config);
    expect(dump.keys).toEqual({ mode: 'hmac', hmacSecret: REDACTED, hmacSecretFile: `${dir.path}/hmac` });
    expect(dump.redis.password).toBeUndefined();
  });
});
