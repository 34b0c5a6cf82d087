/**
 * `cdc-reconciler gaps` on real Redis: state written by RedisStateStore.apply, days judged by the
 * real Judge, then the command lists the decided missing and deficient windows with their rows
 * missing and the batches the planner would make (ids as batchId computes them), names the days
 * not decided yet, and exits 1; once B holds the rows it exits 0.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, onTestFinished, test } from 'vitest';
import { stringify } from 'yaml';
import { batchId } from '../../src/backfill/planner/planner.ts';
import type { CommandIo } from '../../src/cli/command.ts';
import { ExitCode } from '../../src/cli/exit-codes.ts';
import type { EntityGaps } from '../../src/cli/gaps-command.ts';
import { keyPresenter } from '../../src/compare/mismatch-factory.ts';
import { EXACT } from '../../src/compare/verdicts.ts';
import type { PreparedChange } from '../../src/domain/state.ts';
import { Judge, fixedEntity } from '../../src/engine/judge.ts';
import { main } from '../../src/main.ts';
import { isoToDay } from '../../src/normalize/days.ts';
import { JudgeStore } from '../../src/state/redis/judge-store.ts';
import { redisStateForTest } from '../harness/redis-state.ts';
import { stack } from '../harness/resources.ts';

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

function configFile(prefix: string, shards: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'recon-gaps-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'reconciler.yaml');
  writeFileSync(
    file,
    stringify({
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
    }),
  );
  return file;
}

const D = isoToDay('2024-10-04');
const iso = (offset: number) => new Date((D + offset) * 86_400_000).toISOString().slice(0, 10);

describe('gaps on real Redis state', () => {
  test('lists the decided missing and deficient windows with their batches; exit 1, then 0 once B holds the rows', async () => {
    const { store, redis, prefix } = redisStateForTest({ shards: 2 });
    const entity = {
      name: 'orders',
      layout: { amounts: 1, toast: 0, columns: 2, toastColumnIndex: [] },
      hashedColumns: ['amount', 'order_id'],
      amounts: [{ column: 'amount', scale: 2 }],
      tolerances: { count: EXACT, sums: [EXACT] },
    };
    let version = 0n;
    const change = (side: 'a' | 'b', key: string, offset: number, sourceTsMs = 1_000): PreparedChange => ({
      side, key, op: 'u', version: ++version, sourceTsMs, day: D + offset, rowHash: BigInt(key.length * 1_000 + offset), fingerprints: new Uint8Array([0, 1, 0, 2]),
      unavailableMask: 0, amounts: [100n], toastHashes: [],
    });
    const both = (key: string, offset: number) => [change('a', key, offset), change('b', key, offset)];
    // Day +0 and +10 agree; +1..+9 have no rows on B (10 rows on A, 2 of them on +3); +11 has 3 rows
    // on A and 1 on B; +12 has no rows anywhere; +13 has a row on A that is still in flight.
    const onlyA: PreparedChange[] = [];
    for (let offset = 1; offset <= 9; offset++) onlyA.push(change('a', `m${offset}`, offset));
    onlyA.push(change('a', 'm3x', 3), change('a', 'd1', 11), change('a', 'd2', 11));
    await store.apply('orders', entity.layout, [
      ...both('k0', 0), ...both('k10', 10), ...both('d0', 11),
      ...onlyA,
      change('a', 'late', 13, 150_000),
    ]);
    const judgeStore = new JudgeStore(redis, prefix, 2);
    const judge = new Judge(
      {
        store, judgeStore, entities: [fixedEntity(entity)],
        watermarks: { read: async () => ({ a: 100_000, b: 100_000 }) },
        sink: { publish: async () => undefined }, clock: { nowMs: () => 200_000 }, log: pino({ level: 'silent' }),
      },
      { graceMs: 1_000, intervalMs: 1_000, instanceId: 'gaps-test', presentKey: keyPresenter('plain', undefined) },
    );
    await judge.tickAll();
    expect(JSON.parse((await judgeStore.dayVerdict('orders', D + 13))!).status).toBe('unsettled');
    const file = configFile(prefix, 2);

    const json = capture();
    expect(await main(['gaps', '--config', file, '--json'], json)).toBe(ExitCode.drift);
    const [orders] = JSON.parse(json.stdout.join('')) as EntityGaps[];
    expect(orders!.entity).toBe('orders');
    expect(orders!.undecidedDays).toEqual([iso(13)]);
    expect(orders!.windows.map((w) => [w.from, w.to, w.days, w.rowsMissing])).toEqual([
      [iso(1), iso(9), 9, '10'],
      [iso(11), iso(11), 1, '2'],
    ]);
    expect(orders!.windows[0]!.perDay[2]).toEqual({ day: iso(3), kind: 'missing', countA: '2', countB: '0', missing: '2' });
    expect(orders!.windows[1]!.perDay).toEqual([{ day: iso(11), kind: 'deficient', countA: '3', countB: '1', missing: '2' }]);
    expect(orders!.windows.flatMap((w) => w.batches)).toEqual([
      { id: batchId('orders', D + 1, D + 7, 0), from: iso(1), to: iso(7), days: 7, rowsMissing: '8', status: 'dry-run' },
      { id: batchId('orders', D + 8, D + 9, 0), from: iso(8), to: iso(9), days: 2, rowsMissing: '2', status: 'dry-run' },
      { id: batchId('orders', D + 11, D + 11, 0), from: iso(11), to: iso(11), days: 1, rowsMissing: '2', status: 'dry-run' },
    ]);

    const table = capture();
    expect(await main(['gaps', '--config', file, '--entity', 'orders'], table)).toBe(ExitCode.drift);
    const text = table.stdout.join('\n');
    expect(text).toContain('orders: 2 open windows, 10 days, 12 rows missing on b');
    expect(text).toContain(`not decided yet (not in any window): ${iso(13)}`);
    expect(text).toMatch(new RegExp(`${iso(1)}\\s+${iso(9)}\\s+9\\s+10\\s+2`));
    expect(text).toMatch(new RegExp(`${batchId('orders', D + 8, D + 9, 0)}\\s+${iso(8)}\\s+${iso(9)}\\s+2\\s+2\\s+dry-run`));

    const threeDays = capture();
    await main(['gaps', '--config', file, '--batch-days', '3', '--json'], threeDays);
    expect((JSON.parse(threeDays.stdout.join('')) as EntityGaps[])[0]!.windows[0]!.batches.map((b) => [b.from, b.to])).toEqual([
      [iso(1), iso(3)],
      [iso(4), iso(6)],
      [iso(7), iso(9)],
    ]);

    for (const argv of [['--entity', 'nope'], ['--batch-days', '0'], ['--batch-days', '2x'], ['--bogus']]) {
      const usage = capture();
      expect(await main(['gaps', '--config', file, ...argv], usage)).toBe(ExitCode.usage);
      expect(usage.stderr.join('')).not.toBe('');
    }

    // B receives the rows (as a backfill would deliver them); once judged, no window is left.
    await store.apply('orders', entity.layout, onlyA.map((c) => ({ ...c, side: 'b' as const, version: ++version })));
    await judge.tickAll();
    const after = capture();
    expect(await main(['gaps', '--config', file, '--json'], after)).toBe(ExitCode.ok);
    expect(JSON.parse(after.stdout.join(''))).toEqual([{ entity: 'orders', windows: [], undecidedDays: [iso(13)] }]);
    const afterText = capture();
    expect(await main(['gaps', '--config', file], afterText)).toBe(ExitCode.ok);
    expect(afterText.stdout.join('\n')).toContain('orders: 0 open windows, 0 days, 0 rows missing on b');
  });
});
