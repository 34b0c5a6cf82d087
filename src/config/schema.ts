/**
 * The one configuration tree of the reconciler (STYLE.md, convention 5). Every field has a type, a
 * description and, where one makes sense, a default. From this tree come: the YAML file format, the
 * `RECON_*` environment variables (env.ts), the JSON Schema in `schemas/` and the reference page in
 * `docs/configuration.md` (docs.ts). Cross-field rules live in rules.ts and are attached here, so
 * `configSchema.parse` alone validates everything but the content of secret files.
 *
 * The tree holds no transforms: its input and output differ only by defaults, so the JSON Schema
 * (of the input) describes exactly what a user may write.
 */
import { z } from 'zod';
import { COLUMN_TYPES, type DecimalHandling, type SourceFormat, type TimeUnit } from '../domain/entity.ts';
import { crossFieldIssues } from './rules.ts';

// ---- shared field shapes ---------------------------------------------------------------------

/**
 * A column name as the table spells it. Column names are always quoted as identifiers before they
 * reach SQL, so quotes, spaces, semicolons and mixed case are accepted (RELIABILITY.md B14); control
 * characters are not, because no sane table has them and they hide in logs.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]+$/;
export const columnNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .regex(NO_CONTROL_CHARACTERS, 'must not contain control characters');

const columnList = (description: string) => z.array(columnNameSchema).default([]).describe(description);

/** Entity names become parts of Redis keys, metric label values and topic headers: a small charset. */
export const ENTITY_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Kafka's own topic charset and length limit. */
const topicSchema = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1 to 249 of A-Z a-z 0-9 . _ -');

const hostPort = z
  .string()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/, 'must be host:port (IPv6 hosts in brackets)');

const filePath = (description: string) => z.string().min(1, 'must not be empty').optional().describe(description);

/**
 * A secret value. Marked `writeOnly` in the JSON Schema, which is how the loader and `redactedConfig`
 * find secrets; every secret `x` has a sibling `xFile` (a path whose content is the secret).
 */
const secret = (description: string, minLength = 1) =>
  z
    .string()
    .min(minLength, minLength === 1 ? 'must not be empty' : `must be at least ${minLength} characters`)
    .optional()
    .meta({ description, writeOnly: true });

const secretFile = (secretName: string) =>
  filePath(`Path of a file whose content (without a trailing newline) is \`${secretName}\`; give one of the two.`);

const tlsFields = (what: string, whose: string) => ({
  enabled: z.boolean().default(false).describe(`Connect to ${what} over TLS.`),
  ca: filePath(`Path of a PEM file with the CA certificate(s) that ${whose} certificate must chain to; the system CAs when absent.`),
  cert: filePath('Path of a PEM client certificate, for mutual TLS; needs `key`.'),
  key: filePath('Path of the PEM private key of `cert`.'),
  rejectUnauthorized: z
    .boolean()
    .default(true)
    .describe(`Refuse a certificate of ${what} that does not verify (wrong CA, wrong host name). Turn off only to diagnose, never in production.`),
});

/** IANA zone names only: fixed offsets such as `+07:00` mean the opposite sign in Postgres's POSIX syntax. */
export function isIanaTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A non-negative decimal written as a string, so that it stays exact (no binary floating point). */
const decimalString = z
  .string({
    error: (iss) =>
      typeof iss.input === 'number' ? 'must be a decimal string (quote it, e.g. "0.01"), so that it stays exact' : undefined,
  })
  .regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal such as "0" or "0.01"');

/** Percentages are compared exactly as integers of millionths of a percent: at most 6 decimals. */
const percent = (description: string) =>
  z
    .number()
    .min(0)
    .max(100)
    .refine((v) => /^\d+(\.\d{1,6})?$/.test(String(v)), 'must have at most 6 decimal places')
    .default(0)
    .describe(`${description} At most 6 decimal places.`);

// ---- sections --------------------------------------------------------------------------------

