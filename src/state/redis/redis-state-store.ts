/**
 * The engine's state in Redis: per-key and per-day state of both sides, changed only by
 * applyChanges.lua, many events per call, one call per shard.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Side } from '../../domain/change.ts';
import { digestFromLimbs, joinLimbs, splitSigned, splitU64 } from '../../domain/limbs.ts';
import {
  type ApplyResult,
  type DayAggregate,
  type KeyState,
  type PreparedChange,
  type StateLayout,
  emptyDay,
} from '../../domain/state.ts';
import { type ShardKeys, placeKey, shardKeys } from './keys.ts';
import { unpackKeyState } from './packed-state.ts';
import { SCRIPTS, type ScriptClient, registerScripts } from './scripts.ts';

export interface RedisStateOptions {
  prefix: string;
  shards: number;
  buckets: number;
}

/**
 * Events per script call. A call blocks Redis while it runs; 500 events take a few milliseconds,
 * which keeps other clients' latency low while still amortising the round trip.
 */
const EVENTS_PER_CALL = 500;

export class RedisStateStore {
  readonly client: ScriptClient;
  readonly options: RedisStateOptions;

  constructor(client: Redis | Cluster, options: RedisStateOptions) {
    this.client = registerScripts(client);
    this.options = options;
  }

  keysOf(entity: string, shard: number): ShardKeys {
    return shardKeys(this.options.prefix, entity, shard);
  }

  placeKey(key: string): { shard: number; bucket: number } {
    return placeKey(key, this.options.shards, this.options.buckets);
  }

  /** Applies the changes; returns one result per change, in input order. */
  async apply(entity: string, layout: StateLayout, changes: readonly PreparedChange[]): Promise<ApplyResult[]> {
    const results: ApplyResult[] = new Array(changes.length);
    const byShard = new Map<number, { index: number; bucket: number }[]>();
    changes.forEach((change, index) => {
      const { shard, bucket } = this.placeKey(change.key);
      let group = byShard.get(shard);
      if (!group) byShard.set(shard, (group = []));
      group.push({ index, bucket });
    });
    const calls: Promise<void>[] = [];
    for (const [shard, group] of byShard) {
      for (let from = 0; from < group.length; from += EVENTS_PER_CALL) {
        const part = group.slice(from, from + EVENTS_PER_CALL);
        calls.push(
          this.applyToShard(entity, shard, layout, part.map((p) => ({ change: changes[p.index]!, bucket: p.bucket }))).then(
            (codes) => part.forEach((p, i) => (results[p.index] = codes[i] as ApplyResult)),
          ),
        );
      }
    }
    await Promise.all(calls);
    return results;
  }

  private async applyToShard(
    entity: string,
    shard: number,
    layout: StateLayout,
    events: { change: PreparedChange; bucket: number }[],
  ): Promise<number[]> {
    const keys = this.keysOf(entity, shard);
    const bucketIndex = new Map<number, number>();
    const bucketKeys: string[] = [];
    for (const { bucket } of events) {
      if (!bucketIndex.has(bucket)) {
        bucketIndex.set(bucket, bucketKeys.length);
        bucketKeys.push(keys.bucket(bucket));
      }
    }
    const args: (string | number | Buffer)[] = [
      keys.dayA,
      keys.dayB,
      keys.diff,
      keys.dirty,
      keys.open,
      keys.resolved,
      ...bucketKeys,
      events.length,
      layout.amounts,
      layout.toast,
      layout.columns * 2,
      ...layout.toastColumnIndex,
    ];
    for (const { change: c, bucket } of events) {
      const [vh, vl] = splitU64(c.version);
      const [hh, hl] = splitU64(c.rowHash);
      args.push(c.side, bucketIndex.get(bucket)!, c.key, c.op, vh, vl, c.sourceTsMs, c.day, hh, hl);
      args.push(Buffer.from(c.fingerprints.buffer, c.fingerprints.byteOffset, c.fingerprints.byteLength), c.unavailableMask);
      for (let a = 0; a < layout.amounts; a++) args.push(...splitSigned(c.amounts[a] ?? 0n));
      for (let t = 0; t < layout.toast; t++) args.push(...splitU64(c.toastHashes[t] ?? 0n));
    }
    return (await this.client[SCRIPTS.applyChanges.name](6 + bucketKeys.length, ...args)) as number[];
  }

