/**
 * The configuration tree flattened into fields, each with its path, type, default, description,
 * environment variable and secrecy. Built from the JSON Schema of the zod tree (plain data, stable
 * across zod versions), so env.ts, redact.ts and docs.ts all read the same one tree.
 *
 * Environment variable names (documented in docs/configuration.md):
 * - `RECON_` + the field's path, each segment in UPPER_SNAKE_CASE, segments joined by `_`:
 *   `redis.keyPrefix` → `RECON_REDIS_KEY_PREFIX`, `graceMs` → `RECON_GRACE_MS`.
 * - An element of a list of objects is addressed by its index between double underscores:
 *   `entities[0].sources.a.topic` → `RECON_ENTITIES__0__SOURCES_A_TOPIC`.
 * - A double underscore may stand anywhere a single one separates segments, so
 *   `RECON_ENTITIES__0__SOURCES__A__TOPIC` and `RECON_REDIS__KEY_PREFIX` work too.
 * - Map entries (keyed by column names, which may hold any character) have no variable of their own:
 *   set the whole map as JSON through the map's variable.
 */
import { z } from 'zod';
import type { PathSegment } from './errors.ts';
import { configSchema } from './schema.ts';

/** The subset of JSON Schema that zod emits for this tree. */
export interface JsonSchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  writeOnly?: boolean;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  additionalProperties?: boolean | JsonSchemaNode;
  propertyNames?: JsonSchemaNode;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
  [keyword: string]: unknown;
}

/** A segment of a field's path: a property name, any index of a list, or any key of a map. */
export type FieldSegment = string | { index: true } | { key: true };

export interface ConfigField {
  segments: FieldSegment[];
  /** Display path: `entities[].sources.a.topic`, `entities[].columns.types.<column>.type`. */
  path: string;
  /** Canonical environment variable, with `<n>` for list indices; absent inside maps. */
  env?: string;
  /** Human-readable type, e.g. `integer (1..1024)`, `list of string`. */
  type: string;
  required: boolean;
  hasDefault: boolean;
  default?: unknown;
  /** A secret: never printed; has a sibling `<name>File`. */
  secret: boolean;
  description: string;
  schema: JsonSchemaNode;
}

/** Where environment variable names resolve: the root, or the element of a list of objects. */
export interface EnvScope {
  byName: Map<string, { field: ConfigField; relative: string[]; itemScope?: EnvScope }>;
}

export interface ConfigFieldIndex {
  jsonSchema: JsonSchemaNode;
  fields: ConfigField[];
  rootScope: EnvScope;
}

export const MAP_KEY_LABEL = '<column>';
export const INDEX_LABEL = '<n>';

let cached: ConfigFieldIndex | undefined;

/** The JSON Schema of what a user may write (the tree's input side: defaulted fields are optional). */
export function configJsonSchema(): JsonSchemaNode {
  return configFieldIndex().jsonSchema;
}

export function configFieldIndex(): ConfigFieldIndex {
  cached ??= buildIndex(z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchemaNode);
  return cached;
}

