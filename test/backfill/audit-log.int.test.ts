/**
 * The backfill audit log on real Postgres: the migration applies once (a second run is a no-op),
 * records append and read back in order, and the table refuses UPDATE and DELETE (append-only).
 */
import type pg from 'pg';
import { describe, expect, onTestFinished, test } from 'vitest';
import { BackfillAuditLog } from '../../src/backfill/audit-log/audit-log.ts';
import { migrate } from '../../src/backfill/audit-log/migrate.ts';
import { quoteIdentifier } from '../../src/sql/day-digest.ts';
import { pgClient, uniqueName } from '../harness/resources.ts';

async function freshSchema(client: pg.Client): Promise<string> {
  const schema = uniqueName('recon_audit');
  onTestFinished(async () => {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  });
  return schema;
}

describe('backfill audit log', () => {
  test('the migration applies once and is recorded', async () => {
    const client = await pgClient('b');
    const schema = await freshSchema(client);
    expect(await migrate(client, { schema })).toEqual(['001_backfill_audit.sql']);
    expect(await migrate(client, { schema })).toEqual([]);
    const r = await client.query(`SELECT name FROM ${quoteIdentifier(schema)}.recon_schema_migrations`);
    expect(r.rows).toEqual([{ name: '001_backfill_audit.sql' }]);
  });

  test('append and history, per entity and per batch, oldest first', async () => {
    const client = await pgClient('b');
    const schema = await freshSchema(client);
    await migrate(client, { schema });
    const log = new BackfillAuditLog(client, { schema });
    const startedAt = new Date('2026-03-10T10:00:00.000Z');
    const base = { entity: 'orders', fromDay: '2026-03-01', toDay: '2026-03-03', executor: 'sql-copy', trigger: 'automatic', startedAt };
    await log.append({ ...base, batchId: 'b1', attempt: 1, status: 'started' });
    await log.append({ ...base, batchId: 'b1', attempt: 1, status: 'failed', finishedAt: new Date('2026-03-10T10:00:05Z'), error: 'session terminated' });
    await log.append({ ...base, batchId: 'b1', attempt: 2, status: 'started' });
    await log.append({
      ...base,
      batchId: 'b1',
      attempt: 2,
      status: 'succeeded',
      rowsRead: 90n,
      rowsWritten: 90n,
      finishedAt: new Date('2026-03-10T10:01:00Z'),
      verification: 'B converged to A',
    });
    await log.append({ ...base, entity: 'payments', batchId: 'p1', attempt: 1, status: 'dry-run', fromDay: 20_000, toDay: 20_001, trigger: 'alice' });
    await log.append({ ...base, batchId: 'b2', attempt: 1, status: 'pending-approval' });

    const b1 = await log.history('orders', { batchId: 'b1' });
    expect(b1.map((r) => [r.attempt, r.status])).toEqual([[1, 'started'], [1, 'failed'], [2, 'started'], [2, 'succeeded']]);
    expect(b1.filter((r) => r.status === 'succeeded')).toHaveLength(1);
    expect(b1[3]).toMatchObject({ rowsRead: 90n, rowsWritten: 90n, verification: 'B converged to A', fromDay: '2026-03-01', toDay: '2026-03-03' });
    expect(b1[1]).toMatchObject({ error: 'session terminated' });
    expect(b1[0]).not.toHaveProperty('rowsRead');
    expect(b1[0]!.startedAt.toISOString()).toBe(startedAt.toISOString());
    expect((await log.history('orders')).map((r) => r.batchId)).toEqual(['b1', 'b1', 'b1', 'b1', 'b2']);
    expect(await log.history('payments')).toMatchObject([{ batchId: 'p1', trigger: 'alice', fromDay: '2024-10-04', toDay: '2024-10-05' }]);
    await expect(log.append({ ...base, batchId: 'x', attempt: 1, status: 'done' as never })).rejects.toThrow(/unknown audit status/);
  });

  test('UPDATE, DELETE and TRUNCATE are refused', async () => {
    const client = await pgClient('b');
    const schema = await freshSchema(client);
    await migrate(client, { schema });
    const log = new BackfillAuditLog(client, { schema });
    await log.append({ batchId: 'b1', attempt: 1, entity: 'orders', fromDay: '2026-03-01', toDay: '2026-03-01', executor: 'sql-copy', trigger: 'automatic', status: 'started', startedAt: new Date() });
    const table = `${quoteIdentifier(schema)}.recon_backfill_audit`;
    await expect(client.query(`UPDATE ${table} SET status = 'succeeded'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(client.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(client.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    await expect(client.query(`INSERT INTO ${table} (batch_id, attempt, entity, from_day, to_day, executor, trigger, status, started_at)
      VALUES ('b', 1, 'orders', '2026-03-01', '2026-03-01', 'x', 'automatic', 'bogus', now())`)).rejects.toThrow(/check constraint/);
    expect(await log.history('orders')).toHaveLength(1);
  });
});
