/**
 * Reads the CDC topics of both sides with one kafkajs consumer group. A batch's offsets are
 * resolved only after its handler has returned, i.e. after Redis acknowledged the state change and
 * dead letters were accepted by Kafka; kafkajs commits only resolved offsets (invariant 6). A failed
 * handler makes kafkajs restart the consumer from the last commit: the replay is a no-op by version.
 *
 * Every `progressIntervalMs` it reports, per owned partition, the newest source time read and the
 * position reached: an idle partition never produces a batch, so that is how the judge learns that a
 * quiet partition is caught up (its position at the partition's end) and lets its side advance.
 */
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Service } from '../engine/ports.ts';

export interface BatchResult {
  /** Newest source commit time seen in the batch (0 if none). */
  maxTsMs: number;
}

export interface BatchHandler {
  handle(topic: string, partition: number, messages: KafkaMessage[]): Promise<BatchResult>;
}

export interface PartitionReport {
  topic: string;
  partition: number;
  maxTsMs: number;
  /** Offset of the next message to read (-1 when unknown). */
  position: string;
}

/** Messages that were deleted (retention) before this group read them: never silently skipped (F13). */
export interface OffsetGap {
  topic: string;
  partition: number;
  /** The group's committed offset: the first message it had not read. */
  committedOffset: string;
  /** The partition's first remaining offset: everything from committedOffset up to this is gone. */
  firstAvailableOffset: string;
}

export interface KafkaChangeSourceOptions {
  groupId: string;
  topics: readonly string[];
  /** Partitions handled at once; each runs its own batch loop. */
  partitionsConsumedConcurrently: number;
  progressIntervalMs: number;
  sessionTimeoutMs?: number;
}

/** How often the wait for missing topics is logged. */
const TOPIC_WAIT_LOG_MS = 10_000;

interface Owned {
  /** Offset of the next message to read, as known from batches handled (undefined: none yet). */
  nextOffset?: bigint;
  maxTsMs: number;
  /** Until the first batch after an assignment: the group's committed offset and the partition's low watermark. */
  atAssignment?: Promise<{ committed: bigint; low: bigint } | undefined>;
}

export class KafkaChangeSource implements Service {
  private readonly kafka: Kafka;
  private readonly handler: BatchHandler;
  private readonly report: (reports: PartitionReport[]) => Promise<void>;
  private readonly onOffsetGap: (gap: OffsetGap) => Promise<void>;
  private readonly options: KafkaChangeSourceOptions;
  private readonly log: Logger;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private readonly owned = new Map<string, Owned>();
  private progressTimer: NodeJS.Timeout | undefined;
  private joined = false;
  private stopping = false;

  constructor(
    kafka: Kafka,
    handler: BatchHandler,
    report: (reports: PartitionReport[]) => Promise<void>,
    options: KafkaChangeSourceOptions,
    log: Logger,
    onOffsetGap: (gap: OffsetGap) => Promise<void> = async () => undefined,
  ) {
    this.kafka = kafka;
    this.handler = handler;
    this.report = report;
    this.onOffsetGap = onOffsetGap;
    this.options = options;
    this.log = log;
  }

