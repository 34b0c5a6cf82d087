/**
 * Calendar arithmetic on plain integers (proleptic Gregorian, days since 1970-01-01), and the
 * canonical text of dates and times. Integer-only so that it is exact for every year Postgres
 * stores and fast on the hot path (no Date objects).
 */

export const MS_PER_DAY = 86_400_000;
export const US_PER_DAY = 86_400_000_000;
export const US_PER_HOUR = 3_600_000_000;
export const US_PER_MINUTE = 60_000_000;
export const US_PER_SECOND = 1_000_000;

/** Days since 1970-01-01 of a civil date (month 1..12). H. Hinnant's `days_from_civil`. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Year of a day number (for range checks before formatting). */
export function yearOfDays(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (month <= 2 ? 1 : 0);
}

const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));

/**
 * `YYYY-MM-DD` of a day number, the year zero-padded to four digits and longer when needed (as
 * Postgres' to_char `YYYY` prints it). Callers refuse years before 1 first (see `yearOfDays`).
 */
export function isoDate(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const ys = y >= 1000 ? `${y}` : `${y}`.padStart(4, '0');
  return `${ys}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}`;
}

/** `HH:MM:SS.ffffff` of microseconds since midnight (0 ..= 24:00:00, which Postgres' time allows). */
export function isoTime(usOfDay: number): string {
  const h = Math.floor(usOfDay / US_PER_HOUR);
  let r = usOfDay - h * US_PER_HOUR;
  const mi = Math.floor(r / US_PER_MINUTE);
  r -= mi * US_PER_MINUTE;
  const s = Math.floor(r / US_PER_SECOND);
  const f = r - s * US_PER_SECOND;
  return `${TWO_DIGITS[h]}:${TWO_DIGITS[mi]}:${TWO_DIGITS[s]}.${`${f}`.padStart(6, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The result of reading an ISO-8601 date or date-time text. */
export interface ParsedDateTime {
  days: number;
  /** Microseconds since the (local) midnight of `days`; may be 86_400_000_000 (24:00:00 or a leap second). */
  us: number;
  /** Offset east of UTC in seconds, or undefined when the text has no zone. */
  offsetSeconds: number | undefined;
  /** The fraction had non-zero digits beyond the microsecond. */
  subMicro: boolean;
}

// Dates with 4..6 digit years (optionally signed, as java.time prints years beyond 9999), an optional
// time after `T` or a space, a fraction of 1..9 digits, and an optional zone: Z, UTC, or +HH[:MM[:SS]].
const DATE_TIME_RE =
  /^([+-]?\d{4,6})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?)?\s*(?:(Z|z|UTC|GMT)|([+-])(\d\d)(?::?(\d\d)(?::?(\d\d))?)?)?$/;

/** Reads an ISO-8601 date or date-time; undefined when the text is not one. */
export function parseDateTime(text: string): ParsedDateTime | undefined {
  const m = DATE_TIME_RE.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  let us = 0;
  let subMicro = false;
  if (m[4] !== undefined) {
    const hour = Number(m[4]);
    const minute = Number(m[5]);
    const second = m[6] === undefined ? 0 : Number(m[6]);
    if (hour > 24 || minute > 59 || second > 60) return undefined;
    const frac = m[7];
    let fracUs = 0;
    if (frac !== undefined) {
      fracUs = Number(frac.slice(0, 6).padEnd(6, '0'));
      subMicro = frac.length > 6 && Number(frac.slice(6)) !== 0;
    }
    us = hour * US_PER_HOUR + minute * US_PER_MINUTE + second * US_PER_SECOND + fracUs;
    if (hour === 24 && us !== US_PER_DAY) return undefined;
  }
  let offsetSeconds: number | undefined;
  if (m[8] !== undefined) offsetSeconds = 0;
  else if (m[9] !== undefined) {
    const abs = Number(m[10]) * 3600 + Number(m[11] ?? 0) * 60 + Number(m[12] ?? 0);
    if (Number(m[10]) > 15 || Number(m[11] ?? 0) > 59 || Number(m[12] ?? 0) > 59) return undefined;
    offsetSeconds = m[9] === '-' ? -abs : abs;
  }
  return { days: daysFromCivil(year, month, day), us, offsetSeconds, subMicro };
}

const TIME_RE = /^(\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?(Z|z|[+-]00(?::?00)?)?$/;

/** Reads a time of day `HH:MM[:SS[.f]]` (an optional zero zone is tolerated); undefined when not one. */
export function parseTime(text: string): { us: number; subMicro: boolean } | undefined {
  const m = TIME_RE.exec(text);
  if (m === null) return undefined;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = m[3] === undefined ? 0 : Number(m[3]);
  if (hour > 24 || minute > 59 || second > 60) return undefined;
  const frac = m[4];
  let fracUs = 0;
  let subMicro = false;
  if (frac !== undefined) {
    fracUs = Number(frac.slice(0, 6).padEnd(6, '0'));
    subMicro = frac.length > 6 && Number(frac.slice(6)) !== 0;
  }
  const us = hour * US_PER_HOUR + minute * US_PER_MINUTE + second * US_PER_SECOND + fracUs;
  if (us > US_PER_DAY) return undefined;
  return { us, subMicro };
}
