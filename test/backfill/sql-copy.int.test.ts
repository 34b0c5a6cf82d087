/**
 * The direct SQL copy executor on a real A→B pipeline: with replication paused, a 3-day window
 * inserted on A is copied into B by the executor; B then holds exactly A's rows of the window (md5
 * over the rows), a second run writes the same rows (no duplicates), a session killed mid-batch
 * (F15) rolls its chunk back and a retry under the same batch id completes, and a role without
 * INSERT (F18) gets a clear error with nothing written.
 */
import pg from 'pg';
import { describe, expect, onTestFinished, test } from 'vitest';
import { BackfillError, type CopyWindowOptions, TokenBucket, copyWindow } from '../../src/backfill/executors/sql-copy.ts';
import { quoteIdentifier } from '../../src/sql/day-digest.ts';
import { insertOrders } from '../harness/orders-data.ts';
import { createTestPipeline, type TestPipeline } from '../harness/pipeline.ts';
import { stack, uniqueName } from '../harness/resources.ts';

const WINDOW = ['2026-03-01', '2026-03-02', '2026-03-03'];
const FROM = WINDOW[0]!;
const TO = WINDOW[2]!;

/** A pool on side A or B whose sessions carry `applicationName`, ended when the test finishes. */
function pool(side: 'a' | 'b', applicationName = uniqueName('backfill')): pg.Pool {
  const p = new pg.Pool({ connectionString: side === 'a' ? stack().pgUrlA : stack().pgUrlB, application_name: applicationName, max: 2 });
  p.on('error', () => undefined);
  onTestFinished(() => p.end());
  return p;
}

/** md5 over the window's rows in key order, and their count. */
async function windowDigest(db: pg.Client, table: string): Promise<{ n: number; h: string | null }> {
  const r = await db.query(
    `SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY order_id)) AS h FROM ${quoteIdentifier(table)} t
      WHERE (created_at AT TIME ZONE 'UTC')::date BETWEEN $1::date AND $2::date`,
    [FROM, TO],
  );
  return r.rows[0];
}

/** A paused pipeline whose A holds 90 rows over the 3-day window and 10 rows after it. */
async function pausedWithWindowOnA(): Promise<TestPipeline> {
  const p = await createTestPipeline();
  await p.pauseReplication();
  await insertOrders(p.a, p.table, 90, 1, WINDOW);
  await insertOrders(p.a, p.table, 10, 1001, ['2026-03-04']);
  expect((await p.b.query(`SELECT count(*)::int AS n FROM ${quoteIdentifier(p.table)}`)).rows[0].n).toBe(0);
  return p;
}

function options(p: TestPipeline, source: pg.Pool, target: pg.Pool, extra: Partial<CopyWindowOptions> = {}): CopyWindowOptions {
  return {
    source,
    target,
    table: { a: { schema: 'public', name: p.table }, b: { schema: 'public', name: p.table } },
    keyColumns: ['order_id'],
    dayColumn: 'created_at',
    timeZone: 'UTC',
    fromDay: FROM,
    toDay: TO,
    chunkRows: 25,
    rowsPerSecond: 0,
    allowDeletes: false,
    batchId: 'batch-1',
    ...extra,
  };
}

