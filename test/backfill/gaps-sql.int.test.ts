/**
 * The playbook's gap query (src/sql/gaps.sql) on real Postgres: every date of the range comes back
 * with its row count, so a window without rows shows up as dates with 0; rows are cut into days in
 * the entity's time zone (bound as a parameter), and identifiers that need quoting are quoted.
 */
import type pg from 'pg';
import { describe, expect, onTestFinished, test } from 'vitest';
import { type GapRowText, gapsQuery, parseGapRows } from '../../src/sql/gaps.ts';
import { quoteIdentifier } from '../../src/sql/day-digest.ts';
import { pgClient, uniqueName } from '../harness/resources.ts';

/** A schema of its own, dropped when the test finishes. */
async function schemaFor(client: pg.Client): Promise<string> {
  const schema = uniqueName('recon_gaps');
  await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
  onTestFinished(async () => {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  });
  return schema;
}

/** A table and a day column whose names need quoting (a quote, a space, a semicolon, braces). */
const TABLE = 'gap "orders"; {{day}}';
const COLUMN = 'created at';

describe('gaps.sql', () => {
  test('finds exactly the dates of a missing 3-day window, cut in the entity time zone', async () => {
    const client = await pgClient('a');
    const schema = await schemaFor(client);
    const table = { schema, name: TABLE };
    const qualified = `${quoteIdentifier(schema)}.${quoteIdentifier(TABLE)}`;
    await client.query(`CREATE TABLE ${qualified} (id int PRIMARY KEY, ${quoteIdentifier(COLUMN)} timestamptz NOT NULL)`);
    // Two rows at Bangkok noon (UTC+7) on every day of March 1..10 except 4, 5 and 6 ...
    await client.query(
      `INSERT INTO ${qualified}
       SELECT row_number() OVER (), ((date '2024-03-01' + i) + time '12:00') AT TIME ZONE 'Asia/Bangkok'
         FROM generate_series(0, 9) AS i, generate_series(1, 2) AS copy
        WHERE i NOT IN (3, 4, 5)`,
    );
    // ... and three rows near midnight, whose Bangkok date differs from their UTC date:
    //  - 2024-03-03 23:59:59 in Bangkok (16:59:59Z): March 3 either way;
    //  - 2024-03-07 01:00 in Bangkok (18:00Z on March 6): cut in UTC it would fill March 6;
    //  - 2024-03-11 00:30 in Bangkok (17:30Z on March 10): outside the range, though inside it in UTC.
    await client.query(
      `INSERT INTO ${qualified} VALUES (1001, '2024-03-03 23:59:59+07'), (1002, '2024-03-07 01:00:00+07'), (1003, '2024-03-11 00:30:00+07')`,
    );

    const q = gapsQuery({ table, dayColumn: COLUMN, dayType: 'timestamptz', timeZone: 'Asia/Bangkok', fromDay: '2024-03-01', toDay: '2024-03-10' });
    expect(q.values).toEqual(['2024-03-01', '2024-03-10', 'Asia/Bangkok']);
    expect(q.text).not.toContain('Bangkok');
    await client.query("SET TIME ZONE 'America/Los_Angeles'"); // the session's zone must not matter
    const counts = parseGapRows((await client.query<GapRowText>(q.text, q.values)).rows);
    expect(counts.map((c) => [c.day, c.count])).toEqual([
      ['2024-03-01', 2n],
      ['2024-03-02', 2n],
      ['2024-03-03', 3n],
      ['2024-03-04', 0n],
      ['2024-03-05', 0n],
      ['2024-03-06', 0n],
      ['2024-03-07', 3n],
      ['2024-03-08', 2n],
      ['2024-03-09', 2n],
      ['2024-03-10', 2n],
    ]);
    expect(counts.filter((c) => c.count === 0n).map((c) => c.day)).toEqual(['2024-03-04', '2024-03-05', '2024-03-06']);

    // Cut in UTC, the same table has a row on March 6 and three on March 10: the zone parameter decides.
    const utc = gapsQuery({ table, dayColumn: COLUMN, dayType: 'timestamptz', timeZone: 'UTC', fromDay: '2024-03-04', toDay: '2024-03-10' });
    const utcCounts = parseGapRows((await client.query<GapRowText>(utc.text, utc.values)).rows);
    expect(utcCounts.map((c) => `${c.day}=${c.count}`)).toEqual([
      '2024-03-04=0',
      '2024-03-05=0',
      '2024-03-06=1',
      '2024-03-07=2',
      '2024-03-08=2',
      '2024-03-09=2',
      '2024-03-10=3',
    ]);
  });

  test('date and timestamp day columns: no zone parameter; a one-day range and a range with no rows at all', async () => {
    const client = await pgClient('a');
    const schema = await schemaFor(client);
    await client.query(`CREATE TABLE ${quoteIdentifier(schema)}.d (id int, day date, at timestamp)`);
    await client.query(
      `INSERT INTO ${quoteIdentifier(schema)}.d VALUES (1, '2024-01-01', '2024-01-01 23:59:59.999999'), (2, '2024-01-03', '2024-01-03 00:00:00'), (3, '2024-01-03', '2024-01-02 00:00:00')`,
    );
    const run = async (dayColumn: string, dayType: 'date' | 'timestamp', fromDay: string, toDay: string) => {
      const q = gapsQuery({ table: { schema, name: 'd' }, dayColumn, dayType, timeZone: 'Asia/Bangkok', fromDay, toDay });
      expect(q.values).toEqual([fromDay, toDay]);
      return parseGapRows((await client.query<GapRowText>(q.text, q.values)).rows).map((c) => `${c.day}=${c.count}`);
    };
    expect(await run('day', 'date', '2024-01-01', '2024-01-04')).toEqual(['2024-01-01=1', '2024-01-02=0', '2024-01-03=2', '2024-01-04=0']);
    expect(await run('at', 'timestamp', '2024-01-01', '2024-01-03')).toEqual(['2024-01-01=1', '2024-01-02=1', '2024-01-03=1']);
    expect(await run('day', 'date', '2024-01-03', '2024-01-03')).toEqual(['2024-01-03=2']);
    expect(await run('day', 'date', '2023-12-30', '2023-12-31')).toEqual(['2023-12-30=0', '2023-12-31=0']);
  });
});
