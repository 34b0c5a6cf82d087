import pino from 'pino';
import { describe, expect, test } from 'vitest';
import { EXACT } from '../../src/compare/verdicts.ts';
import { dayToIso } from '../../src/normalize/days.ts';
import { keyPresenter } from '../../src/compare/mismatch-factory.ts';
import type { Side } from '../../src/domain/change.ts';
import type { MismatchEvent } from '../../src/domain/mismatch-event.ts';
import type { PreparedChange } from '../../src/domain/state.ts';
import { Judge, type JudgedEntity, fixedEntity } from '../../src/engine/judge.ts';
import { JudgeStore } from '../../src/state/redis/judge-store.ts';
import { redisStateForTest } from '../harness/redis-state.ts';

const entity: JudgedEntity = {
  name: 'orders',
  layout: { amounts: 1, toast: 0, columns: 3, toastColumnIndex: [] },
  hashedColumns: ['amount', 'email', 'status'],
  amounts: [{ column: 'amount', scale: 2 }],
  tolerances: { count: EXACT, sums: [EXACT] },
};
const DAY = 20_500;
const ISO = dayToIso(DAY);

function setup() {
  const { store, redis, prefix } = redisStateForTest({ shards: 4 });
  const judgeStore = new JudgeStore(redis, prefix, 4);
  const published: MismatchEvent[] = [];
  const wm = { a: 0, b: 0 };
  const clock = { now: 1_000_000 };
  const judge = new Judge(
    {
      store,
      judgeStore,
      entities: [fixedEntity(entity)],
      watermarks: { read: async () => ({ ...wm }) },
      sink: { publish: async (events) => void published.push(...events) },
      clock: { nowMs: () => clock.now },
      log: pino({ level: 'silent' }),
    },
    { graceMs: 1000, intervalMs: 100, instanceId: 'test', presentKey: keyPresenter('plain', undefined) },
  );
  let version = 0n;
  const apply = (side: Side, key: string, ts: number, over: Partial<PreparedChange> = {}) =>
    store.apply(entity.name, entity.layout, [
      {
        side,
        key,
        op: 'u',
        version: ++version,
        sourceTsMs: ts,
        day: DAY,
        rowHash: 0xabcdn + BigInt(key.length),
        fingerprints: new Uint8Array([1, 1, 2, 2, 3, 3]),
        unavailableMask: 0,
        amounts: [1000n],
        toastHashes: [],
        ...over,
      },
    ]);
  return { judge, published, wm, clock, apply, judgeStore };
}

const summary = (events: MismatchEvent[]) => events.map((e) => `${e.type} ${e.kind} ${e.key?.value ?? e.day}`);

