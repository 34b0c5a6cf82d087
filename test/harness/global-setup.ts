/**
 * Finds the real services for the integration and end-to-end tiers, in this order:
 *   1. endpoints given in the environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CONNECT_URL, REDIS_URL,
 *      PG_URL_A, PG_URL_B): used as they are;
 *   2. a native stack already running (`npm run stack:up`): reused and left running;
 *   3. a container runtime that answers: the same topology through testcontainers;
 *   4. Java and Maven present: the native stack is started through its script, and stopped after
 *      the run unless RECON_KEEP_STACK=1;
 *   5. otherwise: fail with the command to run.
 * The endpoints reach the tests through vitest's provide/inject (`inject('stack')`).
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { ENDPOINT_ENV, type StackEndpoints } from './endpoints.ts';
import { endpointsFromEnv, runningNativeStack, startNativeStack, stopNativeStack } from './native-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
  }
}

interface Acquired {
  endpoints: StackEndpoints;
  release(): Promise<void>;
}

// Both service tiers run this set-up in the same process: acquire once, release after the last.
let acquiring: Promise<Acquired> | undefined;
let users = 0;

function hasCommand(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function acquire(): Promise<Acquired> {
  const nothing = async () => undefined;
  if (Object.values(ENDPOINT_ENV).every((name) => process.env[name])) {
    return { endpoints: endpointsFromEnv(process.env, 'environment'), release: nothing };
  }
  const running = await runningNativeStack();
  if (running) return { endpoints: running, release: nothing };

  const { containerRuntimeAvailable, startContainerStack } = await import('./containers.ts');
  if (await containerRuntimeAvailable()) {
    const started = await startContainerStack();
    return { endpoints: started.endpoints, release: started.stop };
  }
  if (hasCommand('java', ['-version']) && hasCommand('mvn', ['-v'])) {
    const endpoints = await startNativeStack();
    const keep = process.env.RECON_KEEP_STACK === '1';
    return { endpoints, release: keep ? nothing : stopNativeStack };
  }
  throw new Error(
    'No services for the integration tests: set the endpoint variables (' +
      Object.values(ENDPOINT_ENV).join(', ') +
      "), start Docker, or install Java 17 and Maven and run 'npm run stack:up'.",
  );
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  users += 1;
  acquiring ??= acquire();
  const acquired = await acquiring;
  project.provide('stack', acquired.endpoints);
  return async () => {
    users -= 1;
    if (users === 0) {
      acquiring = undefined;
      await acquired.release();
    }
  };
}
