/**
 * What the commands share: option parsing with clear usage errors, loading the configuration with
 * errors that name the field, a logger on stderr, and plain-text tables.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import pino, { type Logger } from 'pino';
import { createRedis } from '../adapters/clients.ts';
import { ConfigError, type EntityConfig, type ReconcilerConfig, loadConfig } from '../config/index.ts';
import { JudgeStore } from '../state/redis/judge-store.ts';
import { RedisStateStore } from '../state/redis/redis-state-store.ts';
import type { CommandIo } from './command.ts';
import { ExitCode } from './exit-codes.ts';

/** Thrown by commands to leave with a specific exit code and message. */
export class CliExit extends Error {
  readonly code: ExitCode;
  constructor(code: ExitCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (e) {
    throw new CliExit(ExitCode.usage, (e as Error).message);
  }
}

export const configOption = { config: { type: 'string', short: 'c' } } as const;

export function loadConfigFrom(file: string | undefined): ReconcilerConfig {
  try {
    return loadConfig(file === undefined ? {} : { file });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliExit(ExitCode.config, e.message);
    throw e;
  }
}

/** The configured entities, or only the one named by --entity (a usage error when there is none). */
export function selectEntities(config: ReconcilerConfig, name: string | undefined): EntityConfig[] {
  const entities = config.entities.filter((e) => name === undefined || e.name === name);
  if (entities.length === 0) throw new CliExit(ExitCode.usage, `no entity named '${name}' in the configuration`);
  return entities;
}

/** Runs `fn` with the state stores of the configured Redis, and disconnects afterwards. */
export async function withStateStores<T>(
  config: ReconcilerConfig,
  fn: (stores: { store: RedisStateStore; judgeStore: JudgeStore }) => Promise<T>,
): Promise<T> {
  const redis = createRedis(config);
  try {
    const { keyPrefix: prefix, shards, keyBuckets: buckets } = config.redis;
    return await fn({ store: new RedisStateStore(redis, { prefix, shards, buckets }), judgeStore: new JudgeStore(redis, prefix, shards) });
  } finally {
    redis.disconnect();
  }
}

export function stderrLogger(level = process.env.RECON_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'cdc-reconciler' } }, pino.destination(2));
}

/** Runs a command body, turning CliExit and service failures into exit codes and messages. */
export async function guarded(io: CommandIo, body: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof CliExit) {
      io.err(`cdc-reconciler: ${e.message}`);
      return e.code;
    }
    const message = e instanceof Error ? e.message : String(e);
    const unavailable = /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|Connection is closed|KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded/.test(
      `${message} ${(e as Error)?.name ?? ''}`,
    );
    io.err(`cdc-reconciler: ${message}`);
    return unavailable ? ExitCode.unavailable : ExitCode.software;
  }
}

/** A plain-text table: columns padded to their widest cell. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
