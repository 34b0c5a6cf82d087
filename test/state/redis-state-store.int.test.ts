import { describe, expect, test } from 'vitest';
import type { Side } from '../../src/domain/change.ts';
import { APPLY_RESULT, type PreparedChange, type StateLayout } from '../../src/domain/state.ts';
import { dumpState, redisStateForTest } from '../harness/redis-state.ts';

const E = 'orders';
const TWO64 = 1n << 64n;
// Two hashed columns, one amount, one toast column (the second hashed column).
const layout: StateLayout = { amounts: 1, toast: 1, columns: 2, toastColumnIndex: [1] };

let seq = 0n;
function change(side: Side, key: string, over: Partial<PreparedChange> = {}): PreparedChange {
  seq += 1n;
  return {
    side,
    key,
    op: 'u',
    version: 1000n + seq,
    sourceTsMs: 1_700_000_000_000,
    day: 20_000,
    rowHash: 0x1111_2222_3333_4444n,
    fingerprints: new Uint8Array([0x12, 0x34, 0x56, 0x78]),
    unavailableMask: 0,
    amounts: [1050n],
    toastHashes: [0x0a0b_0c0d_0e0f_1011n],
    ...over,
  };
}

describe('RedisStateStore against real Redis', () => {
  test('the same row on both sides: equal day aggregates, no undecided difference', async () => {
    const { store, redis } = redisStateForTest();
    const rows = ['1', '2', '3'].map((k, i) => ({ key: k, rowHash: BigInt(i + 1) * 0x0123_4567_89ab_cdefn, amounts: [BigInt(100 * (i + 1))] }));
    const results = await store.apply(E, layout, [
      ...rows.map((r) => change('a', r.key, r)),
      ...rows.map((r) => change('b', r.key, r)),
    ]);
    expect(results).toEqual(Array(6).fill(APPLY_RESULT.applied));
    const a = await store.dayAggregate(E, 'a', 1, 20_000);
    const b = await store.dayAggregate(E, 'b', 1, 20_000);
    expect(a).toEqual(b);
    expect(a.count).toBe(3n);
    expect(a.sums).toEqual([600n]);
    expect(a.digest).toBe(rows.reduce((s, r) => s + r.rowHash, 0n) % TWO64);
    for (let shard = 0; shard < store.options.shards; shard++) {
      expect(await redis.zcard(store.keysOf(E, shard).diff)).toBe(0);
    }
  });

  test('invariant 1, idempotent: replaying a batch changes nothing and reports every event as stale', async () => {
    const { store, redis, prefix } = redisStateForTest();
    const batch = [change('a', 'k1'), change('a', 'k2', { op: 'd' }), change('b', 'k1'), change('a', 'k1', { amounts: [7n] })];
    await store.apply(E, layout, batch);
    const before = await dumpState(redis, prefix);
    const replay = await store.apply(E, layout, batch);
    expect(replay).toEqual(Array(4).fill(APPLY_RESULT.stale));
    expect(await dumpState(redis, prefix)).toEqual(before);
  });

  test('invariant 2, ordered per key: an older update is ignored; a deleted row is not resurrected', async () => {
    const { store } = redisStateForTest();
    const older = change('a', 'k', { amounts: [1n] });
    const newer = change('a', 'k', { amounts: [2n] });
    const deleted = change('a', 'k', { op: 'd' });
    expect(await store.apply(E, layout, [newer, older])).toEqual([APPLY_RESULT.applied, APPLY_RESULT.stale]);
    expect((await store.dayAggregate(E, 'a', 1, 20_000)).sums).toEqual([2n]);
    expect(await store.apply(E, layout, [deleted, older, newer])).toEqual([
      APPLY_RESULT.applied,
      APPLY_RESULT.stale,
      APPLY_RESULT.stale,
    ]);
    expect((await store.dayAggregate(E, 'a', 1, 20_000)).count).toBe(0n);
    const states = await store.keyStates(E, layout, 'k');
    expect(states.a).toEqual({ present: false, version: deleted.version });
  });

  test('B1: an update without a before image moves the old contribution out of its old day', async () => {
    const { store } = redisStateForTest();
    await store.apply(E, layout, [change('a', 'k', { day: 20_000, amounts: [500n] })]);
    await store.apply(E, layout, [change('a', 'k', { day: 20_001, amounts: [-250n] })]);
    expect(await store.dayAggregate(E, 'a', 1, 20_000)).toEqual({ count: 0n, digest: 0n, sums: [0n] });
    expect(await store.dayAggregate(E, 'a', 1, 20_001)).toMatchObject({ count: 1n, sums: [-250n] });
  });

  test('invariant 3, exact: versions and hashes beyond 2^53, amounts beyond 2^64, digest modulo 2^64', async () => {
    const { store } = redisStateForTest({ shards: 1 });
    const big = (1n << 80n) + 12345n;
    const h1 = TWO64 - 1n;
    const h2 = TWO64 - 3n;
    await store.apply(E, layout, [
      change('a', 'x', { version: (1n << 63n) + 1n, rowHash: h1, amounts: [big] }),
      change('a', 'y', { version: (1n << 63n) + 2n, rowHash: h2, amounts: [-big + 1n] }),
    ]);
    const day = await store.dayAggregate(E, 'a', 1, 20_000);
    expect(day.digest).toBe((h1 + h2) % TWO64);
    expect(day.sums).toEqual([1n]);
    const states = await store.keyStates(E, layout, 'x');
    expect(states.a?.version).toBe((1n << 63n) + 1n);
    expect(states.a?.amounts).toEqual([big]);
    expect(states.a?.rowHash).toBe(h1);
  });

  test('B2: an unsent TOAST column reuses its stored hash and fingerprint; without history the event is refused', async () => {
    const { store } = redisStateForTest();
    const toast = 0xffff_ffff_ffff_fff0n;
    const partial = 0x0000_0000_0000_0100n;
    await store.apply(E, layout, [change('a', 'k', { rowHash: (partial + toast) % TWO64, toastHashes: [toast] })]);
    // The update changes nothing visible but carries the placeholder: the row hash comes without the toast part.
    const results = await store.apply(E, layout, [
      change('a', 'k', { rowHash: partial, toastHashes: [0n], unavailableMask: 1, fingerprints: new Uint8Array([0x12, 0x34, 0, 0]) }),
      change('a', 'fresh', { rowHash: partial, toastHashes: [0n], unavailableMask: 1 }),
    ]);
    expect(results).toEqual([APPLY_RESULT.applied, APPLY_RESULT.unavailableUnresolved]);
    const states = await store.keyStates(E, layout, 'k');
    expect(states.a?.rowHash).toBe((partial + toast) % TWO64);
    expect([...states.a!.fingerprints!]).toEqual([0x12, 0x34, 0x56, 0x78]);
    expect((await store.keyStates(E, layout, 'fresh')).a).toBeUndefined();
  });

  test('a difference between the sides is recorded with its first-seen time and cleared when they agree', async () => {
    const { store, redis } = redisStateForTest();
    const { shard } = store.placeKey('k');
    const diff = store.keysOf(E, shard).diff;
    await store.apply(E, layout, [change('a', 'k', { sourceTsMs: 1000 })]);
    expect(await redis.zrange(diff, 0, -1, 'WITHSCORES')).toEqual(['k', '1000']);
    await store.apply(E, layout, [change('a', 'k', { sourceTsMs: 2000, amounts: [3n] })]);
    expect(await redis.zscore(diff, 'k')).toBe('1000');
    await store.apply(E, layout, [change('b', 'k', { sourceTsMs: 3000, amounts: [3n] })]);
    expect(await redis.zcard(diff)).toBe(0);
    // Deleted on both sides also agrees.
    await store.apply(E, layout, [change('b', 'k', { op: 'd', sourceTsMs: 4000 })]);
    expect(await redis.zscore(diff, 'k')).toBe('4000');
    await store.apply(E, layout, [change('a', 'k', { op: 'd', sourceTsMs: 5000 })]);
    expect(await redis.zcard(diff)).toBe(0);
  });
});
