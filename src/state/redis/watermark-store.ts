/**
 * Partition progress shared by all reconciler instances, and the watermarks computed from it.
 * Each instance records the partitions it owns; the judge (on any instance) reads them all.
 */
import type { Cluster, Redis } from 'ioredis';
import { type PartitionProgress, sideWatermark } from '../../compare/watermarks.ts';
import type { Side } from '../../domain/change.ts';
import { watermarkKey } from './keys.ts';
import { SCRIPTS, type ScriptClient, registerScripts } from './scripts.ts';

export interface ProgressReport {
  topic: string;
  partition: number;
  maxTsMs: number;
  caughtUp: boolean;
}

export interface SideTopics {
  topic: string;
  heartbeatTopic?: string;
}

/** Where each entity's sides are read from, and how many partitions each topic has. */
export interface TopicLayout {
  sides(entity: string): Record<Side, SideTopics>;
  partitions(topic: string): Promise<number[]>;
}

/**
 * A "caught up" report older than this no longer counts: its reporter may have died, and an
 * orphaned partition must hold the watermark back rather than let it run ahead of unread data.
 */
const CAUGHT_UP_VALID_MS = 15_000;

export class RedisWatermarkStore {
  private readonly client: ScriptClient;
  private readonly key: string;

  constructor(client: Redis | Cluster, prefix: string) {
    this.client = registerScripts(client);
    this.key = watermarkKey(prefix);
  }

  async record(reports: readonly ProgressReport[], nowMs: number): Promise<void> {
    if (reports.length === 0) return;
    const args: (string | number)[] = [];
    for (const r of reports) args.push(field(r.topic, r.partition), Math.floor(r.maxTsMs), r.caughtUp ? 1 : 0);
    args.push(nowMs);
    await this.client[SCRIPTS.recordProgress.name](1, this.key, ...args);
  }

  /** Every recorded partition: topic -> partition -> progress (caught-up reports expire). */
  async all(nowMs: number): Promise<Map<string, Map<number, PartitionProgress>>> {
    const raw = await this.client.hgetall(this.key);
    const out = new Map<string, Map<number, PartitionProgress>>();
    for (const [f, v] of Object.entries(raw)) {
      const bar = f.lastIndexOf('|');
      const topic = f.slice(2, bar);
      const partition = Number(f.slice(bar + 1));
      const [ts, caught, at] = v.split('|');
      let byPartition = out.get(topic);
      if (!byPartition) out.set(topic, (byPartition = new Map()));
      byPartition.set(partition, {
        maxTsMs: Number(ts),
        caughtUp: caught === '1' && nowMs - Number(at) <= CAUGHT_UP_VALID_MS,
      });
    }
    return out;
  }

  /** Both sides' watermarks of one entity. */
  async watermarks(entity: string, layout: TopicLayout, nowMs: number): Promise<Record<Side, number>> {
    const progress = await this.all(nowMs);
    const sides = layout.sides(entity);
    const result = { a: 0, b: 0 };
    for (const side of ['a', 'b'] as const) {
      const { topic, heartbeatTopic } = sides[side];
      const beats = heartbeatTopic ? [...(progress.get(heartbeatTopic)?.values() ?? [])] : [];
      const heartbeat = Math.max(0, ...beats.map((p) => p.maxTsMs));
      result[side] = sideWatermark(await layout.partitions(topic), progress.get(topic) ?? new Map(), heartbeat);
    }
    return result;
  }
}

function field(topic: string, partition: number): string {
  return `p|${topic}|${partition}`;
}
