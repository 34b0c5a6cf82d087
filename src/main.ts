import type { Command, CommandIo } from './cli/command.ts';
import { commands } from './cli/commands.ts';
import { ExitCode } from './cli/exit-codes.ts';
import { packageVersion } from './cli/version.ts';

const stdio: CommandIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

export function topLevelHelp(available: readonly Command[] = commands): string {
  const width = Math.max(8, ...available.map((c) => c.name.length));
  const list = available.length
    ? available.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')
    : '  (no commands yet)';
  return [
    'cdc-reconciler: continuous reconciliation of two change-data-capture streams.',
    '',
    'Usage: cdc-reconciler <command> [options]',
    '       cdc-reconciler <command> --help',
    '',
    'Commands:',
    list,
    '',
    'Options:',
    '  -h, --help     show this help',
    '  -V, --version  print the version',
    '',
    `Exit codes: ${ExitCode.ok} ok, ${ExitCode.drift} drift found, ${ExitCode.usage} usage error, ` +
      `${ExitCode.unavailable} service unavailable, ${ExitCode.config} invalid configuration.`,
  ].join('\n');
}

/** Runs the CLI with the arguments after the program name and returns the exit code. */
export async function main(
  argv: string[],
  io: CommandIo = stdio,
  available: readonly Command[] = commands,
): Promise<ExitCode> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.out(topLevelHelp(available));
    return first === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (first === '-V' || first === '--version') {
    io.out(packageVersion());
    return ExitCode.ok;
  }
  const command = available.find((c) => c.name === first);
  if (!command) {
    io.err(`cdc-reconciler: unknown command '${first}'. Run 'cdc-reconciler --help' for the list.`);
    return ExitCode.usage;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.out(command.usage);
    return ExitCode.ok;
  }
  return command.run(rest, io);
}
