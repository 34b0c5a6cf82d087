import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { renderEventSchemas } from '../src/domain/event-schemas.ts';
import { mismatchEventSchema } from '../src/domain/mismatch-event.ts';
import { openedEvent, resolvedEvent } from '../src/compare/mismatch-factory.ts';

describe('event schemas', () => {
  test.each(renderEventSchemas())('%s is current (run npm run generate)', (path, content) => {
    expect(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')).toBe(content);
  });

  test('the events the factory builds conform to the published schema, and a stray field does not', () => {
    const record = {
      mismatchId: 'abc',
      kind: 'value_mismatch' as const,
      key: { mode: 'hmac' as const, value: '00ff' },
      day: 20_000,
      columns: ['amount'],
      sides: { a: { present: true, version: '10', rowHash: '0011223344556677' }, b: { present: true, version: '12', rowHash: '0011223344556678' } },
      firstSeenMs: 1_700_000_000_000,
      decidedAtMs: 1_700_000_030_000,
    };
    expect(mismatchEventSchema.safeParse(openedEvent('orders', record)).success).toBe(true);
    expect(mismatchEventSchema.safeParse(resolvedEvent('orders', record, 1_700_000_060_000)).success).toBe(true);
    expect(mismatchEventSchema.safeParse({ ...openedEvent('orders', record), email: 'x@example.test' }).success).toBe(false);
  });
});
