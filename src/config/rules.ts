/**
 * Cross-field rules: what no single field's type can say. Run by `configSchema` after every field
 * has passed its own checks, so the rules can trust the shapes. Each issue names the field to
 * change (the most specific one) and the rule it breaks; `CROSS_FIELD_RULES` lists them for the docs.
 */
import type { ColumnType } from '../domain/entity.ts';
import { formatPath } from './errors.ts';
import type { EntityConfig, ReconcilerConfig } from './schema.ts';

export interface RuleIssue {
  path: (string | number)[];
  rule: string;
}

/** The rules in words, for docs/configuration.md. */
export const CROSS_FIELD_RULES: readonly string[] = [
  '`kafka.heartbeatIntervalMs` must be below `kafka.sessionTimeoutMs`.',
  'TLS (Kafka, Redis, the audited databases): `cert` and `key` go together; `ca`, `cert` and `key` need TLS to be enabled (`enabled: true`, or a `rediss://` URL for Redis).',
  'Secrets: give each secret at most once, inline or as a file (`password` or `passwordFile`, `hmacSecret` or `hmacSecretFile`).',
  '`kafka.sasl` needs a `password` or `passwordFile`; `schemaRegistry.username` and a password go together.',
  '`keys.mode: hmac` needs `keys.hmacSecret` or `keys.hmacSecretFile`.',
  '`schemaRegistry` is required when any source uses the `debezium-avro` format.',
  '`redis.cluster.nodes` needs `redis.cluster.enabled: true`.',
  'Entity names are unique.',
  'Key columns are unique and not excluded; the business-day column and the amount columns are not excluded; an amount column is not a key column and is listed once.',
  "The two sides' topics of an entity differ; a data topic belongs to one entity and side only, and is none of the output topics or heartbeat topics.",
  'When `columns.hash` is a list, `safe` and `toast` columns are in it and `exclude` does not overlap it; when it is `all`, `safe` and `toast` columns are not excluded.',
  'Declared types agree with the roles: the business-day column is a date or timestamp, amounts are integer or decimal, `scale` only on decimals, `unit` only on time types.',
  'A source in `precise` decimal handling without a schema in the stream (`debezium-json`, `json-rows`) needs `scale` on every column declared `decimal`.',
  '`tolerances.sums.absolute` has no more significant fraction digits than the smallest amount scale.',
];

const DAY_TYPES: readonly ColumnType[] = ['date', 'timestamp', 'timestamptz'];
const AMOUNT_TYPES: readonly ColumnType[] = ['integer', 'decimal'];
const TIME_TYPES: readonly ColumnType[] = ['date', 'time', 'timestamp', 'timestamptz'];
/** Formats whose messages carry no schema, so the column declarations are all there is. */
const SCHEMALESS_FORMATS = new Set(['debezium-json', 'json-rows']);

const q = (name: string) => JSON.stringify(name);

