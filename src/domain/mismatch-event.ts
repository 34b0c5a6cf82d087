/**
 * Mismatch events, published to the mismatch topic as JSON: the one runtime schema from which the
 * TypeScript type and schemas/mismatch-event.schema.json are derived. They never carry row values:
 * keys are HMAC'd unless configured plain, and columns are named, never shown.
 */
import { z } from 'zod';

export const KEY_MISMATCH_KINDS = ['missing_on_b', 'missing_on_a', 'value_mismatch'] as const;
export const DAY_MISMATCH_KINDS = ['day_count', 'day_sum', 'day_digest', 'day_missing_on_b'] as const;
export const MISMATCH_KINDS = [...KEY_MISMATCH_KINDS, ...DAY_MISMATCH_KINDS] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];
export type KeyMismatchKind = (typeof KEY_MISMATCH_KINDS)[number];
export type DayMismatchKind = (typeof DAY_MISMATCH_KINDS)[number];

const sideView = z
  .object({
    present: z.boolean().optional().describe('Key kinds: whether the side holds the row.'),
    version: z.string().optional().describe('Key kinds: the row version on this side (Postgres LSN), as decimal text.'),
    rowHash: z.string().optional().describe('Key kinds: the row hash, 16 hex digits.'),
    count: z.string().optional().describe('Day kinds: rows of the day on this side.'),
    sum: z.string().optional().describe('day_sum: the exact sum of the named amount column, as decimal text.'),
    digest: z.string().optional().describe('Day kinds: the day digest, 16 hex digits.'),
  })
  .strict();

export const mismatchEventSchema = z
  .object({
    schema: z.literal('recon.mismatch/v1'),
    eventId: z.string().describe('Unique per event: the mismatch id and the lifecycle step. Consumers de-duplicate on it.'),
    mismatchId: z.string().describe('Stable over the lifecycle of one mismatch (opened, then resolved).'),
    type: z.enum(['opened', 'resolved']),
    entity: z.string(),
    kind: z.enum(MISMATCH_KINDS),
    key: z
      .object({ mode: z.enum(['hmac', 'plain']), value: z.string() })
      .strict()
      .optional()
      .describe('Key kinds only: the canonical key, HMAC-SHA256 (hex, 32 digits) unless the config says plain.'),
    day: z.string().nullable().describe('The business day (YYYY-MM-DD) of the row or of the day-level check.'),
    columns: z
      .array(z.string())
      .describe('value_mismatch: the columns whose values differ (names only); day_sum: the amount column.'),
    sides: z.object({ a: sideView, b: sideView }).strict(),
    firstSeenAt: z.string().describe('When the difference was first seen (source commit time for key kinds).'),
    decidedAt: z.string().describe('When both watermarks had passed it plus the grace period and it was decided.'),
    resolvedAt: z.string().optional().describe('resolved events: when the sides were seen to agree again.'),
  })
  .strict();

export type MismatchEvent = z.infer<typeof mismatchEventSchema>;
export type SideView = z.infer<typeof sideView>;
