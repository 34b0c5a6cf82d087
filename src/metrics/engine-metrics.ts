/**
 * The engine's Prometheus metrics, created against an injected registry. Label values come only
 * from bounded sets (side, entity, kind, reason code): never a key or a day (invariant 7).
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export function engineMetrics(registry: Registry) {
  const registers = [registry];
  return {
    eventsConsumed: new Counter({
      name: 'recon_events_consumed_total',
      help: 'Change events read from the CDC topics, by side and entity.',
      labelNames: ['side', 'entity'] as const,
      registers,
    }),
    deadLettered: new Counter({
      name: 'recon_dead_lettered_total',
      help: 'Messages sent to the dead-letter topic, by reason code.',
      labelNames: ['reason'] as const,
      registers,
    }),
    duplicatesIgnored: new Counter({
      name: 'recon_duplicates_ignored_total',
      help: 'Change events that were duplicates or older than the stored version of their key (no-ops).',
      labelNames: ['side', 'entity'] as const,
      registers,
    }),
    truncates: new Counter({
      name: 'recon_truncates_total',
      help: 'Truncate events seen; the entity then needs a full batch audit.',
      labelNames: ['side', 'entity'] as const,
      registers,
    }),
    offsetGaps: new Counter({
      name: 'recon_offset_gaps_total',
      help: 'Partitions whose committed offset had been deleted by retention: messages never read (F13).',
      labelNames: ['side', 'entity'] as const,
      registers,
    }),
    mismatchesOpened: new Counter({
      name: 'recon_mismatches_opened_total',
      help: 'Mismatches opened, by kind and entity.',
      labelNames: ['kind', 'entity'] as const,
      registers,
    }),
    mismatchesResolved: new Counter({
      name: 'recon_mismatches_resolved_total',
      help: 'Mismatches resolved, by kind and entity.',
      labelNames: ['kind', 'entity'] as const,
      registers,
    }),
    watermark: new Gauge({
      name: 'recon_watermark_timestamp_seconds',
      help: 'Source commit time each side has been read up to (Unix seconds).',
      labelNames: ['side', 'entity'] as const,
      registers,
    }),
  };
}

export type EngineMetrics = ReturnType<typeof engineMetrics>;
