/**
 * Background JVM processes of the local stack: started detached (their own process group, so a
 * stop reaches their children too), logging to a file, tracked by a pid file whose process is
 * checked to still be ours (a marker in its command line), so a recycled pid is never killed.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunRecord {
  pid: number;
  startedAt: string;
  readySeconds?: number;
}

export class ManagedProcess {
  readonly name: string;
  private readonly runDir: string;
  private readonly logDir: string;

  constructor(name: string, runDir: string, logDir: string) {
    this.name = name;
    this.runDir = runDir;
    this.logDir = logDir;
  }

  get logFile(): string {
    return join(this.logDir, `${this.name}.log`);
  }

  private get recordFile(): string {
    return join(this.runDir, `${this.name}.json`);
  }

  /** The marker put on the command line, so that `isOurs` can tell our process from a recycled pid. */
  get marker(): string {
    return `-Drecon.stack.service=${this.name}`;
  }

  record(): RunRecord | undefined {
    if (!existsSync(this.recordFile)) return undefined;
    return JSON.parse(readFileSync(this.recordFile, 'utf8')) as RunRecord;
  }

  saveRecord(record: RunRecord): void {
    writeFileSync(this.recordFile, `${JSON.stringify(record)}\n`);
  }

  /** The pid of our running process, if there is one. */
  runningPid(): number | undefined {
    const record = this.record();
    if (!record) return undefined;
    try {
      const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
      return cmdline.split('\0').includes(this.marker) ? record.pid : undefined;
    } catch {
      return undefined;
    }
  }

  start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
    mkdirSync(this.runDir, { recursive: true });
    mkdirSync(this.logDir, { recursive: true });
    const log = openSync(this.logFile, 'a');
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    if (child.pid === undefined) throw new Error(`${this.name}: could not start ${command}`);
    child.unref();
    this.saveRecord({ pid: child.pid, startedAt: new Date().toISOString() });
    return child.pid;
  }

  /** SIGTERM to the process group, then SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(graceMs: number): Promise<'stopped' | 'killed' | 'not running'> {
    const pid = this.runningPid();
    rmSyncQuiet(this.recordFile, pid === undefined);
    if (pid === undefined) return 'not running';
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) {
        rmSync(this.recordFile, { force: true });
        return 'stopped';
      }
      await sleep(200);
    }
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(100);
    rmSync(this.recordFile, { force: true });
    return 'killed';
  }

  /** The last lines of the log, for failure messages. */
  logTail(lines = 15): string {
    if (!existsSync(this.logFile)) return '(no log)';
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }
}

function rmSyncQuiet(file: string, when: boolean): void {
  if (when) rmSync(file, { force: true });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0; its /proc status says so.
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls `probe` until it returns true; between tries it checks that the process is still alive,
 * so a crash fails at once with the log's tail instead of waiting out the timeout.
 */
export async function waitReady(
  proc: ManagedProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    if (proc.runningPid() === undefined) {
      throw new Error(`${proc.name} exited during start-up; last lines of ${proc.logFile}:\n${proc.logTail()}`);
    }
    await sleep(500);
  }
  throw new Error(
    `${proc.name} not ready after ${timeoutMs / 1000} s; last lines of ${proc.logFile}:\n${proc.logTail()}`,
  );
}
