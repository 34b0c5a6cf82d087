/**
 * The gap query (gaps.sql) for one table: its placeholders filled with quoted identifiers and the
 * business-day expression of the day column's type, its dates and time zone bound as parameters.
 * No pg import: the caller runs `client.query(q.text, q.values)` on its own connection.
 */
import { readFileSync } from 'node:fs';
import { isoToDay } from '../normalize/days.ts';
import { NormalizeError } from '../normalize/errors.ts';
import { type TableRef, quoteIdentifier } from './day-digest.ts';

const template = readFileSync(new URL('./gaps.sql', import.meta.url), 'utf8');

/** The types a business-day column may have (src/sql/day-digest.ts refuses any other). */
export type DayColumnType = 'date' | 'timestamp' | 'timestamptz';

export interface GapsQueryInput {
  table: TableRef;
  dayColumn: string;
  dayType: DayColumnType;
  /** IANA zone in which a timestamptz is cut into days; unused for date and timestamp columns. */
  timeZone: string;
  /** First and last date, YYYY-MM-DD, inclusive. */
  fromDay: string;
  toDay: string;
}

export interface SqlQuery {
  text: string;
  values: string[];
}

/** One row of the result as the driver returns it (all text). */
export interface GapRowText {
  day: string;
  row_count: string;
}

/** @throws NormalizeError when a date is not a calendar date, the range is reversed, or an identifier is invalid */
export function gapsQuery(input: GapsQueryInput): SqlQuery {
  if (isoToDay(input.fromDay) > isoToDay(input.toDay)) {
    throw new NormalizeError('RECON_NORMALIZE_BAD_VALUE', 'the first date of the range is after the last');
  }
  const ref = `t.${quoteIdentifier(input.dayColumn)}`;
  const parts = (() => {
    switch (input.dayType) {
      case 'date':
        return { day: ref, range: `${ref} BETWEEN $1::date AND $2::date` };
      case 'timestamp':
        return { day: `${ref}::date`, range: `${ref} >= ($1::date - 1)::timestamp AND ${ref} < ($2::date + 2)::timestamp` };
      case 'timestamptz':
        return {
          day: `(${ref} AT TIME ZONE $3::text)::date`,
          range: `${ref} >= (($1::date - 1)::timestamp AT TIME ZONE $3::text) AND ${ref} < (($2::date + 2)::timestamp AT TIME ZONE $3::text)`,
        };
      default:
        throw new NormalizeError('RECON_NORMALIZE_CONFIG', 'the business-day column must be a date, timestamp or timestamptz', { column: input.dayColumn });
    }
  })();
  const fills: Record<string, string> = {
    table: `${quoteIdentifier(input.table.schema)}.${quoteIdentifier(input.table.name)}`,
    day: parts.day,
    range: parts.range,
  };
  // One pass: text put in is never scanned again, so an identifier containing `{{…}}` stays inert.
  const text = template
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      const fill = fills[name];
      if (fill === undefined) throw new Error(`gaps.sql: unknown placeholder {{${name}}}`);
      return fill;
    })
    .trim();
  const values = input.dayType === 'timestamptz' ? [input.fromDay, input.toDay, input.timeZone] : [input.fromDay, input.toDay];
  return { text, values };
}

/** Reads the result into exact counts, one per date in order. */
export function parseGapRows(rows: readonly GapRowText[]): { day: string; count: bigint }[] {
  return rows.map((r) => ({ day: r.day, count: BigInt(r.row_count) }));
}
