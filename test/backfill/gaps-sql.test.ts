/** The gap query's generation, without a server: placeholders filled, identifiers quoted, bad input refused. */
import { describe, expect, test } from 'vitest';
import { gapsQuery } from '../../src/sql/gaps.ts';

const base = { table: { schema: 'public', name: 'orders' }, dayColumn: 'created_at', dayType: 'timestamptz', timeZone: 'Europe/Berlin', fromDay: '2024-01-01', toDay: '2024-01-31' } as const;

describe('gapsQuery', () => {
  test('a series of dates LEFT JOINed to the per-day counts; the zone is a parameter', () => {
    const q = gapsQuery(base);
    expect(q.values).toEqual(['2024-01-01', '2024-01-31', 'Europe/Berlin']);
    expect(q.text).toContain('generate_series(0, $2::date - $1::date)');
    expect(q.text).toContain('LEFT JOIN counts ON counts.day = dates.day');
    expect(q.text).toContain('FROM "public"."orders" AS t');
    expect(q.text).toContain('(t."created_at" AT TIME ZONE $3::text)::date');
    expect(q.text).not.toContain('Berlin');
    expect(q.text).not.toMatch(/\{\{|--/);
  });

  test('identifiers are quoted, and text inside them is never taken for a placeholder', () => {
    const q = gapsQuery({ ...base, table: { schema: 's"x', name: '{{range}}' }, dayColumn: 'a"; DROP TABLE t; --' });
    expect(q.text).toContain('FROM "s""x"."{{range}}" AS t');
    expect(q.text).toContain('t."a""; DROP TABLE t; --"');
  });

  test('date and timestamp columns need no zone', () => {
    expect(gapsQuery({ ...base, dayType: 'date' }).values).toEqual(['2024-01-01', '2024-01-31']);
    expect(gapsQuery({ ...base, dayType: 'timestamp' }).text).toContain('t."created_at"::date');
  });

  test('a reversed range, a non-date and a bad identifier are refused with a code', () => {
    expect(() => gapsQuery({ ...base, fromDay: '2024-02-01' })).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_BAD_VALUE' }));
    expect(() => gapsQuery({ ...base, toDay: '2024-02-30' })).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_BAD_VALUE' }));
    expect(() => gapsQuery({ ...base, dayColumn: '' })).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_CONFIG' }));
    expect(() => gapsQuery({ ...base, dayType: 'text' as 'date' })).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_CONFIG' }));
  });
});
