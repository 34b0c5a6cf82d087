/**
 * Turns one Kafka batch into state: decode, normalise, apply to Redis, dead-letter what cannot be
 * used. It returns only once Redis acknowledged the changes and Kafka acknowledged the dead
 * letters, so the caller may then commit the batch's offsets (invariant 6).
 */
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { ChangeMessage, DeadLetter, DeadLetterCode, Provenance, Side } from '../domain/change.ts';
import { APPLY_RESULT, type PreparedChange } from '../domain/state.ts';
import type { EngineMetrics } from '../metrics/engine-metrics.ts';
import { NormalizeError } from '../normalize/index.ts';
import type { DeadLetterEntry } from '../sinks/kafka-dead-letter-sink.ts';
import type { Decode } from '../sources/decode/index.ts';
import type { BatchHandler, BatchResult } from '../sources/kafka-change-source.ts';
import type { RedisStateStore } from '../state/redis/redis-state-store.ts';
import type { EntityMetaStore, EntityRuntime } from './entity-runtime.ts';

export type Route =
  | { kind: 'changes'; entity: EntityRuntime; side: Side; decode: Decode }
  | { kind: 'heartbeat'; side: Side; decode: Decode };

/** A row whose business day is NULL or infinite belongs to no day; its state uses this day number. */
export const NO_DAY = -2_147_483_648;

export interface IngestorDeps {
  routes: ReadonlyMap<string, Route>;
  store: RedisStateStore;
  meta: EntityMetaStore;
  deadLetters: { send(entries: readonly DeadLetterEntry[]): Promise<void> };
  onTruncate: (entity: string, side: Side, provenance: Provenance) => Promise<void>;
  metrics: EngineMetrics;
  log: Logger;
}

class Refused extends Error {
  readonly code: DeadLetterCode;
  constructor(code: DeadLetterCode, reason: string) {
    super(reason);
    this.code = code;
  }
}

export class Ingestor implements BatchHandler {
  private readonly deps: IngestorDeps;

  constructor(deps: IngestorDeps) {
    this.deps = deps;
  }

  async handle(topic: string, partition: number, messages: KafkaMessage[]): Promise<BatchResult> {
    const route = this.deps.routes.get(topic);
    if (!route) throw new Error(`no route for topic ${topic}`);
    const dead: DeadLetterEntry[] = [];
    const prepared: { change: PreparedChange; message: KafkaMessage; provenance: Provenance }[] = [];
    let maxTsMs = 0;
    let consumed = 0;

    for (const message of messages) {
      const provenance: Provenance = { topic, partition, offset: message.offset };
      let result = route.decode({ key: message.key, value: message.value, topic, partition, offset: message.offset });
      if (result instanceof Promise) result = await result;
      switch (result.kind) {
        case 'dead-letter':
          dead.push({ letter: result, message });
          break;
        case 'heartbeat':
          maxTsMs = Math.max(maxTsMs, result.sourceTsMs);
          break;
        case 'tombstone':
          break; // the delete before it did the work (B3)
        case 'truncate':
          maxTsMs = Math.max(maxTsMs, result.sourceTsMs);
          if (route.kind === 'changes') {
            this.deps.metrics.truncates.inc({ side: route.side, entity: route.entity.name });
            await this.deps.onTruncate(route.entity.name, route.side, provenance);
          }
          break;
        case 'change': {
          if (route.kind !== 'changes') break;
          maxTsMs = Math.max(maxTsMs, result.sourceTsMs);
          consumed++;
          try {
            prepared.push({ change: await this.prepare(route.entity, route.side, result), message, provenance });
          } catch (e) {
            if (!(e instanceof Refused || e instanceof NormalizeError)) throw e;
            const code = e instanceof Refused ? e.code : 'RECON_DL_BAD_VALUE';
            dead.push({ letter: deadLetter(code, e.message, provenance), message });
          }
        }
      }
    }

    if (route.kind === 'changes' && prepared.length > 0) {
      const { entity, side } = route;
      const results = await this.deps.store.apply(entity.name, entity.layout, prepared.map((p) => p.change));
      let duplicates = 0;
      results.forEach((code, i) => {
        if (code === APPLY_RESULT.stale) duplicates++;
        else if (code === APPLY_RESULT.unavailableUnresolved) {
          const p = prepared[i]!;
          const reason = 'an unchanged TOAST column arrived as __debezium_unavailable_value and no earlier version of the row is known';
          dead.push({ letter: deadLetter('RECON_DL_UNAVAILABLE_UNRESOLVED', reason, p.provenance), message: p.message });
        }
      });
      if (duplicates) this.deps.metrics.duplicatesIgnored.inc({ side, entity: entity.name }, duplicates);
    }
    if (route.kind === 'changes' && consumed) this.deps.metrics.eventsConsumed.inc({ side: route.side, entity: route.entity.name }, consumed);
    if (dead.length) {
      await this.deps.deadLetters.send(dead);
      for (const d of dead) {
        this.deps.metrics.deadLettered.inc({ reason: d.letter.code });
        this.deps.log.warn({ code: d.letter.code, reason: d.letter.reason, ...d.letter.provenance }, 'dead-lettered a message');
      }
    }
    return { maxTsMs };
  }

