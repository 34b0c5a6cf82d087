/**
 * UTC offsets of an IANA time zone, fast and exact. Intl.DateTimeFormat is slow (microseconds per
 * call), so offsets are cached per UTC hour; an hour whose start and end offsets differ holds a
 * transition, whose exact second is found once by bisection and cached with the hour. Transitions
 * need not fall on whole UTC hours (Pacific/Chatham's +12:45, historic local-mean-time offsets with
 * seconds), which is why the hour's two ends are both looked at.
 */
import { MS_PER_DAY } from './civil.ts';

const MS_PER_HOUR = 3_600_000;
/**
 * Cached hours per zone before the cache is dropped and rebuilt. Rows cluster around "now", so a
 * few hundred hours cover normal traffic; the bound only matters for a replay over decades.
 */
const MAX_CACHED_HOURS = 200_000;
/** JS Date's range (±8.64e15 ms, about ±273,790 years): Intl cannot answer beyond it. */
const MAX_DATE_MS = 8.64e15;

/** One UTC hour: a constant offset, or a transition at `atMs` from `before` to `after` (seconds). */
type HourOffsets = number | { atMs: number; before: number; after: number };

export class ZoneOffsets {
  readonly timeZone: string;
  readonly #format: Intl.DateTimeFormat;
  readonly #hours = new Map<number, HourOffsets>();
  /** UTC has no transitions: skip Intl entirely. */
  readonly #fixedZero: boolean;

  /** @throws RangeError when `timeZone` is not a zone this runtime knows. */
  constructor(timeZone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    this.timeZone = this.#format.resolvedOptions().timeZone;
    this.#fixedZero = this.timeZone === 'UTC' || this.timeZone === 'Etc/UTC' || this.timeZone === 'Etc/GMT';
  }

  /** Offset east of UTC, in seconds, in force at the instant `utcMs` (ms since the epoch). */
  offsetSecondsAt(utcMs: number): number {
    if (this.#fixedZero) return 0;
    const hour = Math.floor(utcMs / MS_PER_HOUR);
    let entry = this.#hours.get(hour);
    if (entry === undefined) {
      entry = this.#lookUpHour(hour * MS_PER_HOUR);
      if (this.#hours.size >= MAX_CACHED_HOURS) this.#hours.clear();
      this.#hours.set(hour, entry);
    }
    if (typeof entry === 'number') return entry;
    return utcMs < entry.atMs ? entry.before : entry.after;
  }

  /**
   * The local calendar day (days since 1970-01-01) of an instant given as whole days since the
   * epoch plus microseconds into that UTC day (the split keeps far-future instants exact).
   */
  localDay(utcDays: number, usOfDay: number): number {
    const utcMs = utcDays * MS_PER_DAY + Math.floor(usOfDay / 1000);
    const localUs = usOfDay + this.offsetSecondsAt(utcMs) * 1_000_000;
    return utcDays + Math.floor(localUs / 86_400_000_000);
  }

  /** Whether `utcMs` lies where offsets can be looked up. */
  static inRange(utcMs: number): boolean {
    return utcMs > -MAX_DATE_MS + MS_PER_DAY && utcMs < MAX_DATE_MS - MS_PER_DAY;
  }

  #lookUpHour(startMs: number): HourOffsets {
    const before = this.#offsetFromIntl(startMs);
    const lastSecondMs = startMs + MS_PER_HOUR - 1000;
    const after = this.#offsetFromIntl(lastSecondMs);
    if (before === after) return before;
    // Offsets change on whole seconds: find the first second of the hour with the new offset.
    let lo = startMs; // has `before`
    let hi = lastSecondMs; // has `after`
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (this.#offsetFromIntl(mid) === before) lo = mid;
      else hi = mid;
    }
    return { atMs: hi, before, after };
  }

  /** The offset at a whole-second instant, from the wall-clock fields Intl gives for it. */
  #offsetFromIntl(utcMs: number): number {
    let era = 'AD';
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of this.#format.formatToParts(utcMs)) {
      switch (part.type) {
        case 'era':
          era = part.value;
          break;
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
      }
    }
    if (era === 'BC' || era === 'B') year = 1 - year;
    const local = new Date(0);
    local.setUTCFullYear(year, month - 1, day);
    local.setUTCHours(hour, minute, second, 0);
    return Math.round((local.getTime() - utcMs) / 1000);
  }
}

const zones = new Map<string, ZoneOffsets>();

/** A shared ZoneOffsets per zone name (the caches are worth sharing across entities). */
export function zoneOffsets(timeZone: string): ZoneOffsets {
  let z = zones.get(timeZone);
  if (z === undefined) {
    z = new ZoneOffsets(timeZone);
    zones.set(timeZone, z);
  }
  return z;
}
