/**
 * Loading the configuration, once, at start. Sources, later ones winning:
 *
 *   defaults (schema.ts) < the YAML file < RECON_* environment variables < `overrides` (e.g. CLI flags)
 *
 * Everything is validated together, cross-field rules included; any problem throws one ConfigError
 * listing every problem found (each naming the field and the rule). Then secret files are read, and
 * the result is deep-frozen.
 */
import { readFileSync } from 'node:fs';
import YAML, { LineCounter } from 'yaml';
import { ConfigError, formatPath, fromZodIssues, type ConfigIssue } from './errors.ts';
import { applyEnvOverrides, CONFIG_FILE_ENV, readEnvOverrides, type EnvOverride } from './env.ts';
import { knownFieldsAt } from './fields.ts';
import { deepFreeze } from './freeze.ts';
import { configSchema, type ReconcilerConfig, type ReconcilerConfigInput } from './schema.ts';
import { resolveSecretFiles, type ReadTextFile } from './secrets.ts';

/** A partial configuration merged over the file and the environment: objects merge, lists replace. */
export type ConfigOverrides = DeepPartial<ReconcilerConfigInput>;
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export interface LoadConfigOptions {
  /** The YAML file; defaults to `$RECON_CONFIG`; with neither, the configuration comes from env and overrides only. */
  file?: string | undefined;
  /** Environment to read `RECON_*` variables from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Highest-precedence values, e.g. from command-line flags or a test. */
  overrides?: ConfigOverrides | undefined;
  /** Reads the config file and secret files; defaults to reading UTF-8 from disk. */
  readFile?: ReadTextFile | undefined;
}

const readUtf8: ReadTextFile = (path) => readFileSync(path, 'utf8');

/** Loads, validates and freezes the configuration; throws ConfigError (`RECON_CONFIG_INVALID`). */
export function loadConfig(options: LoadConfigOptions = {}): ReconcilerConfig {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? readUtf8;
  const file = options.file ?? (env[CONFIG_FILE_ENV] || undefined);

  const raw = file === undefined ? {} : readYamlFile(file, readFile);
  const { overrides: envOverrides, issues: envIssues } = readEnvOverrides(env);
  const issues = [...envIssues, ...applyEnvOverrides(raw, envOverrides)];
  const merged = options.overrides === undefined ? raw : deepMerge(raw, options.overrides);

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) issues.push(...fromZodIssues(parsed.error.issues, knownFieldsAt));
  if (issues.length > 0) throw new ConfigError(annotate(issues, envOverrides), { file });

  const config = parsed.data as ReconcilerConfig;
  const secretIssues = resolveSecretFiles(config, readFile);
  if (secretIssues.length > 0) throw new ConfigError(annotate(secretIssues, envOverrides), { file });
  return deepFreeze(config);
}

/**
 * Validates an already-assembled configuration object (no file, no environment), reading secret
 * files; for tests and embedding.
 */
export function validateConfig(input: unknown, readFile: ReadTextFile = readUtf8): ReconcilerConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(fromZodIssues(parsed.error.issues, knownFieldsAt));
  const secretIssues = resolveSecretFiles(parsed.data, readFile);
  if (secretIssues.length > 0) throw new ConfigError(secretIssues);
  return deepFreeze(parsed.data);
}

/** The file's mapping; problems of the file itself are thrown at once (nothing else can be checked). */
function readYamlFile(file: string, readFile: ReadTextFile): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([{ path: '(file)', rule: `cannot read ${file} (${code})` }], { file, cause: error });
  }
  const lineCounter = new LineCounter();
  // prettyErrors would quote the offending lines, which may hold a secret: positions only.
  const doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { path: '(file)', rule: `YAML error at line ${line}, column ${col}: ${e.message}` };
      }),
      { file },
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError([{ path: '(root)', rule: 'the file must hold a mapping of fields' }], { file });
  }
  return value as Record<string, unknown>;
}

/** Marks issues about values that came from an environment variable with that variable's name. */
function annotate(issues: ConfigIssue[], overrides: readonly EnvOverride[]): ConfigIssue[] {
  const sources = overrides.map((o) => ({ env: o.env, path: formatPath(o.path) }));
  return issues.map((issue) => {
    if (issue.env !== undefined) return issue;
    const from = sources.findLast((s) => issue.path === s.path || issue.path.startsWith(`${s.path}.`) || issue.path.startsWith(`${s.path}[`));
    return from ? { ...issue, env: from.env } : issue;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; lists and scalars from `over` replace. `undefined` in `over` changes nothing. */
export function deepMerge(base: Record<string, unknown>, over: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}