describe('Judge on real Redis', () => {
  test('a key missing on B is decided only after both watermarks pass it plus grace, published once, then resolved', async () => {
    const { judge, published, wm, apply } = setup();
    await apply('a', 'k1', 10_000);
    await apply('a', 'k0', 10_000);
    await apply('b', 'k0', 10_200);
    Object.assign(wm, { a: 10_500, b: 10_900 });
    await judge.tickAll();
    expect(published).toEqual([]); // horizon 9_500: still in flight
    Object.assign(wm, { a: 11_500, b: 10_999 });
    await judge.tickAll();
    expect(published).toEqual([]); // horizon 9_999: B has not passed it by the grace period
    Object.assign(wm, { a: 11_500, b: 11_000 });
    await judge.tickAll();
    // The key, and its day: one row fewer on B shows in the count, the sum and the digest.
    expect(summary(published)).toEqual([
      'opened missing_on_b k1',
      `opened day_count ${ISO}`,
      `opened day_sum ${ISO}`,
      `opened day_digest ${ISO}`,
    ]);
    const opened = published[0]!;
    expect(opened.day).toBe(ISO);
    expect(opened.sides.a.present).toBe(true);
    expect(opened.sides.b).toEqual({ present: false });
    expect(opened.firstSeenAt).toBe(new Date(10_000).toISOString());
    await judge.tickAll();
    expect(published).toHaveLength(4);

    await apply('b', 'k1', 12_000);
    await judge.tickAll();
    expect(summary(published.slice(4))).toEqual([
      'resolved missing_on_b k1',
      `resolved day_count ${ISO}`,
      `resolved day_sum ${ISO}`,
      `resolved day_digest ${ISO}`,
    ]);
    expect(published[4]!.mismatchId).toBe(opened.mismatchId);
    expect(published[4]!.eventId).not.toBe(opened.eventId);
  });

  test('a value mismatch names the differing column, and the day shows sum and digest mismatches', async () => {
    const { judge, published, wm, apply } = setup();
    await apply('a', 'k', 5_000);
    await apply('b', 'k', 5_100, { rowHash: 0x9999n, fingerprints: new Uint8Array([7, 7, 2, 2, 3, 3]), amounts: [1500n] });
    Object.assign(wm, { a: 20_000, b: 20_000 });
    await judge.tickAll();
    expect(summary(published).sort()).toEqual([
      `opened day_digest ${ISO}`,
      `opened day_sum ${ISO}`,
      'opened value_mismatch k',
    ]);
    expect(published.find((e) => e.kind === 'value_mismatch')!.columns).toEqual(['amount']);
    const sum = published.find((e) => e.kind === 'day_sum')!;
    expect(sum.columns).toEqual(['amount']);
    expect(sum.sides.a.sum).toBe('10.00');
    expect(sum.sides.b.sum).toBe('15.00');

    await apply('b', 'k', 21_000); // B repaired: same values as A
    Object.assign(wm, { a: 30_000, b: 30_000 });
    await judge.tickAll();
    expect(summary(published.slice(3)).sort()).toEqual([
      `resolved day_digest ${ISO}`,
      `resolved day_sum ${ISO}`,
      'resolved value_mismatch k',
    ]);
  });

  test('a day missing entirely on B is one window mismatch, not one event per key', async () => {
    const { judge, published, wm, apply } = setup();
    for (let i = 0; i < 25; i++) await apply('a', `key${i}`, 1_000 + i);
    Object.assign(wm, { a: 10_000, b: 10_000 });
    await judge.tickAll();
    expect(summary(published)).toEqual([`opened day_missing_on_b ${ISO}`]);
    expect(published[0]!.sides.a.count).toBe('25');
    expect(published[0]!.sides.b.count).toBe('0');
    // The backfilled rows resolve the window; the folded key mismatches stay silent.
    for (let i = 0; i < 25; i++) await apply('b', `key${i}`, 11_000 + i);
    Object.assign(wm, { a: 20_000, b: 20_000 });
    await judge.tickAll();
    expect(summary(published)).toEqual([`opened day_missing_on_b ${ISO}`, `resolved day_missing_on_b ${ISO}`]);
  });

  test('a day with differences still in flight is not judged yet', async () => {
    const { judge, published, wm, apply, judgeStore } = setup();
    await apply('a', 'old', 1_000);
    await apply('b', 'old', 1_000);
    await apply('a', 'fresh', 9_500);
    Object.assign(wm, { a: 10_000, b: 10_000 });
    await judge.tickAll();
    expect(published).toEqual([]);
    expect(JSON.parse((await judgeStore.dayVerdict('orders', DAY))!).status).toBe('unsettled');
    await apply('b', 'fresh', 9_800);
    await judge.tickAll();
    expect(published).toEqual([]);
    expect(JSON.parse((await judgeStore.dayVerdict('orders', DAY))!).status).toBe('match');
  });

  test('a crash after publishing a day mismatch and before saving the verdict republishes the same ids', async () => {
    const { store, redis, prefix } = redisStateForTest({ shards: 2 });
    const published: MismatchEvent[] = [];
    let crashOnce = true;
    const judge = new Judge(
      {
        store,
        judgeStore: new JudgeStore(redis, prefix, 2),
        entities: [fixedEntity(entity)],
        watermarks: { read: async () => ({ a: 50_000, b: 50_000 }) },
        sink: {
          publish: async (events) => {
            published.push(...events);
            if (crashOnce && events.some((e) => e.kind.startsWith('day_'))) {
              crashOnce = false;
              throw new Error('the process died right after Kafka acknowledged');
            }
          },
        },
        clock: { nowMs: () => Date.now() },
        log: pino({ level: 'silent' }),
      },
      { graceMs: 1000, intervalMs: 100, instanceId: 'crash', presentKey: keyPresenter('plain', undefined) },
    );
    const base = { op: 'u' as const, day: DAY, fingerprints: new Uint8Array(6), unavailableMask: 0, toastHashes: [] };
    await store.apply(entity.name, entity.layout, [
      { ...base, side: 'a', key: 'x', version: 1n, sourceTsMs: 1_000, rowHash: 1n, amounts: [100n] },
      { ...base, side: 'b', key: 'x', version: 1n, sourceTsMs: 1_000, rowHash: 2n, amounts: [200n] },
    ]);
    await expect(judge.tickAll()).rejects.toThrow(/died/);
    const first = published.filter((e) => e.kind.startsWith('day_'));
    await new Promise((r) => setTimeout(r, 5)); // a later clock must not change the ids
    await judge.tickAll();
    const again = published.filter((e) => e.kind.startsWith('day_')).slice(first.length);
    expect(first.length).toBeGreaterThan(0);
    expect(again.map((e) => e.eventId)).toEqual(first.map((e) => e.eventId));
  });

  test('only the lease holder judges', async () => {
    const { judgeStore } = setup();
    expect(await judgeStore.holdLease('orders', 'one', 5_000)).toBe(true);
    expect(await judgeStore.holdLease('orders', 'two', 5_000)).toBe(false);
    expect(await judgeStore.holdLease('orders', 'one', 5_000)).toBe(true);
    await judgeStore.releaseLease('orders', 'one');
    expect(await judgeStore.holdLease('orders', 'two', 5_000)).toBe(true);
  });
});
