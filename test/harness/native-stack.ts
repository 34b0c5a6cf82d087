/**
 * The native stack of `npm run stack:up`, seen from the tests: read its endpoints file, check it
 * answers, or start and stop it through the same script developers use (never from inside the test
 * runner, so a leaked JVM cannot keep a CI run alive).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipelineFromUrls } from './pipeline-from-urls.ts';
import type { StackEndpoints } from './endpoints.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const envFile = join(process.env.RECON_STACK_HOME ?? join(repoRoot, '.stack'), 'stack.env');

function readEnvFile(): Record<string, string> | undefined {
  if (!existsSync(envFile)) return undefined;
  const entries = readFileSync(envFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('='))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return Object.fromEntries(entries);
}

function runStackScript(command: 'up' | 'down' | 'status', quiet = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'stack.ts'), command], {
      cwd: repoRoot,
      stdio: quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

export function endpointsFromEnv(env: Record<string, string | undefined>, origin: StackEndpoints['origin']): StackEndpoints {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is missing`);
    return value;
  };
  const pgUrlA = need('PG_URL_A');
  const pgUrlB = need('PG_URL_B');
  return {
    kafkaBrokers: need('KAFKA_BROKERS'),
    schemaRegistryUrl: need('SCHEMA_REGISTRY_URL'),
    connectUrl: need('CONNECT_URL'),
    redisUrl: need('REDIS_URL'),
    pgUrlA,
    pgUrlB,
    pipeline: pipelineFromUrls(pgUrlA, pgUrlB),
    origin,
  };
}

/** The running native stack's endpoints, or undefined when it is not up. */
export async function runningNativeStack(): Promise<StackEndpoints | undefined> {
  const env = readEnvFile();
  if (!env) return undefined;
  if ((await runStackScript('status', true)) !== 0) return undefined;
  return endpointsFromEnv(env, 'native');
}

export async function startNativeStack(): Promise<StackEndpoints> {
  const code = await runStackScript('up');
  const env = readEnvFile();
  if (code !== 0 || !env) throw new Error(`'npm run stack:up' failed (exit ${code}); see its output above`);
  return endpointsFromEnv(env, 'native');
}

export async function stopNativeStack(): Promise<void> {
  await runStackScript('down');
}
