/**
 * Private `redis-server` processes for one test: a single server (for faults that touch the whole
 * server, such as SCRIPT FLUSH, without disturbing other tests on the shared Redis), or a three-node
 * Redis Cluster. Each process gets a free loopback port and its own temporary directory, no
 * persistence, and is stopped (SIGTERM, then SIGKILL) with its directory removed when the test
 * finishes; a watchdog kills it if the test process dies first.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { onTestFinished } from 'vitest';
import { freePort, killWithTestProcess } from './child-reconciler.ts';
import { eventually } from './resources.ts';

const run = promisify(execFile);
const OUTPUT_LIMIT = 32 * 1024;

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>`, with the password in it when the server requires one. */
  url: string;
  /** A client of this server, closed when the test finishes. */
  client: Redis;
  /** What the server logged (the last 32 KiB). */
  output(): string;
}

/** Starts one redis-server with `extraArgs` (and `password` required) and waits until it answers PING. */
async function spawnRedisServer(extraArgs: string[], password?: string): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'recon-redis-'));
  const port = await freePort();
  const auth = password ? ['--requirepass', password, '--masterauth', password] : [];
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'no', '--save', '', '--logfile', '', ...auth, ...extraArgs],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (child.pid === undefined) throw new Error('could not start redis-server (is it installed?)');
  const pid = child.pid;
  const stopWatchdog = killWithTestProcess([pid], [dir]);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let running = true;
  const exited = new Promise<void>((resolve) => child.once('exit', () => ((running = false), resolve())));

  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, ...(password ? { password } : {}), maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  client.on('error', () => undefined); // connection refused until the server listens: retried
  onTestFinished(async () => {
    client.disconnect();
    if (running) {
      process.kill(pid, 'SIGTERM');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout' && running) process.kill(pid, 'SIGKILL');
      await exited;
    }
    stopWatchdog();
    rmSync(dir, { recursive: true, force: true });
  });

  await client.connect().catch(() => undefined);
  await eventually(
    `redis-server on port ${port} answering`,
    async () => {
      if (!running) throw new Error(`redis-server on port ${port} exited:\n${output}`);
      return (await client.ping().catch(() => undefined)) === 'PONG' ? true : undefined;
    },
    15_000,
  );
  const url = `redis://${password ? `:${encodeURIComponent(password)}@` : ''}127.0.0.1:${port}`;
  return { port, url, client, output: () => output };
}

/** One private redis-server. */
export async function startRedisServer(): Promise<RedisServer> {
  return spawnRedisServer([]);
}

export interface RedisCluster {
  servers: RedisServer[];
  /** Seed nodes as `host:port`, for `redis.cluster.nodes`. */
  nodes: string[];
  /** The first node's URL (with the password in it, if any), for `redis.url`. */
  url: string;
  /** Number of keys each node holds, by port. */
  keysPerNode(): Promise<Map<number, number>>;
}

/**
 * Three masters (no replicas), optionally requiring `password`, joined with `redis-cli --cluster create`, every slot assigned; returns
 * once every node reports `cluster_state:ok`. The cluster bus gets its own free port per node
 * (`cluster-port`), so the usual port + 10000 need not be free.
 */
export async function startRedisCluster(options: { size?: number; password?: string } = {}): Promise<RedisCluster> {
  const size = options.size ?? 3;
  const servers: RedisServer[] = [];
  for (let i = 0; i < size; i++) {
    const busPort = await freePort();
    servers.push(
      await spawnRedisServer([
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-port', String(busPort),
        '--cluster-node-timeout', '5000',
      ], options.password),
    );
  }
  const nodes = servers.map((s) => `127.0.0.1:${s.port}`);
  try {
    const auth = options.password ? ['-a', options.password, '--no-auth-warning'] : [];
    await run('redis-cli', [...auth, '--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 60_000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`redis-cli --cluster create failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
  await eventually(
    'every cluster node reporting cluster_state:ok with all slots and nodes known',
    async () => {
      for (const s of servers) {
        const info = await s.client.cluster('INFO').catch(() => '');
        const ok =
          /cluster_state:ok/.test(String(info)) &&
          /cluster_slots_ok:16384/.test(String(info)) &&
          new RegExp(`cluster_known_nodes:${size}\\b`).test(String(info));
        if (!ok) return undefined;
      }
      return true;
    },
    30_000,
  );
  return {
    servers,
    nodes,
    url: servers[0]!.url,
    keysPerNode: async () => new Map(await Promise.all(servers.map(async (s) => [s.port, await s.client.dbsize()] as const))),
  };
}
