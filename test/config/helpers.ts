/** Shared by the config tests: a valid configuration to break one field at a time, and error capture. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { ConfigError, deepMerge, loadConfig, type ConfigIssue, type LoadConfigOptions } from '../../src/config/index.ts';

export const SECRET = 'test-hmac-secret-0123456789';

/** A valid entity; `patch` is merged into it (objects merge, lists replace). */
export function entity(patch: object = {}): Record<string, unknown> {
  return deepMerge(
    {
      name: 'orders',
      key: ['order_id'],
      businessDay: { column: 'created_at', timeZone: 'UTC' },
      amounts: [{ column: 'amount', scale: 2 }],
      sources: { a: { topic: 'a.public.orders', decimalHandling: 'string' }, b: { topic: 'b.public.orders', decimalHandling: 'string' } },
    },
    patch,
  );
}

/** A valid configuration; `patch` is merged into it. */
export function input(patch: object = {}): Record<string, unknown> {
  return deepMerge({ kafka: { brokers: ['127.0.0.1:9092'] }, keys: { hmacSecret: SECRET }, entities: [entity()] }, patch);
}

/** Loads `config` as the only source (no file, empty environment unless given). */
export function load(config: object, options: LoadConfigOptions = {}) {
  return loadConfig({ env: {}, ...options, overrides: config as never });
}

/** The issues of the ConfigError that `fn` throws; fails the test when it throws nothing or something else. */
export function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('RECON_CONFIG_INVALID');
    expect((error as ConfigError).retriable).toBe(false);
    return [...(error as ConfigError).issues];
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

/** The message of the ConfigError that `fn` throws. */
export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

/** A temporary directory, removed when the calling test finishes. */
export function tempDir(): { path: string; write: (name: string, content: string) => string } {
  const path = mkdtempSync(join(tmpdir(), 'recon-config-'));
  onTestFinished(() => rmSync(path, { recursive: true, force: true }));
  return {
    path,
    write: (name, content) => {
      const file = join(path, name);
      writeFileSync(file, content);
      return file;
    },
  };
}
