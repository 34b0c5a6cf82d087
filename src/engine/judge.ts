/**
 * The mismatch engine. Every interval, for each entity whose lease this instance holds:
 *  1. publishes the resolutions that applyChanges queued when both sides came to agree again;
 *  2. decides the key differences that both watermarks have passed plus the grace period, and opens
 *     a mismatch for each (a missing-on-B key inside a day that B lacks entirely is folded into that
 *     day's missing-window mismatch rather than published on its own);
 *  3. re-judges the days whose aggregates changed, once no difference of theirs is still in flight,
 *     opening and resolving day-level mismatches (count, sum per amount column, digest, missing window).
 * Events are published before the state records them, so a crash can repeat an event (same ids) but
 * never lose one.
 */
import type { Logger } from 'pino';
import { decisionHorizon } from '../compare/watermarks.ts';
import { type DayFinding, type DayTolerances, classifyKey, compareDay, findingSlot } from '../compare/verdicts.ts';
import { type OpenRecord, mismatchId, openedEvent, resolvedEvent } from '../compare/mismatch-factory.ts';
import { formatScaled, u64Hex } from '../domain/limbs.ts';
import type { MismatchEvent, SideView } from '../domain/mismatch-event.ts';
import type { DayAggregate, KeyState, StateLayout } from '../domain/state.ts';
import type { JudgeStore } from '../state/redis/judge-store.ts';
import type { RedisStateStore } from '../state/redis/redis-state-store.ts';
import type { Clock, MismatchSink, Service, WatermarkReader } from './ports.ts';

export interface JudgedEntity {
  name: string;
  layout: StateLayout;
  /** Hashed columns in fingerprint order. */
  hashedColumns: readonly string[];
  amounts: readonly { column: string; scale: number }[];
  tolerances: DayTolerances;
}

/** An entity the judge can judge once its columns are known (undefined until then). */
export interface JudgedEntitySource {
  name: string;
  judged(): Promise<JudgedEntity | undefined>;
}

export function fixedEntity(entity: JudgedEntity): JudgedEntitySource {
  return { name: entity.name, judged: async () => entity };
}

export interface JudgeOptions {
  graceMs: number;
  intervalMs: number;
  /** This instance's id for the per-entity lease. */
  instanceId: string;
  presentKey: (entity: string, key: string) => { mode: 'hmac' | 'plain'; value: string };
}

/** Differences decided per shard per tick; the rest wait for the next tick, keeping ticks short. */
const DECIDE_LIMIT = 2000;
/** In-flight differences looked at to find unsettled days; beyond this the tick treats all pending days as unsettled. */
const IN_FLIGHT_LIMIT = 5000;

interface DayVerdict {
  status: 'match' | 'mismatch' | 'unsettled';
  checkedAtMs: number;
  open: Record<string, OpenRecord>;
  /**
   * How many times each finding slot has been opened on this day. It makes a day mismatch's id
   * deterministic: a crash between publishing and saving the verdict republishes the same id.
   */
  openings?: Record<string, number>;
}

export interface TickReport {
  entity: string;
  horizonMs: number;
  opened: number;
  resolved: number;
  daysJudged: number;
}

export class Judge implements Service {
  private readonly deps: {
    store: RedisStateStore;
    judgeStore: JudgeStore;
    entities: readonly JudgedEntitySource[];
    watermarks: WatermarkReader;
    sink: MismatchSink;
    clock: Clock;
    log: Logger;
  };
  private readonly options: JudgeOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(deps: Judge['deps'], options: JudgeOptions) {
    this.deps = deps;
    this.options = options;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all(this.deps.entities.map((e) => this.deps.judgeStore.releaseLease(e.name, this.options.instanceId)));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tickAll()
        .then(() => undefined)
        .catch((e: unknown) => this.deps.log.error({ err: e }, 'judge tick failed; retrying next interval'))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
  }

  /** One pass over every entity whose lease this instance holds. */
  async tickAll(): Promise<TickReport[]> {
    const reports: TickReport[] = [];
    for (const source of this.deps.entities) {
      const leaseMs = Math.max(5_000, this.options.intervalMs * 10);
      if (!(await this.deps.judgeStore.holdLease(source.name, this.options.instanceId, leaseMs))) continue;
      const entity = await source.judged();
      if (entity) reports.push(await this.tick(entity));
    }
    return reports;
  }

