import { describe, expect, test } from 'vitest';
import type { Command, CommandIo } from '../src/cli/command.ts';
import { ExitCode } from '../src/cli/exit-codes.ts';
import { main } from '../src/main.ts';
import pkg from '../package.json' with { type: 'json' };

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

const echo: Command = {
  name: 'echo',
  summary: 'prints its arguments',
  usage: 'Usage: cdc-reconciler echo [words...]',
  run: async (argv, io) => {
    io.out(argv.join(' '));
    return ExitCode.ok;
  },
};

describe('cdc-reconciler CLI', () => {
  test('--version prints the package version', async () => {
    const io = capture();
    expect(await main(['--version'], io)).toBe(ExitCode.ok);
    expect(io.stdout).toEqual([pkg.version]);
  });

  test('--help lists the commands and exits 0; no arguments prints it and exits with the usage code', async () => {
    const io = capture();
    expect(await main(['--help'], io, [echo])).toBe(ExitCode.ok);
    expect(io.stdout.join('')).toMatch(/echo\s+prints its arguments/);
    expect(await main([], capture(), [echo])).toBe(ExitCode.usage);
  });

  test('an unknown command names itself and exits with the usage code', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io, [echo])).toBe(ExitCode.usage);
    expect(io.stderr.join('')).toContain("unknown command 'frobnicate'");
  });

  test('a command runs with its arguments, and `<command> --help` prints its usage', async () => {
    const io = capture();
    expect(await main(['echo', 'one', 'two'], io, [echo])).toBe(ExitCode.ok);
    expect(io.stdout).toEqual(['one two']);
    const help = capture();
    expect(await main(['echo', '--help'], help, [echo])).toBe(ExitCode.ok);
    expect(help.stdout).toEqual([echo.usage]);
  });
});
