/**
 * Business days as ISO dates and back. A business day is a whole number of days since 1970-01-01
 * (a calendar date, not an instant); integer arithmetic keeps it exact for every year.
 */
import { daysFromCivil, isoDate } from './civil.ts';
import { NormalizeError } from './errors.ts';

/** `YYYY-MM-DD` of a business day. */
export function dayToIso(day: number): string {
  if (!Number.isSafeInteger(day)) throw new NormalizeError('RECON_NORMALIZE_BAD_VALUE', 'a business day is a whole number of days');
  return isoDate(day);
}

/** The business day of a `YYYY-MM-DD` date. @throws NormalizeError when it is not a calendar date */
export function isoToDay(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (m !== null) {
    const day = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
    if (isoDate(day) === iso) return day;
  }
  throw new NormalizeError('RECON_NORMALIZE_BAD_VALUE', 'not a calendar date (YYYY-MM-DD)');
}
