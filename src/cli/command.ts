import type { ExitCode } from './exit-codes.ts';

/** Where a command writes; injected so that tests can capture it. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** One sub-command of the CLI. Later capabilities register theirs in `commands.ts`. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text of the command. */
  usage: string;
  run(argv: string[], io: CommandIo): Promise<ExitCode>;
}
