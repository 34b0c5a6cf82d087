import { auditCommand } from './audit-command.ts';
import type { Command } from './command.ts';
import { diffCommand } from './diff-command.ts';
import { gapsCommand } from './gaps-command.ts';
import { runCommand } from './run-command.ts';
import { statusCommand } from './status-command.ts';

/** The sub-commands, in the order `--help` lists them. */
export const commands: readonly Command[] = [runCommand, statusCommand, diffCommand, gapsCommand, auditCommand];