  /** Both sides' state of one key. */
  async keyStates(entity: string, layout: StateLayout, key: string): Promise<Record<Side, KeyState | undefined>> {
    const { shard, bucket } = this.placeKey(key);
    const bucketKey = this.keysOf(entity, shard).bucket(bucket);
    const [a, b] = await Promise.all([
      this.client.hgetBuffer(bucketKey, `a${key}`),
      this.client.hgetBuffer(bucketKey, `b${key}`),
    ]);
    return {
      a: a ? unpackKeyState(a, layout) : undefined,
      b: b ? unpackKeyState(b, layout) : undefined,
    };
  }

  /** Day aggregates of one side summed over all shards, for every day with state. */
  async dayAggregates(entity: string, side: Side, amounts: number): Promise<Map<number, DayAggregate>> {
    const days = new Map<number, { n: bigint; h: bigint; l: bigint; sums: { hi: bigint; lo: bigint }[] }>();
    const hashes = await Promise.all(
      Array.from({ length: this.options.shards }, (_, shard) => {
        const keys = this.keysOf(entity, shard);
        return this.client.hgetall(side === 'a' ? keys.dayA : keys.dayB);
      }),
    );
    for (const fields of hashes) {
      for (const [field, value] of Object.entries(fields)) {
        const colon = field.indexOf(':');
        const day = Number(field.slice(0, colon));
        const part = field.slice(colon + 1);
        let acc = days.get(day);
        if (!acc) {
          acc = { n: 0n, h: 0n, l: 0n, sums: Array.from({ length: amounts }, () => ({ hi: 0n, lo: 0n })) };
          days.set(day, acc);
        }
        const v = BigInt(value);
        if (part === 'n') acc.n += v;
        else if (part === 'h') acc.h += v;
        else if (part === 'l') acc.l += v;
        else {
          const index = Number(part.slice(0, -1)) - 1;
          const limb = part.endsWith('h') ? 'hi' : 'lo';
          const slot = acc.sums[index];
          if (slot) slot[limb] += v;
        }
      }
    }
    const out = new Map<number, DayAggregate>();
    for (const [day, acc] of days) {
      if (acc.n === 0n && acc.h === 0n && acc.l === 0n && acc.sums.every((s) => s.hi === 0n && s.lo === 0n)) continue;
      out.set(day, {
        count: acc.n,
        digest: digestFromLimbs(acc.h, acc.l),
        sums: acc.sums.map((s) => joinLimbs(s.hi, s.lo)),
      });
    }
    return out;
  }

  /** One day of one side (zero when the side has nothing for that day). */
  async dayAggregate(entity: string, side: Side, amounts: number, day: number): Promise<DayAggregate> {
    const fields = [`${day}:n`, `${day}:h`, `${day}:l`];
    for (let a = 1; a <= amounts; a++) fields.push(`${day}:${a}h`, `${day}:${a}l`);
    const rows = await Promise.all(
      Array.from({ length: this.options.shards }, (_, shard) => {
        const keys = this.keysOf(entity, shard);
        return this.client.hmget(side === 'a' ? keys.dayA : keys.dayB, ...fields);
      }),
    );
    const total = fields.map((_, i) => rows.reduce((sum, row) => sum + BigInt(row[i] ?? 0), 0n));
    if (total.every((v) => v === 0n)) return emptyDay(amounts);
    return {
      count: total[0]!,
      digest: digestFromLimbs(total[1], total[2]),
      sums: Array.from({ length: amounts }, (_, a) => joinLimbs(total[3 + 2 * a], total[4 + 2 * a])),
    };
  }
}