export function crossFieldIssues(config: ReconcilerConfig): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const add = (path: (string | number)[], rule: string) => issues.push({ path, rule });

  const { kafka, redis, keys, schemaRegistry } = config;
  if (kafka.heartbeatIntervalMs >= kafka.sessionTimeoutMs) {
    add(['kafka', 'heartbeatIntervalMs'], `must be below kafka.sessionTimeoutMs (${kafka.sessionTimeoutMs})`);
  }
  tlsIssues(['kafka', 'ssl'], kafka.ssl, kafka.ssl.enabled, add);
  tlsIssues(['redis', 'tls'], redis.tls, redis.tls.enabled || redis.url.startsWith('rediss://'), add);

  if (kafka.sasl) {
    secretPairIssues(['kafka', 'sasl'], 'password', kafka.sasl.password, kafka.sasl.passwordFile, true, 'SASL needs it', add);
  }
  if (schemaRegistry) {
    const hasPassword = schemaRegistry.password !== undefined || schemaRegistry.passwordFile !== undefined;
    secretPairIssues(['schemaRegistry'], 'password', schemaRegistry.password, schemaRegistry.passwordFile, false, '', add);
    if (schemaRegistry.username !== undefined && !hasPassword) {
      add(['schemaRegistry', 'password'], 'is required with schemaRegistry.username (or give schemaRegistry.passwordFile)');
    }
    if (schemaRegistry.username === undefined && hasPassword) {
      add(['schemaRegistry', 'username'], 'is required with a schema registry password');
    }
  }
  secretPairIssues(['redis'], 'password', redis.password, redis.passwordFile, false, '', add);
  secretPairIssues(['keys'], 'hmacSecret', keys.hmacSecret, keys.hmacSecretFile, keys.mode === 'hmac', 'keys.mode is hmac', add);

  if (!schemaRegistry) {
    const avro = firstSource(config, (s) => s.format === 'debezium-avro');
    if (avro) add(['schemaRegistry'], `is required: entities[${avro.index}].sources.${avro.side}.format is debezium-avro`);
  }
  if (!redis.cluster.enabled && redis.cluster.nodes.length > 0) {
    add(['redis', 'cluster', 'nodes'], 'needs redis.cluster.enabled: true (or remove the nodes)');
  }

  const names = new Map<string, number>();
  const outputTopics = new Map([
    [config.topics.mismatches, 'topics.mismatches'],
    [config.topics.deadLetter, 'topics.deadLetter'],
  ]);
  /** Each data topic and the first field that names it. */
  const dataTopics = new Map<string, string>();
  config.entities.forEach((entity, i) => {
    const at = (...rest: (string | number)[]) => ['entities', i, ...rest];
    const first = names.get(entity.name);
    if (first !== undefined) add(at('name'), `must be unique: entities[${first}] is also named ${q(entity.name)}`);
    else names.set(entity.name, i);

    for (const side of ['a', 'b'] as const) {
      const topic = entity.sources[side].topic;
      const clash = dataTopics.get(topic) ?? outputTopics.get(topic);
      if (side === 'b' && topic === entity.sources.a.topic) {
        add(at('sources', 'b', 'topic'), 'must differ from sources.a.topic: each side needs its own topic');
      } else if (clash !== undefined) {
        add(at('sources', side, 'topic'), `must not be the topic of ${clash} as well`);
      } else {
        dataTopics.set(topic, `entities[${i}].sources.${side}.topic`);
      }
    }
    for (const side of ['a', 'b'] as const) {
      const database = entity.sources[side].database;
      if (database === undefined) continue;
      tlsIssues(at('sources', side, 'database', 'tls'), database.tls, database.tls.enabled, add);
      secretPairIssues(at('sources', side, 'database'), 'password', database.password, database.passwordFile, false, '', add);
    }
    entityIssues(entity, at, add);
  });
  // Heartbeat topics may be shared (one per connector), but carry no data and no output.
  config.entities.forEach((entity, i) => {
    for (const side of ['a', 'b'] as const) {
      const hb = entity.sources[side].heartbeatTopic;
      const clash = hb === undefined ? undefined : (dataTopics.get(hb) ?? outputTopics.get(hb));
      if (clash !== undefined) add(['entities', i, 'sources', side, 'heartbeatTopic'], `must not be the topic of ${clash} as well`);
    }
  });
  return issues;
}