describe('sql-copy executor', () => {
  test('copies the window exactly, row by row; a second run writes the same rows', async () => {
    const p = await pausedWithWindowOnA();
    const opts = options(p, pool('a'), pool('b'));
    const first = await copyWindow(opts);
    expect(first).toEqual({ rowsRead: 90n, rowsWritten: 90n, rowsDeleted: 0n, chunks: 4 });
    const a = await windowDigest(p.a, p.table);
    expect(a.n).toBe(90);
    expect(await windowDigest(p.b, p.table)).toEqual(a);
    // Nothing outside the window was copied.
    expect((await p.b.query(`SELECT count(*)::int AS n FROM ${quoteIdentifier(p.table)}`)).rows[0].n).toBe(90);

    // A drifted row on B is overwritten; a re-run writes the same rows and no duplicate.
    await p.b.query(`UPDATE ${quoteIdentifier(p.table)} SET amount = amount + 1, notes = NULL WHERE order_id = 7`);
    const second = await copyWindow(opts);
    expect(second).toEqual(first);
    expect(await windowDigest(p.b, p.table)).toEqual(a);
  });

  test('deletes B rows of the window missing on A only with allowDeletes', async () => {
    const p = await pausedWithWindowOnA();
    const [source, target] = [pool('a'), pool('b')];
    await copyWindow(options(p, source, target));
    await p.b.query(
      `INSERT INTO ${quoteIdentifier(p.table)} (order_id, customer_email, created_at, amount) VALUES
         (5000, 'x@example.test', '2026-03-02T12:00:00Z', 1), (5001, 'y@example.test', '2026-03-09T12:00:00Z', 1)`,
    );
    expect((await copyWindow(options(p, source, target))).rowsDeleted).toBe(0n);
    expect((await windowDigest(p.b, p.table)).n).toBe(91);
    const r = await copyWindow(options(p, source, target, { allowDeletes: true }));
    expect(r.rowsDeleted).toBe(1n);
    expect(await windowDigest(p.b, p.table)).toEqual(await windowDigest(p.a, p.table));
    // The row outside the window stays.
    expect((await p.b.query(`SELECT count(*)::int AS n FROM ${quoteIdentifier(p.table)} WHERE order_id = 5001`)).rows[0].n).toBe(1);
  });

  test('F15: a session killed mid-batch rolls its chunk back; the retry completes without duplicates', async () => {
    const p = await pausedWithWindowOnA();
    const app = uniqueName('backfill_kill');
    const [source, target] = [pool('a'), pool('b', app)];
    let killed = 0;
    const kill = async ({ chunk }: { chunk: number }): Promise<void> => {
      if (chunk !== 3 || killed > 0) return;
      killed++;
      // From another client, between the chunk's upsert and its COMMIT.
      const r = await p.b.query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1', [app]);
      expect(r.rows[0].n).toBe(1);
    };
    const opts = options(p, source, target, { chunkRows: 10, beforeChunkCommit: kill });
    const error = await copyWindow(opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackfillError);
    expect(error).toMatchObject({ code: 'RECON_BACKFILL_UNAVAILABLE', retriable: true, batchId: 'batch-1' });
    expect((error as Error).message).toMatch(/chunk 3 .* rolled back/);
    // Chunks 1 and 2 committed; chunk 3 was rolled back.
    expect((await windowDigest(p.b, p.table)).n).toBe(20);

    const retry = await copyWindow(opts);
    expect(retry).toEqual({ rowsRead: 90n, rowsWritten: 90n, rowsDeleted: 0n, chunks: 9 });
    expect(await windowDigest(p.b, p.table)).toEqual(await windowDigest(p.a, p.table));
  });

  test('F18: a role without INSERT on B gets a clear error and nothing is written', async () => {
    const p = await pausedWithWindowOnA();
    const role = uniqueName('recon_backfill_ro');
    const admin = new pg.Client({ connectionString: stack().pgUrlB });
    await admin.connect();
    onTestFinished(async () => {
      await admin.query(`DROP OWNED BY ${quoteIdentifier(role)}`).catch(() => undefined);
      await admin.query(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`).catch(() => undefined);
      await admin.end();
    });
    await admin.query(`CREATE ROLE ${quoteIdentifier(role)} NOLOGIN`);
    await admin.query(`GRANT SELECT, UPDATE ON ${quoteIdentifier(p.table)} TO ${quoteIdentifier(role)}`);
    const target = new pg.Client({ connectionString: stack().pgUrlB });
    await target.connect();
    onTestFinished(() => target.end());
    await target.query(`SET ROLE ${quoteIdentifier(role)}`);

    const source = pool('a');
    const attempt = copyWindow({ ...options(p, source, pool('b')), target });
    await expect(attempt).rejects.toMatchObject({ code: 'RECON_BACKFILL_PRIVILEGE', retriable: false });
    await expect(copyWindow({ ...options(p, source, pool('b')), target })).rejects.toThrow(
      `side B: the backfill role lacks INSERT privilege on table public.${p.table}`,
    );
    expect((await windowDigest(p.b, p.table)).n).toBe(0);
  });
});

describe('token bucket', () => {
  test('holds the average rate with an injected clock and sleep', async () => {
    let now = 0;
    const slept: number[] = [];
    const bucket = new TokenBucket(10, 10, { nowMs: () => now }, async (ms) => {
      slept.push(ms);
      now += ms;
    });
    for (let i = 0; i < 9; i++) await bucket.take(10);
    expect(slept).toEqual(Array(8).fill(1000));
    expect(now).toBe(8000);
  });
});