  async tick(entity: JudgedEntity): Promise<TickReport> {
    const { a, b } = await this.deps.watermarks.read(entity.name);
    const horizonMs = decisionHorizon(a, b, this.options.graceMs);
    const resolved = await this.publishResolutions(entity);
    const dayCache = new Map<number, DayAggregate>();
    const opened = await this.decideKeys(entity, horizonMs, dayCache);
    const days = await this.judgeDays(entity, horizonMs);
    return { entity: entity.name, horizonMs, opened: opened + days.opened, resolved: resolved + days.resolved, daysJudged: days.judged };
  }

  private async publishResolutions(entity: JudgedEntity): Promise<number> {
    let published = 0;
    for (let shard = 0; shard < this.deps.judgeStore.shards; shard++) {
      const records = await this.deps.judgeStore.peekResolved(entity.name, shard, 1000);
      if (records.length === 0) continue;
      const now = this.deps.clock.nowMs();
      const events = records
        .map((json) => JSON.parse(json) as OpenRecord)
        .filter((r) => !r.suppressed)
        .map((r) => resolvedEvent(entity.name, r, now));
      await this.deps.sink.publish(events);
      await this.deps.judgeStore.ackResolved(entity.name, shard, records.length);
      published += events.length;
    }
    return published;
  }

  private async decideKeys(entity: JudgedEntity, horizonMs: number, dayCache: Map<number, DayAggregate>): Promise<number> {
    let opened = 0;
    for (let shard = 0; shard < this.deps.judgeStore.shards; shard++) {
      const decidable = await this.deps.judgeStore.decidable(entity.name, shard, horizonMs, DECIDE_LIMIT);
      for (const d of decidable) {
        const states = await this.deps.store.keyStates(entity.name, entity.layout, d.key);
        const finding = classifyKey(states.a, states.b, entity.hashedColumns);
        if (!finding) continue; // agreed meanwhile; applyChanges removes it
        const day = states.a?.day ?? states.b?.day ?? null;
        const suppressed = finding.kind === 'missing_on_b' && day !== null && (await this.dayOf(entity, 'b', day, dayCache)).count === 0n;
        const record: OpenRecord = {
          mismatchId: mismatchId(entity.name, finding.kind, d.key, d.firstSeenMs),
          kind: finding.kind,
          key: this.options.presentKey(entity.name, d.key),
          day,
          columns: finding.columns,
          sides: { a: keySide(states.a), b: keySide(states.b) },
          firstSeenMs: d.firstSeenMs,
          decidedAtMs: this.deps.clock.nowMs(),
          ...(suppressed ? { suppressed } : {}),
        };
        if (!suppressed) await this.deps.sink.publish([openedEvent(entity.name, record)]);
        const moved = await this.deps.judgeStore.openKey(entity.name, shard, d, JSON.stringify(record));
        if (moved) opened += suppressed ? 0 : 1;
        else if (!suppressed) {
          // Resolved (or changed) between our read and the move: close what we just announced.
          await this.deps.sink.publish([resolvedEvent(entity.name, record, this.deps.clock.nowMs())]);
        }
      }
    }
    return opened;
  }

  private async dayOf(entity: JudgedEntity, side: 'a' | 'b', day: number, cache: Map<number, DayAggregate>): Promise<DayAggregate> {
    const cacheKey = side === 'a' ? day * 2 : day * 2 + 1;
    let agg = cache.get(cacheKey);
    if (!agg) {
      agg = await this.deps.store.dayAggregate(entity.name, side, entity.amounts.length, day);
      cache.set(cacheKey, agg);
    }
    return agg;
  }