function entityIssues(
  entity: EntityConfig,
  at: (...rest: (string | number)[]) => (string | number)[],
  add: (path: (string | number)[], rule: string) => void,
): void {
  const { key, columns, amounts, businessDay } = entity;
  const excluded = new Set(columns.exclude);
  const keys = new Set<string>();
  key.forEach((column, j) => {
    if (keys.has(column)) add(at('key', j), `key column ${q(column)} is listed twice`);
    keys.add(column);
  });
  columns.exclude.forEach((column, j) => {
    if (keys.has(column)) add(at('columns', 'exclude', j), `must not exclude key column ${q(column)}`);
    if (column === businessDay.column) add(at('columns', 'exclude', j), `must not exclude the business-day column ${q(column)}`);
    if (amounts.some((a) => a.column === column)) add(at('columns', 'exclude', j), `must not exclude amount column ${q(column)}`);
  });
  const amountColumns = new Set<string>();
  amounts.forEach((amount, j) => {
    if (keys.has(amount.column)) add(at('amounts', j, 'column'), `${q(amount.column)} is a key column and cannot also be an amount`);
    if (amountColumns.has(amount.column)) add(at('amounts', j, 'column'), `${q(amount.column)} is listed twice`);
    amountColumns.add(amount.column);
  });

  if (columns.hash === 'all') {
    for (const role of ['safe', 'toast'] as const) {
      columns[role].forEach((column, j) => {
        if (excluded.has(column)) add(at('columns', role, j), `${q(column)} is excluded from the hash, so it cannot be a ${role} column`);
      });
    }
  } else {
    const hashed = new Set(columns.hash);
    for (const role of ['safe', 'toast'] as const) {
      columns[role].forEach((column, j) => {
        if (!hashed.has(column)) add(at('columns', role, j), `${q(column)} must be one of the hashed columns (columns.hash)`);
      });
    }
    columns.exclude.forEach((column, j) => {
      if (hashed.has(column)) add(at('columns', 'exclude', j), `${q(column)} is listed in columns.hash: a column cannot be both hashed and excluded`);
    });
  }

  const schemalessPrecise = (['a', 'b'] as const).filter(
    (side) => entity.sources[side].decimalHandling === 'precise' && SCHEMALESS_FORMATS.has(entity.sources[side].format),
  );
  for (const [column, spec] of Object.entries(columns.types)) {
    const path = at('columns', 'types', column);
    if (column === businessDay.column && !DAY_TYPES.includes(spec.type)) {
      add([...path, 'type'], `the business-day column must be one of ${DAY_TYPES.join(', ')}`);
    }
    if (amountColumns.has(column) && !AMOUNT_TYPES.includes(spec.type)) {
      add([...path, 'type'], `an amount column must be integer or decimal (exact arithmetic)`);
    }
    if (spec.scale !== undefined && spec.type !== 'decimal') add([...path, 'scale'], 'is only for decimal columns');
    if (spec.unit !== undefined && !TIME_TYPES.includes(spec.type)) add([...path, 'unit'], `is only for ${TIME_TYPES.join(', ')} columns`);
    const side = schemalessPrecise[0];
    if (spec.type === 'decimal' && spec.scale === undefined && side !== undefined) {
      add(
        [...path, 'scale'],
        `is required: sources.${side} sends decimals as bytes without a schema (decimalHandling precise, format ${entity.sources[side].format})`,
      );
    }
  }

  // Trailing zeros carry no precision: "0.10" fits a scale of 1.
  const fraction = (entity.tolerances.sums.absolute.split('.')[1] ?? '').replace(/0+$/, '').length;
  const minScale = Math.min(...amounts.map((a) => a.scale));
  if (amounts.length > 0 && fraction > minScale) {
    add(at('tolerances', 'sums', 'absolute'), `has ${fraction} fraction digits, more than the smallest amount scale (${minScale})`);
  }
}

function tlsIssues(
  path: (string | number)[],
  tls: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined },
  enabled: boolean,
  add: (path: (string | number)[], rule: string) => void,
): void {
  if (tls.cert !== undefined && tls.key === undefined) add([...path, 'key'], 'is required with cert');
  if (tls.key !== undefined && tls.cert === undefined) add([...path, 'cert'], 'is required with key');
  if (!enabled) {
    for (const file of ['ca', 'cert', 'key'] as const) {
      if (tls[file] !== undefined) add([...path, file], `is set but TLS is not enabled (set ${formatPath(path)}.enabled: true)`);
    }
  }
}

function secretPairIssues(
  path: (string | number)[],
  name: string,
  value: string | undefined,
  file: string | undefined,
  required: boolean,
  why: string,
  add: (path: (string | number)[], rule: string) => void,
): void {
  if (value !== undefined && file !== undefined) {
    add([...path, `${name}File`], `give either ${name} or ${name}File, not both`);
  } else if (required && value === undefined && file === undefined) {
    add([...path, name], `is required (or give ${name}File): ${why}`);
  }
}

function firstSource(
  config: ReconcilerConfig,
  test: (source: EntityConfig['sources']['a']) => boolean,
): { index: number; side: 'a' | 'b' } | undefined {
  for (const [index, entity] of config.entities.entries()) {
    for (const side of ['a', 'b'] as const) if (test(entity.sources[side])) return { index, side };
  }
  return undefined;
}
