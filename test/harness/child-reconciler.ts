/**
 * The reconciler as its own operating-system process, the way an operator runs it:
 * `cdc-reconciler run --config FILE`. For the faults an in-process instance cannot show: `kill -9`
 * (no drain, no `finally`, no last commit), a SIGTERM drain, a restart on the same state.
 *
 * Every process started here is killed when the test finishes, and a small watchdog kills it too if
 * the test process itself dies first, so nothing outlives the test run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import YAML from 'yaml';
import type { ReconcilerConfig } from '../../src/config/index.ts';
import { eventually } from './resources.ts';

const BIN = fileURLToPath(new URL('../../bin/cdc-reconciler.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Output kept per process, for failure messages (the tail is what matters). */
const OUTPUT_LIMIT = 64 * 1024;

/** A TCP port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Kills `pids` with SIGKILL, then removes `dirs`, as soon as this (the test's) process is gone, by a
 * detached shell that polls it every half second. Returns a function that ends the watchdog once the
 * test has cleaned up by itself.
 */
export function killWithTestProcess(pids: readonly number[], dirs: readonly string[] = []): () => void {
  const script =
    'parent=$1; pids=$2; shift 2; while kill -0 "$parent" 2>/dev/null; do sleep 0.5; done; ' +
    'kill -9 $pids 2>/dev/null; sleep 0.5; rm -rf "$@"; exit 0';
  const watchdog = spawn('sh', ['-c', script, 'watchdog', String(process.pid), pids.join(' '), ...dirs], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  return () => {
    if (watchdog.pid !== undefined && watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
  };
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildReconciler {
  pid: number;
  httpPort: number;
  configFile: string;
  /** Resolves when the process has exited, however. */
  exited: Promise<ExitInfo>;
  readonly running: boolean;
  /** What the process wrote to stdout and stderr (the last 64 KiB). */
  output(): string;
  /** Its /metrics text. */
  metrics(): Promise<string>;
  /** The sum of every series of one metric (0 while the metric has no series or /metrics does not answer). */
  metricTotal(name: string): Promise<number>;
  /** `kill -9`, then waits for the exit. */
  kill(): Promise<ExitInfo>;
  /** SIGTERM (a drain), then waits for the exit; SIGKILL and an error if it takes longer than `timeoutMs`. */
  terminate(timeoutMs?: number): Promise<ExitInfo>;
}

export interface ChildReconcilerOptions {
  /** Extra environment; RECON_LOG_LEVEL defaults to warn. */
  env?: Record<string, string>;
  /** How long to wait for its HTTP server to answer. */
  startTimeoutMs?: number;
}

/**
 * Writes `config` as a YAML file (with a free HTTP port) and starts `cdc-reconciler run` on it.
 * Returns once the process answers /healthz.
 */
export async function startChildReconciler(config: ReconcilerConfig, options: ChildReconcilerOptions = {}): Promise<ChildReconciler> {
  const dir = mkdtempSync(join(tmpdir(), 'recon-child-'));
  const httpPort = await freePort();
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, YAML.stringify({ ...config, http: { host: '127.0.0.1', port: httpPort } }));

  // Only the variables the test means: a stray RECON_* of the caller's shell would override the file.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RECON_')));
  Object.assign(env, { RECON_LOG_LEVEL: 'warn' }, options.env);
  const child: ChildProcess = spawn(process.execPath, [BIN, 'run', '--config', configFile], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('could not start the reconciler process');
  const pid = child.pid;
  const stopWatchdog = killWithTestProcess([pid], [dir]);

  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let running = true;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });

  const waitExit = async (timeoutMs: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const done = await Promise.race([exited.then(() => true), timeout]);
    clearTimeout(timer);
    return done;
  };
  const kill = async (): Promise<ExitInfo> => {
    if (running) process.kill(pid, 'SIGKILL');
    return exited;
  };

  onTestFinished(async () => {
    await kill();
    stopWatchdog();
    rmSync(dir, { recursive: true, force: true });
  });

  const url = `http://127.0.0.1:${httpPort}`;
  const metrics = async () => {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
    return res.text();
  };

  await eventually(
    `the reconciler process (pid ${pid}) answering on ${url}/healthz`,
    async () => {
      if (!running) {
        const info = await exited;
        throw new Error(`the reconciler process exited early (code ${info.code}, signal ${info.signal}):\n${output}`);
      }
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    options.startTimeoutMs ?? 60_000,
  );

  return {
    pid,
    httpPort,
    configFile,
    exited,
    get running() {
      return running;
    },
    output: () => output,
    metrics,
    metricTotal: async (name) => {
      const text = await metrics().catch(() => '');
      let total = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return total;
    },
    kill,
    terminate: async (timeoutMs = 30_000) => {
      if (running) process.kill(pid, 'SIGTERM');
      if (!(await waitExit(timeoutMs))) {
        await kill();
        throw new Error(`the reconciler process did not exit within ${timeoutMs} ms of SIGTERM:\n${output}`);
      }
      return exited;
    },
  };
}