export function upperSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function buildIndex(jsonSchema: JsonSchemaNode): ConfigFieldIndex {
  const fields: ConfigField[] = [];
  const rootScope: EnvScope = { byName: new Map() };

  const walk = (
    node: JsonSchemaNode,
    segments: FieldSegment[],
    relative: string[],
    scope: EnvScope | undefined,
    envPrefix: string,
    required: boolean,
  ) => {
    const field: ConfigField = {
      segments,
      path: displayPath(segments),
      type: describeType(node),
      required,
      hasDefault: 'default' in node,
      ...('default' in node ? { default: node.default } : {}),
      secret: node.writeOnly === true,
      description: node.description ?? '',
      schema: node,
    };
    let itemScope: EnvScope | undefined;
    if (scope) {
      const name = relative.map(upperSnake).join('_');
      field.env = envPrefix + name;
      if (scope.byName.has(name)) throw new Error(`config tree: two fields share the environment name ${field.env}`);
      if (isObjectList(node)) itemScope = { byName: new Map() };
      scope.byName.set(name, { field, relative, ...(itemScope ? { itemScope } : {}) });
    }
    fields.push(field);

    if (node.properties) {
      for (const [name, child] of Object.entries(node.properties)) {
        walk(child, [...segments, name], [...relative, name], scope, envPrefix, isRequired(node, name));
      }
    } else if (isObjectList(node) && node.items?.properties) {
      for (const [name, child] of Object.entries(node.items.properties)) {
        walk(child, [...segments, { index: true }, name], [name], itemScope, `${field.env}__${INDEX_LABEL}__`, isRequired(node.items, name));
      }
    } else if (typeof node.additionalProperties === 'object' && node.additionalProperties.properties) {
      for (const [name, child] of Object.entries(node.additionalProperties.properties)) {
        walk(child, [...segments, { key: true }, name], [], undefined, '', isRequired(node.additionalProperties, name));
      }
    }
  };

  for (const [name, child] of Object.entries(jsonSchema.properties ?? {})) {
    walk(child, [name], [name], rootScope, 'RECON_', isRequired(jsonSchema, name));
  }
  return { jsonSchema, fields, rootScope };
}

function isRequired(parent: JsonSchemaNode, name: string): boolean {
  return (parent.required ?? []).includes(name) && !('default' in (parent.properties?.[name] ?? {}));
}

export function isObjectList(node: JsonSchemaNode): boolean {
  return node.type === 'array' && node.items?.type === 'object' && node.items.properties !== undefined;
}

export function isMap(node: JsonSchemaNode): boolean {
  return node.type === 'object' && node.properties === undefined && typeof node.additionalProperties === 'object';
}

function displayPath(segments: readonly FieldSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'string') out += out === '' ? segment : `.${segment}`;
    else if ('index' in segment) out += '[]';
    else out += `.${MAP_KEY_LABEL}`;
  }
  return out;
}

export function describeType(node: JsonSchemaNode): string {
  if (node.anyOf) return node.anyOf.map(describeType).join(' or ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (node.type) {
    case 'integer':
    case 'number': {
      // zod writes the safe-integer limits for `.int()`: they are no real bound worth showing.
      const bound = (n: number | undefined) => (n === undefined || Math.abs(n) >= Number.MAX_SAFE_INTEGER ? undefined : n);
      const [min, max] = [bound(node.minimum), bound(node.maximum)];
      const range = min !== undefined && max !== undefined ? ` ${min}..${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : '';
      return `${node.type}${range}`;
    }
    case 'array': {
      const items = node.items ? (node.items.type === 'object' ? 'objects' : describeType(node.items)) : 'anything';
      return `${node.minItems ? 'non-empty list' : 'list'} of ${items}`;
    }
    case 'object':
      return isMap(node) ? `map of ${MAP_KEY_LABEL} → object` : 'object';
    case 'string':
      return node.writeOnly ? 'string (secret)' : node.format === 'uri' ? 'URL' : 'string';
    default:
      return node.type ?? 'any';
  }
}

/** The JSON Schema node at a concrete path (indices and map keys included); undefined when none. */
export function nodeAt(path: readonly PathSegment[]): JsonSchemaNode | undefined {
  let node: JsonSchemaNode | undefined = configJsonSchema();
  for (const segment of path) {
    if (!node) return undefined;
    if (typeof segment === 'number') node = node.items;
    else if (node.properties) node = node.properties[segment];
    else if (typeof node.additionalProperties === 'object') node = node.additionalProperties;
    else return undefined;
  }
  return node;
}

/** Field names allowed in the object at `path`, for "did you mean" hints. */
export function knownFieldsAt(path: readonly PathSegment[]): string[] {
  return Object.keys(nodeAt(path)?.properties ?? {});
}

/** Every secret field, with the path of its `File` sibling. */
export function secretFields(): { field: ConfigField; fileField: string }[] {
  return configFieldIndex()
    .fields.filter((f) => f.secret)
    .map((field) => ({ field, fileField: `${field.segments[field.segments.length - 1] as string}File` }));
}
