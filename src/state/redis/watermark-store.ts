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
  /** Offset of the next message the group will read on the partition (-1 when unknown). */
  position: string;
}

export interface PartitionOffsets {
  partition: number;
  /** Offset the next produced message will get (the end). */
  high: string;
  /** First offset still stored. */
  low: string;
}

export interface SideTopics {
  topic: string;
  heartbeatTopic?: string;
}

/** Where each entity's sides are read from, and each topic's partitions with their current offsets. */
export interface TopicLayout {
  sides(entity: string): Record<Side, SideTopics>;
  /** Every partition of the topic, read now (an unknown topic has none). */
  offsets(topic: string): Promise<PartitionOffsets[]>;
}

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
    for (const r of reports) args.push(field(r.topic, r.partition), Math.floor(r.maxTsMs), r.position);
    args.push(nowMs);
    await this.client[SCRIPTS.recordProgress.name](1, this.key, ...args);
  }

  /** Every recorded partition: topic -> partition -> newest source time read and read position. */
  async all(): Promise<Map<string, Map<number, { maxTsMs: number; position: bigint }>>> {
    const raw = await this.client.hgetall(this.key);
    const out = new Map<string, Map<number, { maxTsMs: number; position: bigint }>>();
    for (const [f, v] of Object.entries(raw)) {
      const bar = f.lastIndexOf('|');
      const topic = f.slice(2, bar);
      const partition = Number(f.slice(bar + 1));
      const [ts, position] = v.split('|');
      let byPartition = out.get(topic);
      if (!byPartition) out.set(topic, (byPartition = new Map()));
      byPartition.set(partition, { maxTsMs: Number(ts), position: BigInt(position ?? '-1') });
    }
    return out;
  }

  /**
   * Both sides' watermarks of one entity. A partition is caught up when the group's recorded
   * position has reached the partition's end offset read now (or the partition holds nothing):
   * comparing with the current end, rather than trusting a flag set by whichever instance owned the
   * partition last, keeps the watermark from running ahead of unread messages after a rebalance.
   */
  async watermarks(entity: string, layout: TopicLayout): Promise<Record<Side, number>> {
    const recorded = await this.all();
    const sides = layout.sides(entity);
    const result = { a: 0, b: 0 };
    for (const side of ['a', 'b'] as const) {
      const { topic, heartbeatTopic } = sides[side];
      const beats = heartbeatTopic ? [...(recorded.get(heartbeatTopic)?.values() ?? [])] : [];
      const heartbeat = Math.max(0, ...beats.map((p) => p.maxTsMs));
      const offsets = await layout.offsets(topic);
      const progress = new Map<number, PartitionProgress>();
      for (const o of offsets) {
        const r = recorded.get(topic)?.get(o.partition);
        if (!r) continue;
        const caughtUp = r.position >= BigInt(o.high) || BigInt(o.high) === BigInt(o.low);
        progress.set(o.partition, { maxTsMs: r.maxTsMs, caughtUp });
      }
      result[side] = sideWatermark(
        offsets.map((o) => o.partition),
        progress,
        heartbeat,
      );
    }
    return result;
  }
}

function field(topic: string, partition: number): string {
  return `p|${topic}|${partition}`;
}
