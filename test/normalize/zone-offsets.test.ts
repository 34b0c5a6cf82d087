/**
 * The cached zone offsets agree with an independent reading of Intl (its `longOffset` zone name)
 * at every instant around DST transitions, including zones whose offsets and transitions are not
 * whole UTC hours, and business days split exactly at local midnight (B8).
 */
import { describe, expect, test } from 'vitest';
import { ZoneOffsets } from '../../src/normalize/zone-offsets.ts';

/** Offset in seconds from Intl's "GMT+05:30" / "GMT-03:00:12" / "GMT" zone names. */
function referenceOffset(timeZone: string, utcMs: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(utcMs)
    .find((p) => p.type === 'timeZoneName')?.value;
  if (name === undefined || name === 'GMT') return 0;
  const m = /^GMT([+-])(\d\d):(\d\d)(?::(\d\d))?$/.exec(name);
  if (!m) throw new Error(`unexpected offset name ${name}`);
  const abs = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -abs : abs;
}

const MIN = 60_000;

describe.each([
  // [zone, a transition instant (UTC), offset before, offset after]
  ['Europe/Berlin', Date.UTC(2024, 2, 31, 1, 0), 3600, 7200],
  ['Europe/Berlin', Date.UTC(2024, 9, 27, 1, 0), 7200, 3600],
  ['America/New_York', Date.UTC(2024, 2, 10, 7, 0), -18000, -14400],
  ['America/New_York', Date.UTC(2024, 10, 3, 6, 0), -14400, -18000],
  ['Pacific/Chatham', Date.UTC(2024, 3, 6, 14, 0), 49500, 45900],
  ['Pacific/Chatham', Date.UTC(2024, 8, 28, 14, 0), 45900, 49500],
  ['America/St_Johns', Date.UTC(2024, 2, 10, 5, 30), -12600, -9000],
  ['Australia/Lord_Howe', Date.UTC(2024, 3, 6, 15, 0), 39600, 37800],
])('%s transition at %s', (zone, atMs, before, after) => {
  test('exact on both sides of the transition second', () => {
    const z = new ZoneOffsets(zone);
    expect(z.offsetSecondsAt(atMs - 1)).toBe(before);
    expect(z.offsetSecondsAt(atMs)).toBe(after);
  });

  test('agrees with Intl every minute for a day around it (and on re-use of the cache)', () => {
    const z = new ZoneOffsets(zone);
    for (let pass = 0; pass < 2; pass++) {
      for (let t = atMs - 12 * 60 * MIN; t <= atMs + 12 * 60 * MIN; t += 7 * MIN + 13_000) {
        expect(z.offsetSecondsAt(t), new Date(t).toISOString()).toBe(referenceOffset(zone, t));
      }
    }
  });
});

test.each(['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'Europe/Amsterdam', 'America/Sao_Paulo'])(
  '%s: agrees with Intl at pseudo-random instants from 1850 to 2100',
  (zone) => {
    const z = new ZoneOffsets(zone);
    let seed = 12345;
    const from = Date.UTC(1850, 0, 1);
    const span = Date.UTC(2100, 0, 1) - from;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const t = from + Math.floor((seed / 2 ** 31) * span / 1000) * 1000;
      expect(z.offsetSecondsAt(t), `${zone} ${new Date(t).toISOString()}`).toBe(referenceOffset(zone, t));
    }
  },
);

describe('local business day of an instant (B8: 23:59:59.999999 vs 00:00:00 local)', () => {
  const dayOf = (iso: string): number => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000;
  const split = (utcMs: number, extraUs = 0): [number, number] => {
    const days = Math.floor(utcMs / 86_400_000);
    return [days, (utcMs - days * 86_400_000) * 1000 + extraUs];
  };

  test.each([
    // [zone, local midnight that starts `day` (as UTC ms), day]
    ['Europe/Berlin', Date.UTC(2024, 2, 30, 23, 0), '2024-03-31'], // the day DST starts
    ['Europe/Berlin', Date.UTC(2024, 9, 26, 22, 0), '2024-10-27'], // the day DST ends
    ['America/New_York', Date.UTC(2024, 10, 3, 4, 0), '2024-11-03'],
    ['America/New_York', Date.UTC(2024, 10, 4, 5, 0), '2024-11-04'],
    ['Asia/Kolkata', Date.UTC(2024, 0, 1, 18, 30), '2024-01-02'],
    ['Pacific/Chatham', Date.UTC(2024, 8, 28, 11, 15), '2024-09-29'], // +12:45: the day DST starts
    ['Pacific/Chatham', Date.UTC(2024, 8, 29, 10, 15), '2024-09-30'], // +13:45 after it
  ])('%s: the last microsecond before %s belongs to the previous day', (zone, midnightUtcMs, day) => {
    const z = new ZoneOffsets(zone);
    const [d0, us0] = split(midnightUtcMs);
    expect(z.localDay(d0, us0)).toBe(dayOf(day));
    const [d1, us1] = split(midnightUtcMs - 1, 999);
    expect(z.localDay(d1, us1)).toBe(dayOf(day) - 1);
  });

  test('UTC needs no lookups', () => {
    const z = new ZoneOffsets('UTC');
    expect(z.localDay(19_000, 86_399_999_999)).toBe(19_000);
  });

  test('an unknown zone is refused', () => {
    expect(() => new ZoneOffsets('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

test('offsets are fast once cached (well under a microsecond per call)', () => {
  const z = new ZoneOffsets('Europe/Berlin');
  const start = Date.UTC(2024, 0, 1);
  let acc = 0;
  for (let i = 0; i < 1000; i++) acc += z.offsetSecondsAt(start + i * 3_600_000);
  const t0 = performance.now();
  for (let i = 0; i < 200_000; i++) acc += z.offsetSecondsAt(start + (i % 1000) * 3_600_000 + i);
  const perCallUs = ((performance.now() - t0) * 1000) / 200_000;
  expect(acc).not.toBe(0);
  expect(perCallUs).toBeLessThan(1);
});