const kafkaSchema = z
  .strictObject({
    brokers: z.array(hostPort).min(1, 'must list at least one broker').describe('Bootstrap brokers, as host:port.'),
    clientId: z.string().min(1).default('cdc-reconciler').describe('Kafka client id, seen in broker logs and quotas.'),
    groupId: z
      .string()
      .min(1)
      .default('cdc-reconciler')
      .describe('Consumer group of all reconciler instances; instances of one deployment share it to split the partitions.'),
    sessionTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .default(30_000)
      .describe('Consumer session timeout: how long the group waits for a silent instance before rebalancing its partitions.'),
    heartbeatIntervalMs: z
      .number()
      .int()
      .min(100)
      .default(3_000)
      .describe('Consumer heartbeat interval; must be below `sessionTimeoutMs` (a third of it is customary).'),
    ssl: z.strictObject(tlsFields('the brokers', "the brokers'")).prefault({}).describe('TLS to the brokers.'),
    sasl: z
      .strictObject({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism.'),
        username: z.string().min(1, 'must not be empty').describe('SASL user name.'),
        password: secret('SASL password.'),
        passwordFile: secretFile('password'),
      })
      .optional()
      .describe('SASL authentication; absent means none. Combine with `ssl` (SASL_SSL) outside a trusted network.'),
  })
  .describe('The Kafka cluster that carries both sides\' change topics and the output topics.');

const schemaRegistrySchema = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).describe('Base URL of a Confluent-compatible schema registry.'),
    username: z.string().min(1, 'must not be empty').optional().describe('Basic-auth user name.'),
    password: secret('Basic-auth password.'),
    passwordFile: secretFile('password'),
  })
  .optional()
  .describe('The schema registry; required when any source uses the `debezium-avro` format.');

const redisSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
      .default('redis://127.0.0.1:6379')
      .describe('Redis URL (`rediss://` for TLS). Prefer `username`/`password` over credentials inside the URL.'),
    cluster: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Talk to a Redis Cluster instead of a single server.'),
        nodes: z
          .array(hostPort)
          .default([])
          .describe('Cluster seed nodes as host:port; empty means the host and port of `url`.'),
      })
      .prefault({})
      .describe('Redis Cluster mode.'),
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1 to 64 of A-Z a-z 0-9 _ . : - (no braces: they would change hash slots)')
      .default('recon')
      .describe('Prefix of every Redis key, so that several deployments (or tests) share one Redis.'),
    tls: z.strictObject(tlsFields('Redis', "Redis's")).prefault({}).describe('TLS to Redis.'),
    username: z.string().min(1, 'must not be empty').optional().describe('Redis ACL user name.'),
    password: secret('Redis password (of the ACL user, or the `requirepass` one).'),
    passwordFile: secretFile('password'),
    shards: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(16)
      .describe(
        'Hash-tag shards per entity: state is spread over this many `{hash tags}`, so one entity uses this many Redis Cluster slots. Changing it needs a state rebuild.',
      ),
    keyBuckets: z
      .number()
      .int()
      .min(1)
      .max(65_536)
      .default(1024)
      .describe(
        'Per-key state is kept in this many bucketed hashes per shard. A bucket stays in Redis\'s compact listpack encoding up to 64 keys (128 fields, both sides): size it to about keys / (shards x 50); the default suits about 800k keys per entity. Changing it needs a state rebuild.',
      ),
  })
  .prefault({})
  .describe('The Redis server or cluster that holds all reconciliation state.');

const topicsSchema = z
  .strictObject({
    mismatches: topicSchema.default('recon.mismatches').describe('Topic that receives mismatch events (detected, open, resolved).'),
    deadLetter: topicSchema.default('recon.dead-letter').describe('Topic that receives undecodable messages, with the reason.'),
  })
  .prefault({})
  .describe('Topics the reconciler writes.');

const keysSchema = z
  .strictObject({
    mode: z
      .enum(['hmac', 'plain'])
      .default('hmac')
      .describe('How entity keys appear in mismatch events: `hmac` (HMAC-SHA-256 with `hmacSecret`) or `plain` (raw key values: only if keys are not personal data).'),
    hmacSecret: secret('Secret of the key HMAC; at least 16 characters. Keep it stable: changing it changes every reported key.', 16),
    hmacSecretFile: secretFile('hmacSecret'),
  })
  .prefault({})
  .describe('How keys are shown outside the reconciler.');

const httpSchema = z
  .strictObject({
    host: z.string().min(1).default('0.0.0.0').describe('Address the HTTP server (/metrics, /healthz, /readyz) listens on.'),
    port: z.number().int().min(0).max(65_535).default(9464).describe('Port of the HTTP server; 0 picks a free one.'),
  })
  .prefault({})
  .describe('The HTTP server for metrics and health.');

// ---- entities --------------------------------------------------------------------------------

