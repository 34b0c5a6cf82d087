/**
 * The Redis side of the mismatch engine: undecided differences, open key mismatches, resolutions,
 * pending days and day verdicts. Only the instance holding an entity's judge lease calls these.
 */
import type { Cluster, Redis } from 'ioredis';
import { entityKeys, shardKeys } from './keys.ts';
import { SCRIPTS, type ScriptClient, registerScripts } from './scripts.ts';

export interface UndecidedKey {
  key: string;
  firstSeenMs: number;
}

export class JudgeStore {
  private readonly client: ScriptClient;
  private readonly prefix: string;
  readonly shards: number;

  constructor(client: Redis | Cluster, prefix: string, shards: number) {
    this.client = registerScripts(client);
    this.prefix = prefix;
    this.shards = shards;
  }

  private keys(entity: string, shard: number) {
    return shardKeys(this.prefix, entity, shard);
  }

  entityKeys(entity: string) {
    return entityKeys(this.prefix, entity);
  }

  async holdLease(entity: string, holder: string, leaseMs: number): Promise<boolean> {
    const key = this.entityKeys(entity).judgeLease;
    return (await this.client[SCRIPTS.holdLease.name](1, key, holder, leaseMs)) === 1;
  }

  async releaseLease(entity: string, holder: string): Promise<void> {
    const key = this.entityKeys(entity).judgeLease;
    if ((await this.client.get(key)) === holder) await this.client.del(key);
  }

  /** Differences first seen at or before `horizonMs` (decidable), oldest first. */
  async decidable(entity: string, shard: number, horizonMs: number, limit: number): Promise<UndecidedKey[]> {
    const flat = await this.client.zrangebyscore(this.keys(entity, shard).diff, '-inf', horizonMs, 'WITHSCORES', 'LIMIT', 0, limit);
    return pairs(flat);
  }

  /** Differences first seen after `horizonMs`: still in flight. */
  async inFlight(entity: string, shard: number, horizonMs: number, limit: number): Promise<UndecidedKey[]> {
    const flat = await this.client.zrangebyscore(this.keys(entity, shard).diff, `(${horizonMs}`, '+inf', 'WITHSCORES', 'LIMIT', 0, limit);
    return pairs(flat);
  }

  async undecidedCount(entity: string): Promise<number> {
    const counts = await Promise.all(this.shardList().map((s) => this.client.zcard(this.keys(entity, s).diff)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Moves the decided difference to the open mismatches; false when it changed meanwhile. */
  async openKey(entity: string, shard: number, decided: UndecidedKey, record: string): Promise<boolean> {
    const k = this.keys(entity, shard);
    return (await this.client[SCRIPTS.openKeyMismatch.name](2, k.diff, k.open, decided.key, decided.firstSeenMs, record)) === 1;
  }

  async openKeys(entity: string, shard: number): Promise<Record<string, string>> {
    return this.client.hgetall(this.keys(entity, shard).open);
  }

  async openKeyRecord(entity: string, shard: number, key: string): Promise<string | null> {
    return this.client.hget(this.keys(entity, shard).open, key);
  }

  /** Up to `limit` resolution records, oldest first; `ackResolved` removes them once published. */
  async peekResolved(entity: string, shard: number, limit: number): Promise<string[]> {
    return this.client.lrange(this.keys(entity, shard).resolved, 0, limit - 1);
  }

  async ackResolved(entity: string, shard: number, count: number): Promise<void> {
    await this.client.ltrim(this.keys(entity, shard).resolved, count, -1);
  }

  /** Takes the dirty days of every shard into pending and returns the union of pending days. */
  async pendingDays(entity: string): Promise<Set<number>> {
    const lists = await Promise.all(
      this.shardList().map((s) => {
        const k = this.keys(entity, s);
        return this.client[SCRIPTS.takeDirtyDays.name](2, k.dirty, k.pending) as Promise<string[]>;
      }),
    );
    return new Set(lists.flat().map(Number));
  }

  async donePending(entity: string, day: number): Promise<void> {
    await Promise.all(this.shardList().map((s) => this.client.srem(this.keys(entity, s).pending, day)));
  }

  async dayVerdicts(entity: string): Promise<Map<number, string>> {
    const all = await this.client.hgetall(this.entityKeys(entity).days);
    return new Map(Object.entries(all).map(([day, json]) => [Number(day), json]));
  }

  async dayVerdict(entity: string, day: number): Promise<string | null> {
    return this.client.hget(this.entityKeys(entity).days, String(day));
  }

  async saveDayVerdict(entity: string, day: number, json: string): Promise<void> {
    await this.client.hset(this.entityKeys(entity).days, String(day), json);
  }

  private shardList(): number[] {
    return Array.from({ length: this.shards }, (_, i) => i);
  }
}

function pairs(flat: string[]): UndecidedKey[] {
  const out: UndecidedKey[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ key: flat[i]!, firstSeenMs: Number(flat[i + 1]) });
  return out;
}
