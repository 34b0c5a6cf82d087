/**
 * `RECON_*` environment variables as overrides of the configuration file. The names come from the
 * tree (fields.ts documents the scheme); a value is read as the type of its field: numbers,
 * booleans (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`), lists of scalars (comma-separated, or
 * a JSON array when an item contains a comma), and JSON for objects, maps and lists of objects.
 * An empty value counts as unset.
 *
 * A variable whose name starts like a configuration section (`RECON_REDIS_…`, `RECON_ENTITIES…`)
 * but names no field is an error, so that a typo is not silently ignored; other `RECON_*`
 * variables (`RECON_CONFIG`, the stack's `RECON_STACK_*`) belong to other tools and are left alone.
 */
import type { ConfigIssue, PathSegment } from './errors.ts';
import { formatPath, suggestion } from './errors.ts';
import { configFieldIndex, isObjectList, upperSnake, type EnvScope, type JsonSchemaNode } from './fields.ts';

export const ENV_PREFIX = 'RECON_';
/** The configuration file's path; not a field of the tree. */
export const CONFIG_FILE_ENV = 'RECON_CONFIG';

export interface EnvOverride {
  env: string;
  path: PathSegment[];
  value: unknown;
}

export interface EnvOverrides {
  overrides: EnvOverride[];
  issues: ConfigIssue[];
}

/** Reads every `RECON_*` variable that names a field; reports the ones that look like fields but are not. */
export function readEnvOverrides(env: NodeJS.ProcessEnv): EnvOverrides {
  const overrides: EnvOverride[] = [];
  const issues: ConfigIssue[] = [];
  const { rootScope } = configFieldIndex();
  const sections = [...rootScope.byName.values()].filter((e) => e.relative.length === 1).map((e) => upperSnake(e.relative[0]!));

  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_ENV || raw === undefined || raw === '') continue;
    const rest = name.slice(ENV_PREFIX.length);
    const flat = rest.replace(/_{2,}/g, '_');
    if (!sections.some((s) => flat === s || flat.startsWith(`${s}_`))) continue;

    const target = resolveName(rest, rootScope);
    if (!target) {
      const hint = /[^_]_\d+(_|$)/.test(rest)
        ? ' (a list index goes between double underscores, e.g. RECON_ENTITIES__0__NAME)'
        : suggestion(name, knownNames());
      issues.push({ path: name, rule: `names no configuration field${hint}` });
      continue;
    }
    const parsed = coerce(raw, target.node);
    if ('error' in parsed) issues.push({ path: formatPath(target.path), rule: parsed.error, env: name });
    else overrides.push({ env: name, path: target.path, value: parsed.value });
  }
  // Outer values first, so that RECON_ENTITIES (a whole list, as JSON) and then RECON_ENTITIES__0__NAME both apply.
  overrides.sort((x, y) => x.path.length - y.path.length);
  return { overrides, issues };
}

/** Writes the overrides into `raw` (mutated), creating objects and list elements along the way. */
export function applyEnvOverrides(raw: Record<string, unknown>, overrides: readonly EnvOverride[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const { env, path, value } of overrides) {
    const error = setPath(raw, path, value);
    if (error) issues.push({ ...error, env });
  }
  return issues;
}

type ScopeEntry = EnvScope['byName'] extends Map<string, infer E> ? E : never;

function resolveName(rest: string, rootScope: EnvScope): { path: PathSegment[]; node: JsonSchemaNode } | undefined {
  // 'ENTITIES__0__SOURCES__A__TOPIC' → ['ENTITIES', '0', 'SOURCES__A__TOPIC']
  const parts = rest.split(/__(\d+)(?:__|$)/);
  let scope: EnvScope | undefined = rootScope;
  const path: PathSegment[] = [];
  let node: JsonSchemaNode | undefined;
  for (let k = 0; k < parts.length; k += 2) {
    const text = parts[k]!.replace(/_{2,}/g, '_');
    const index = parts[k + 1];
    if (text === '') return k > 0 && index === undefined ? { path, node: node! } : undefined;
    const entry: ScopeEntry | undefined = scope?.byName.get(text);
    if (!entry) return undefined;
    path.push(...entry.relative);
    node = entry.field.schema;
    if (index !== undefined) {
      if (!entry.itemScope || !isObjectList(entry.field.schema)) return undefined;
      path.push(Number(index));
      node = entry.field.schema.items;
      scope = entry.itemScope;
    } else {
      scope = undefined;
    }
  }
  return node ? { path, node } : undefined;
}

/** Canonical names of the fields outside lists, for "did you mean" hints. */
function knownNames(): string[] {
  return configFieldIndex()
    .fields.map((f) => f.env)
    .filter((env): env is string => env !== undefined && !env.includes('__'));
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEANS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false };

/** Reads `raw` as the type of `node`; a value that does not fit is passed on as text for the schema to name the rule. */
function coerce(raw: string, node: JsonSchemaNode): { value: unknown } | { error: string } {
  const text = raw.trim();
  if (node.anyOf) {
    if (node.anyOf.some((branch) => branch.const === text)) return { value: text };
    const list = node.anyOf.find((branch) => branch.type === 'array');
    if (list) return coerce(raw, list);
    return { value: raw };
  }
  switch (node.type) {
    case 'integer':
    case 'number':
      return { value: NUMBER.test(text) ? Number(text) : raw };
    case 'boolean': {
      const b = BOOLEANS[text.toLowerCase()];
      return { value: b ?? raw };
    }
    case 'array':
      if (node.items?.type === 'object' || text.startsWith('[')) return json(text, 'a JSON array');
      return {
        value: text
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '')
          .map((item) => {
            const one = node.items ? coerce(item, node.items) : { value: item };
            return 'value' in one ? one.value : item;
          }),
      };
    case 'object':
      return json(text, 'a JSON object');
    default:
      return { value: raw };
  }
}

function json(text: string, what: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch {
    // The parser's message quotes the input, which may hold a secret: name the rule only.
    return { error: `must be ${what}` };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setPath(root: Record<string, unknown>, path: readonly PathSegment[], value: unknown): Omit<ConfigIssue, 'env'> | undefined {
  let node: Record<string | number, unknown> | unknown[] = root;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    const next = path[i + 1]!;
    const container = node as Record<string | number, unknown>;
    let child = container[segment];
    if (typeof next === 'number') {
      if (!Array.isArray(child)) child = container[segment] = [];
      const list = child as unknown[];
      if (next > list.length) {
        return {
          path: formatPath(path.slice(0, i + 1)),
          rule: `has ${list.length} element(s), so index ${next} would leave a gap; the next index is ${list.length}`,
        };
      }
    } else if (!isPlainObject(child)) {
      child = container[segment] = {};
    }
    node = child as Record<string | number, unknown>;
  }
  (node as Record<string | number, unknown>)[path[path.length - 1]!] = value;
  return undefined;
}