const TIME_UNITS = ['ms', 'us', 'ns', 'days'] as const satisfies readonly TimeUnit[];
const DECIMAL_HANDLINGS = ['string', 'precise'] as const satisfies readonly DecimalHandling[];
const SOURCE_FORMATS = ['debezium-json', 'debezium-json-schema', 'debezium-avro', 'json-rows'] as const satisfies readonly SourceFormat[];
// Compile-time checks that the lists above name every member of the domain types.
const _allTimeUnits: [Exclude<TimeUnit, (typeof TIME_UNITS)[number]>] extends [never] ? true : false = true;
const _allDecimalHandlings: [Exclude<DecimalHandling, (typeof DECIMAL_HANDLINGS)[number]>] extends [never] ? true : false = true;
const _allSourceFormats: [Exclude<SourceFormat, (typeof SOURCE_FORMATS)[number]>] extends [never] ? true : false = true;

/**
 * A schema or table name as Postgres spells it. Like column names, these are always quoted as
 * identifiers and checked against the catalogue before a statement uses them (B14).
 */
const identifierSchema = columnNameSchema;

/** The libpq URL schemes; anything after them is the driver's to read (host, port, user, database, parameters). */
const POSTGRES_URL = /^postgres(ql)?:\/\/\S+$/;

const databaseSchema = (side: 'a' | 'b') =>
  z
    .strictObject({
      url: z
        .string()
        .regex(POSTGRES_URL, 'must be a postgres:// or postgresql:// URL')
        .describe(
          `Connection URL of side ${side.toUpperCase()}'s Postgres (postgres://user@host:port/database). Prefer \`password\`/\`passwordFile\` over a password inside the URL; either way it is never printed.`,
        ),
      password: secret("Password of the URL's user; replaces a password given in the URL."),
      passwordFile: secretFile('password'),
      schema: identifierSchema.default('public').describe('Schema of the table.'),
      table: identifierSchema.describe("The entity's table on this side, spelt exactly as in the catalogue (it is quoted, so any name works)."),
      tls: z
        .strictObject(tlsFields('the database', "the database server's"))
        .prefault({})
        .describe(
          "TLS to the database. With `enabled` and `rejectUnauthorized` (the default) the server's certificate must chain to `ca` and name the URL's host, as libpq's `sslmode=verify-full`; the URL's own ssl parameters are then ignored.",
        ),
    })
    .optional()
    .describe(
      `Side ${side.toUpperCase()}'s Postgres table, which the batch audit (\`cdc-reconciler audit\`) reads in a read-only transaction; absent: this side cannot be audited.`,
    );

const sourceSchema = (side: 'a' | 'b') =>
  z
    .strictObject({
      topic: topicSchema.describe(`Kafka topic of side ${side.toUpperCase()}'s changes of this entity (Debezium: <prefix>.<schema>.<table>).`),
      format: z
        .enum(SOURCE_FORMATS)
        .default('debezium-json')
        .describe(
          'Encoding: `debezium-json` (JsonConverter, schemas.enable=false), `debezium-json-schema` (schemas.enable=true), `debezium-avro` (via the schema registry), `json-rows` (unwrapped rows).',
        ),
      decimalHandling: z
        .enum(DECIMAL_HANDLINGS, {
          error: (iss) =>
            iss.input === 'double'
              ? '`double` is refused: it is lossy (binary floating point), so exact sums and hashes would be impossible; set the connector\'s decimal.handling.mode to `string` or `precise`'
              : undefined,
        })
        .default('precise')
        .describe(
          "The connector's decimal.handling.mode: `precise` (Debezium's default: bytes, or base64 in JSON) or `string`. `double` is refused: it is lossy.",
        ),
      heartbeatTopic: topicSchema
        .optional()
        .describe(`Debezium heartbeat topic of side ${side.toUpperCase()}'s connector (e.g. __debezium-heartbeat.<prefix>): keeps its watermark moving while the table is quiet.`),
      database: databaseSchema(side),
    })
    .describe(`Side ${side.toUpperCase()}${side === 'a' ? ' (the source of truth)' : ' (the copy)'}.`);

const columnTypeSchema = z
  .strictObject({
    type: z.enum(COLUMN_TYPES).describe('Logical type, which decides the canonical form (docs/canonical-form.md).'),
    scale: z.number().int().min(0).max(38).optional().describe('Decimal scale, for decimals sent as bytes without a schema.'),
    unit: z.enum(TIME_UNITS).optional().describe('Unit of time values sent as numbers without a schema.'),
  })
  .describe('A column\'s declared type.');

