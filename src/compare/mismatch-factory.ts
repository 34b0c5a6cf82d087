/**
 * Builds mismatch events and the records kept while a mismatch is open. Ids are derived from what
 * the mismatch is (entity, kind, subject, first-seen time), so a retried publication carries the
 * same ids and consumers can de-duplicate.
 */
import { createHash, createHmac } from 'node:crypto';
import { dayToIso } from '../normalize/days.ts';
import type { MismatchEvent, MismatchKind, SideView } from '../domain/mismatch-event.ts';

export type KeyMode = 'hmac' | 'plain';

/** How keys appear in events: HMAC-SHA256 of entity and canonical key, or the canonical key itself. */
export function keyPresenter(mode: KeyMode, secret: string | undefined): (entity: string, key: string) => { mode: KeyMode; value: string } {
  if (mode === 'plain') return (_entity, key) => ({ mode, value: key });
  if (!secret) throw new Error('keys.mode hmac needs a secret');
  return (entity, key) => ({ mode, value: createHmac('sha256', secret).update(`${entity}\u0000${key}`).digest('hex').slice(0, 32) });
}

/**
 * `occurrence` tells apart successive mismatches of the same subject: the first-seen time of a key
 * difference, or the opening count of a day finding. Both are the same when a publication is retried.
 */
export function mismatchId(entity: string, kind: MismatchKind, subject: string, occurrence: number): string {
  return createHash('sha256').update(`${entity}\u0000${kind}\u0000${subject}\u0000${occurrence}`).digest('hex').slice(0, 32);
}

/** What is kept in Redis while a mismatch is open, enough to publish its resolution later. */
export interface OpenRecord {
  mismatchId: string;
  kind: MismatchKind;
  key?: { mode: KeyMode; value: string };
  day: number | null;
  columns: string[];
  sides: { a: SideView; b: SideView };
  firstSeenMs: number;
  decidedAtMs: number;
  /** Not published on its own: covered by a day-level missing-window mismatch. */
  suppressed?: boolean;
}

export function openedEvent(entity: string, r: OpenRecord): MismatchEvent {
  return {
    schema: 'recon.mismatch/v1',
    eventId: `${r.mismatchId}:opened`,
    mismatchId: r.mismatchId,
    type: 'opened',
    entity,
    kind: r.kind,
    ...(r.key ? { key: r.key } : {}),
    day: r.day === null ? null : dayToIso(r.day),
    columns: r.columns,
    sides: r.sides,
    firstSeenAt: new Date(r.firstSeenMs).toISOString(),
    decidedAt: new Date(r.decidedAtMs).toISOString(),
  };
}

export function resolvedEvent(entity: string, r: OpenRecord, resolvedAtMs: number): MismatchEvent {
  return { ...openedEvent(entity, r), eventId: `${r.mismatchId}:resolved`, type: 'resolved', resolvedAt: new Date(resolvedAtMs).toISOString() };
}