  private async prepare(entity: EntityRuntime, side: Side, change: ChangeMessage): Promise<PreparedChange> {
    if (!entity.ready) await entity.compile(this.deps.meta, change.after ?? undefined);
    if (!entity.ready) throw new Refused('RECON_DL_SCHEMA_CHANGED', 'no row seen yet to fix the hashed columns of this entity');
    const normalizer = entity.normalizerFor(side);
    const layout = entity.layout;
    if (change.op === 'd') {
      if (!change.before) throw new Refused('RECON_DL_KEY_MISSING', 'a delete without a before image carries no key');
      return {
        side,
        key: normalizer.canonicalKeyOf(change.before),
        op: 'd',
        version: change.version,
        sourceTsMs: change.sourceTsMs,
        day: 0,
        rowHash: 0n,
        fingerprints: new Uint8Array(layout.columns * 2),
        unavailableMask: 0,
        amounts: [],
        toastHashes: [],
      };
    }
    if (!change.after) throw new Refused('RECON_DL_MISSING_FIELD', `op ${change.op} without an after image`);
    const row = normalizer.normalize(change.after);
    if (row.missingColumns.length) {
      throw new Refused('RECON_DL_SCHEMA_CHANGED', `hashed columns missing from the row: ${row.missingColumns.join(', ')}`);
    }
    let unavailableMask = 0;
    for (const column of row.unavailable) {
      const j = entity.model.toastColumns.indexOf(column);
      if (j < 0) {
        throw new Refused(
          'RECON_DL_UNAVAILABLE_UNRESOLVED',
          `column ${column} arrived as __debezium_unavailable_value but is not listed in columns.toast`,
        );
      }
      unavailableMask |= 1 << j;
    }
    const fingerprints = new Uint8Array(layout.columns * 2);
    row.fingerprints.forEach((fp, i) => {
      fingerprints[2 * i] = fp >>> 8;
      fingerprints[2 * i + 1] = fp & 0xff;
    });
    return {
      side,
      key: row.key,
      op: 'u',
      version: change.version,
      sourceTsMs: change.sourceTsMs,
      day: row.day ?? NO_DAY,
      rowHash: row.rowHash,
      fingerprints,
      unavailableMask,
      amounts: row.amounts,
      toastHashes: layout.toastColumnIndex.map((i) => row.columnHashes[i] ?? 0n),
    };
  }
}

function deadLetter(code: DeadLetterCode, reason: string, provenance: Provenance): DeadLetter {
  return { kind: 'dead-letter', code, reason, provenance };
}
