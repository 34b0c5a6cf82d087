import type { Command } from './command.ts';

/**
 * The sub-commands, in the order `--help` lists them. Empty until the engine, backfill and demo
 * capabilities add `run`, `status`, `diff`, `gaps`, `backfill`, `audit` and `demo`.
 */
export const commands: readonly Command[] = [];