  /** Days touched by differences still in flight; undefined when there are too many to look at. */
  private async unsettledDays(entity: JudgedEntity, horizonMs: number): Promise<Set<number> | undefined> {
    const days = new Set<number>();
    for (let shard = 0; shard < this.deps.judgeStore.shards; shard++) {
      const inFlight = await this.deps.judgeStore.inFlight(entity.name, shard, horizonMs, IN_FLIGHT_LIMIT);
      if (inFlight.length >= IN_FLIGHT_LIMIT) return undefined;
      for (const f of inFlight) {
        const states = await this.deps.store.keyStates(entity.name, entity.layout, f.key);
        for (const s of [states.a, states.b]) if (s?.day !== undefined) days.add(s.day);
      }
    }
    return days;
  }

  private async judgeDays(entity: JudgedEntity, horizonMs: number): Promise<{ opened: number; resolved: number; judged: number }> {
    const pending = await this.deps.judgeStore.pendingDays(entity.name);
    if (pending.size === 0) return { opened: 0, resolved: 0, judged: 0 };
    const unsettled = await this.unsettledDays(entity, horizonMs);
    let opened = 0;
    let resolved = 0;
    let judged = 0;
    for (const day of [...pending].sort((x, y) => x - y)) {
      const previous = parseVerdict(await this.deps.judgeStore.dayVerdict(entity.name, day));
      const now = this.deps.clock.nowMs();
      if (!unsettled || unsettled.has(day)) {
        if (previous?.status !== 'unsettled') {
          await this.deps.judgeStore.saveDayVerdict(entity.name, day, JSON.stringify({ ...(previous ?? { open: {} }), status: 'unsettled', checkedAtMs: now }));
        }
        continue;
      }
      const [aggA, aggB] = await Promise.all([
        this.deps.store.dayAggregate(entity.name, 'a', entity.amounts.length, day),
        this.deps.store.dayAggregate(entity.name, 'b', entity.amounts.length, day),
      ]);
      const findings = compareDay(aggA, aggB, entity.tolerances);
      const open: Record<string, OpenRecord> = {};
      const openings: Record<string, number> = { ...(previous?.openings ?? {}) };
      const events: MismatchEvent[] = [];
      for (const f of findings) {
        const slot = findingSlot(f);
        const existing = previous?.open[slot];
        if (existing) {
          open[slot] = existing;
          continue;
        }
        openings[slot] = (openings[slot] ?? 0) + 1;
        const record = this.dayRecord(entity, day, f, aggA, aggB, now, openings[slot]);
        open[slot] = record;
        events.push(openedEvent(entity.name, record));
        opened++;
      }
      for (const [slot, record] of Object.entries(previous?.open ?? {})) {
        if (!open[slot]) {
          events.push(resolvedEvent(entity.name, record, now));
          resolved++;
        }
      }
      await this.deps.sink.publish(events);
      const verdict: DayVerdict = { status: findings.length ? 'mismatch' : 'match', checkedAtMs: now, open, openings };
      await this.deps.judgeStore.saveDayVerdict(entity.name, day, JSON.stringify(verdict));
      await this.deps.judgeStore.donePending(entity.name, day);
      judged++;
    }
    return { opened, resolved, judged };
  }

  private dayRecord(
    entity: JudgedEntity,
    day: number,
    f: DayFinding,
    a: DayAggregate,
    b: DayAggregate,
    now: number,
    opening: number,
  ): OpenRecord {
    const amount = f.amount === undefined ? undefined : entity.amounts[f.amount];
    const view = (agg: DayAggregate): SideView => ({
      count: agg.count.toString(),
      digest: u64Hex(agg.digest),
      ...(amount ? { sum: formatScaled(agg.sums[f.amount!] ?? 0n, amount.scale) } : {}),
    });
    return {
      mismatchId: mismatchId(entity.name, f.kind, `${day}:${amount?.column ?? ''}`, opening),
      kind: f.kind,
      day,
      columns: amount ? [amount.column] : [],
      sides: { a: view(a), b: view(b) },
      firstSeenMs: now,
      decidedAtMs: now,
    };
  }
}

function keySide(s: KeyState | undefined): SideView {
  if (!s) return { present: false };
  if (!s.present) return { present: false, version: s.version.toString() };
  return { present: true, version: s.version.toString(), rowHash: u64Hex(s.rowHash ?? 0n) };
}

function parseVerdict(json: string | null): DayVerdict | undefined {
  return json ? (JSON.parse(json) as DayVerdict) : undefined;
}
