import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { onTestFinished, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import type { CommandIo } from '../src/cli/command.ts';
import { ExitCode } from '../src/cli/exit-codes.ts';
import { EXACT } from '../src/compare/verdicts.ts';
import { keyPresenter } from '../src/compare/mismatch-factory.ts';
import { Judge, fixedEntity } from '../src/engine/judge.ts';
import { main } from '../src/main.ts';
import { JudgeStore } from '../src/state/redis/judge-store.ts';
import { redisStateForTest } from './harness/redis-state.ts';
import { stack } from './harness/resources.ts';

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

function configFile(prefix: string, shards: number, overrides: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'recon-cli-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'reconciler.yaml');
  const config = {
    kafka: { brokers: stack().kafkaBrokers.split(',') },
    redis: { url: stack().redisUrl, keyPrefix: prefix, shards },
    keys: { mode: 'plain' },
    entities: [
      {
        name: 'orders',
        key: ['order_id'],
        businessDay: { column: 'created_at', timeZone: 'UTC' },
        amounts: [{ column: 'amount', scale: 2 }],
        sources: { a: { topic: 'a.orders', decimalHandling: 'string' }, b: { topic: 'b.orders', decimalHandling: 'string' } },
      },
    ],
    ...overrides,
  };
  writeFileSync(file, stringify(config));
  return file;
}

describe('status and diff on real Redis state', () => {
  test('show per-day counts, sums, verdicts and the open key mismatches, with exit codes for scripts', async () => {
    const { store, redis, prefix } = redisStateForTest({ shards: 2 });
    const entity = {
      name: 'orders',
      layout: { amounts: 1, toast: 0, columns: 2, toastColumnIndex: [] },
      hashedColumns: ['amount', 'order_id'],
      amounts: [{ column: 'amount', scale: 2 }],
      tolerances: { count: EXACT, sums: [EXACT] },
    };
    const change = (side: 'a' | 'b', key: string, day: number, amount: bigint, version: bigint) => ({
      side, key, op: 'u' as const, version, sourceTsMs: 1_000, day, rowHash: 0x77n + amount, fingerprints: new Uint8Array([0, 1, 0, 2]),
      unavailableMask: 0, amounts: [amount], toastHashes: [],
    });
    await store.apply('orders', entity.layout, [
      change('a', '1:1', 20_000, 1050n, 1n), change('b', '1:1', 20_000, 1050n, 1n),
      change('a', '1:2', 20_001, 250n, 2n),
    ]);
    const judge = new Judge(
      {
        store, judgeStore: new JudgeStore(redis, prefix, 2), entities: [fixedEntity(entity)],
        watermarks: { read: async () => ({ a: 100_000, b: 100_000 }) },
        sink: { publish: async () => undefined }, clock: { nowMs: () => 200_000 }, log: pino({ level: 'silent' }),
      },
      { graceMs: 1_000, intervalMs: 1_000, instanceId: 'cli-test', presentKey: keyPresenter('plain', undefined) },
    );
    await judge.tickAll();
    const file = configFile(prefix, 2);

    const status = capture();
    expect(await main(['status', '--config', file, '--json'], status)).toBe(ExitCode.drift);
    const [orders] = JSON.parse(status.stdout.join('')) as { days: { day: string; count: { a: string; b: string }; sums: { a: string; b: string }[]; verdict: string; openKeyMismatches: number }[] }[];
    expect(orders!.days.map((d) => [d.day, d.count.a, d.count.b, d.sums[0]!.a, d.sums[0]!.b, d.verdict, d.openKeyMismatches])).toEqual([
      ['2024-10-04', '1', '1', '10.50', '10.50', 'match', 0],
      ['2024-10-05', '1', '0', '2.50', '0.00', 'mismatch', 1], // the key is open, folded into the missing day
    ]);

    const table = capture();
    await main(['status', '--config', file], table);
    expect(table.stdout.join('\n')).toMatch(/2024-10-05\s+1\s+0\s+2\.50\s+0\.00\s+DIFFERS\s+mismatch\s+day_missing_on_b/);

    const diff = capture();
    expect(await main(['diff', '--config', file, '--entity', 'orders', '--day', '2024-10-05', '--json'], diff)).toBe(ExitCode.drift);
    expect(JSON.parse(diff.stdout.join('')).map((r: { kind: string; key: { value: string } }) => [r.kind, r.key.value])).toEqual([
      ['missing_on_b', '1:2'],
    ]);
    const none = capture();
    expect(await main(['diff', '--config', file, '--entity', 'orders', '--day', '2024-10-04'], none)).toBe(ExitCode.ok);
    expect(none.stdout[0]).toContain('0 open key mismatches');

    const usage = capture();
    expect(await main(['diff', '--config', file, '--entity', 'orders', '--day', '2024-02-30'], usage)).toBe(ExitCode.usage);
    expect(usage.stderr.join('')).toContain('--day');
  });

  test('an invalid configuration exits 78 naming the field, from the real executable', async () => {
    const file = configFile('unused', 1, { graceMs: 'soon' });
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['bin/cdc-reconciler.js', 'status', '--config', file], (error, _stdout, stderr) =>
        resolve({ code: error ? (error as NodeJS.ErrnoException & { code?: number }).code as unknown as number : 0, stderr }),
      );
      child.stdin?.end();
    });
    expect(result.code).toBe(ExitCode.config);
    expect(result.stderr).toContain('graceMs');
  });
});
