/**
 * The Lua scripts, loaded from their files and registered on the client under versioned names, so
 * two releases sharing one Redis never run each other's code. ioredis sends EVALSHA and falls back
 * to EVAL when the server answers NOSCRIPT (a restarted Redis has forgotten them: F11).
 */
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

/** Bumped whenever a script's contract (KEYS, ARGV, return codes) changes. */
export const SCRIPT_VERSION = 1;

const source = (file: string) => readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8');

export const SCRIPTS = {
  applyChanges: { name: `reconApplyChangesV${SCRIPT_VERSION}`, lua: source('applyChanges.lua') },
  openKeyMismatch: { name: `reconOpenKeyMismatchV${SCRIPT_VERSION}`, lua: source('openKeyMismatch.lua') },
  takeDirtyDays: { name: `reconTakeDirtyDaysV${SCRIPT_VERSION}`, lua: source('takeDirtyDays.lua') },
  holdLease: { name: `reconHoldLeaseV${SCRIPT_VERSION}`, lua: source('holdLease.lua') },
  recordProgress: { name: `reconRecordProgressV${SCRIPT_VERSION}`, lua: source('recordProgress.lua') },
} as const;

type ScriptName = (typeof SCRIPTS)[keyof typeof SCRIPTS]['name'];

/** The client with one method per script: `(numKeys, ...keysThenArgs)`. */
export type ScriptClient = (Redis | Cluster) & {
  [K in ScriptName]: (numKeys: number, ...args: (string | number | Buffer)[]) => Promise<unknown>;
};

export function registerScripts(client: Redis | Cluster): ScriptClient {
  for (const script of Object.values(SCRIPTS)) {
    if (!(script.name in client)) client.defineCommand(script.name, { lua: script.lua });
  }
  return client as ScriptClient;
}