  /** True once the consumer has joined its group and holds an assignment. */
  get ready(): boolean {
    return this.joined;
  }

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await this.waitForTopics();
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      // Reconciliation must see every row: a new group starts at the beginning of each topic.
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.joined = true;
      const assignment = e.payload.memberAssignment as Record<string, number[]>;
      const keep = new Set(Object.entries(assignment).flatMap(([t, ps]) => ps.map((p) => `${t}|${p}`)));
      for (const k of this.owned.keys()) if (!keep.has(k)) this.owned.delete(k);
      for (const k of keep) {
        if (this.owned.has(k)) continue;
        const [topic, partition] = splitOwned(k);
        const atAssignment = this.offsetsAtAssignment(topic, partition);
        atAssignment.catch(() => undefined);
        this.owned.set(k, { maxTsMs: 0, atAssignment });
      }
      this.log.info({ assignment }, 'joined the consumer group');
    });
    consumer.on(consumer.events.CRASH, (e) => this.log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed'));
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        await this.checkOffsetGap(batch.topic, batch.partition, BigInt(batch.messages[0]!.offset));
        const result = await this.handler.handle(batch.topic, batch.partition, batch.messages);
        const last = batch.messages[batch.messages.length - 1]!;
        resolveOffset(last.offset);
        const owned = this.owned.get(`${batch.topic}|${batch.partition}`) ?? { maxTsMs: 0 };
        owned.nextOffset = BigInt(last.offset) + 1n;
        owned.maxTsMs = Math.max(owned.maxTsMs, result.maxTsMs);
        this.owned.set(`${batch.topic}|${batch.partition}`, owned);
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
    this.progressTimer = setInterval(() => {
      this.reportProgress().catch((e: unknown) => this.log.warn({ err: e }, 'progress report failed'));
    }, this.options.progressIntervalMs);
  }

  /** The group's committed offset and the partition's low watermark, read when the partition is assigned. */
  private async offsetsAtAssignment(topic: string, partition: number): Promise<{ committed: bigint; low: bigint } | undefined> {
    const [ends, committed] = await Promise.all([
      this.admin!.fetchTopicOffsets(topic),
      this.admin!.fetchOffsets({ groupId: this.options.groupId, topics: [topic] }),
    ]);
    const low = ends.find((e) => e.partition === partition)?.low;
    const offset = committed[0]?.partitions.find((p) => p.partition === partition)?.offset;
    if (low === undefined || offset === undefined) return undefined;
    return { committed: BigInt(offset), low: BigInt(low) };
  }

  /**
   * On the first batch after an assignment: when the group had committed an offset that retention has
   * since deleted, kafkajs resumes at the first available message. That jump is reported, never silent.
   */
  private async checkOffsetGap(topic: string, partition: number, firstOffset: bigint): Promise<void> {
    const owned = this.owned.get(`${topic}|${partition}`);
    if (!owned?.atAssignment) return;
    const at = await owned.atAssignment.catch(() => undefined);
    owned.atAssignment = undefined;
    if (!at || at.committed < 0n || at.committed >= at.low || firstOffset <= at.committed) return;
    const gap: OffsetGap = { topic, partition, committedOffset: at.committed.toString(), firstAvailableOffset: firstOffset.toString() };
    this.log.error(gap, 'committed offset no longer exists (deleted by retention): the messages in between were never read');
    await this.onOffsetGap(gap);
  }

  /**
   * Debezium creates a side's topic when it first writes to it (and its heartbeat topic at the first
   * heartbeat). Until every configured topic exists the consumer waits, saying which are missing:
   * a side that has not started must not be read as a side with no rows.
   */
  private async waitForTopics(): Promise<void> {
    let lastLog = 0;
    for (;;) {
      const existing = new Set(await this.admin!.listTopics());
      const missing = this.options.topics.filter((t) => !existing.has(t));
      if (missing.length === 0) return;
      if (this.stopping) throw new Error('stopped while waiting for topics');
      if (Date.now() - lastLog > TOPIC_WAIT_LOG_MS) {
        this.log.warn({ missing }, 'waiting for topics to exist before joining the consumer group');
        lastLog = Date.now();
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Reports owned partitions: newest source time read, and the position the group has reached. */
  async reportProgress(): Promise<void> {
    if (!this.admin || this.owned.size === 0) return;
    const reports: PartitionReport[] = [];
    const committedByTopic = new Map<string, Map<number, string>>();
    for (const [k, owned] of this.owned) {
      const [topic, partition] = splitOwned(k);
      let position = owned.nextOffset?.toString();
      if (position === undefined) {
        // Nothing read since the assignment: the group's committed offset is where it stands.
        let committed = committedByTopic.get(topic);
        if (!committed) {
          const fetched = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
          committed = new Map(fetched[0]?.partitions.map((p) => [p.partition, p.offset]) ?? []);
          committedByTopic.set(topic, committed);
        }
        position = committed.get(partition) ?? '-1';
      }
      reports.push({ topic, partition, maxTsMs: owned.maxTsMs, position });
    }
    await this.report(reports);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.progressTimer) clearInterval(this.progressTimer);
    // kafkajs' disconnect stops fetching, waits for the running batches, commits resolved offsets, leaves the group.
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
    this.joined = false;
  }
}

function splitOwned(k: string): [string, number] {
  const bar = k.lastIndexOf('|');
  return [k.slice(0, bar), Number(k.slice(bar + 1))];
}