export const entitySchema = z
  .strictObject({
    name: z
      .string()
      .regex(ENTITY_NAME_PATTERN, 'must be 1 to 64 of A-Z a-z 0-9 _ - (it becomes part of Redis keys and metric labels)')
      .describe('Name of the entity, unique; appears in mismatch events, Redis keys and metric labels.'),
    key: z
      .array(columnNameSchema)
      .min(1, 'must name at least one key column')
      .describe('Key columns, in order (composite keys allowed): the row identity on both sides.'),
    businessDay: z
      .strictObject({
        column: columnNameSchema.describe('Column whose value gives the row\'s business day (date or timestamp).'),
        timeZone: z
          .string()
          .refine(isIanaTimeZone, 'must be an IANA time zone name such as UTC or Asia/Bangkok (not an offset)')
          .default('UTC')
          .describe('IANA time zone in which the column\'s value is cut into days.'),
      })
      .describe('Which day a row belongs to.'),
    amounts: z
      .array(
        z.strictObject({
          column: columnNameSchema.describe('Numeric column summed per day.'),
          scale: z
            .number()
            .int()
            .min(0)
            .max(38)
            .describe('Sums are exact integers scaled by 10^scale; a value with more fraction digits is refused.'),
        }),
      )
      .default([])
      .describe('Numeric columns whose per-day sums are compared.'),
    columns: z
      .strictObject({
        hash: z
          .union([z.literal('all'), z.array(columnNameSchema).min(1, 'must name at least one column, or be `all`')])
          .default('all')
          .describe('Columns whose values go into the row hash: `all` (every column but `exclude`) or a list.'),
        exclude: columnList('Columns left out of the row hash (e.g. columns only one side has, or replication bookkeeping).'),
        safe: columnList('Columns whose values may appear in mismatch events; none by default (PII-safe).'),
        toast: columnList(
          'Columns Postgres may TOAST (large text, bytea, json): their hash is kept per key so an update without their value can reuse it.',
        ),
        types: z
          .record(columnNameSchema, columnTypeSchema)
          .default({})
          .describe('Declared column types, by column name; an undeclared column uses the stream\'s schema, else compares as text.'),
      })
      .prefault({})
      .describe('Which columns are hashed, shown, and how they are typed.'),
    tolerances: z
      .strictObject({
        count: z
          .strictObject({
            absolute: z.number().int().min(0).default(0).describe('Row-count difference per day that is tolerated.'),
            percent: percent('Row-count difference per day that is tolerated, in percent of side A\'s count.'),
          })
          .prefault({})
          .describe('Tolerance of per-day row counts.'),
        sums: z
          .strictObject({
            absolute: decimalString.default('0').describe('Per-day sum difference that is tolerated, as a decimal string in the amount\'s units.'),
            percent: percent('Per-day sum difference that is tolerated, in percent of side A\'s sum.'),
          })
          .prefault({})
          .describe('Tolerance of per-day sums of each amount column.'),
      })
      .prefault({})
      .describe('How far per-day counts and sums may differ before the day is reported; a difference within either bound is tolerated.'),
    sources: z
      .strictObject({ a: sourceSchema('a'), b: sourceSchema('b') })
      .describe('Where the two sides\' changes come from.'),
  })
  .describe('One reconciled table, present on both sides.');

// ---- the whole tree --------------------------------------------------------------------------

export const baseConfigSchema = z
  .strictObject({
    kafka: kafkaSchema,
    schemaRegistry: schemaRegistrySchema,
    redis: redisSchema,
    topics: topicsSchema,
    keys: keysSchema,
    graceMs: z
      .number()
      .int()
      .min(0)
      .default(30_000)
      .describe('Grace period: a key or day is judged only once both sides\' watermarks have passed it plus this long.'),
    judgeIntervalMs: z
      .number()
      .int()
      .min(10)
      .default(500)
      .describe('How often settled keys and days are judged.'),
    http: httpSchema,
    entities: z.array(entitySchema).min(1, 'must list at least one entity').describe('The reconciled entities (tables).'),
  })
  .meta({
    title: 'cdc-reconciler configuration',
    description: 'Configuration of cdc-reconciler: one YAML file; every field can be overridden by a RECON_* environment variable.',
  });

/** The whole configuration tree, cross-field rules included. */
export const configSchema = baseConfigSchema.superRefine((config, ctx) => {
  for (const issue of crossFieldIssues(config)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.rule });
});

/** The validated configuration, defaults filled in; frozen when it comes from `loadConfig`. */
export type ReconcilerConfig = z.output<typeof baseConfigSchema>;
/** What a user may write (defaults optional). */
export type ReconcilerConfigInput = z.input<typeof baseConfigSchema>;
export type EntityConfig = ReconcilerConfig['entities'][number];
export type SourceConfig = EntityConfig['sources']['a'];
export type DatabaseConfig = NonNullable<SourceConfig['database']>;
