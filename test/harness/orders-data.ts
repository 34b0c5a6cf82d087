/**
 * Example rows for an orders-like test table, deterministic from a seed: several business days,
 * amounts with cents, personal e-mails, a status, and some notes large enough to be TOASTed.
 */
import pg from 'pg';
import { toEntityModel, type ReconcilerConfig } from '../../src/config/index.ts';
import type { ColumnType } from '../../src/domain/entity.ts';
import { isoToDay } from '../../src/normalize/days.ts';
import { type SqlDayAggregate, dayAggregateSql, parseDayAggregate } from '../../src/sql/day-digest.ts';

export const ORDERS_COLUMN_TYPES: Record<string, ColumnType> = {
  order_id: 'integer',
  customer_email: 'text',
  created_at: 'timestamptz',
  amount: 'decimal',
  status: 'text',
  notes: 'text',
};

export const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'];

/** Inserts `count` rows spread over DAYS with ids from `firstId`; returns the ids. */
export async function insertOrders(db: pg.Client, table: string, count: number, firstId = 1, days = DAYS): Promise<number[]> {
  const ids: number[] = [];
  const values: unknown[] = [];
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = firstId + i;
    ids.push(id);
    const day = days[i % days.length]!;
    const seconds = (id * 7919) % 86_400;
    const at = new Date(Date.parse(`${day}T00:00:00Z`) + seconds * 1000).toISOString();
    const amount = `${(id * 37) % 100_000}.${String(id % 100).padStart(2, '0')}`;
    const notes = id % 50 === 0 ? 'n'.repeat(6000) : `note ${id}`;
    const p = values.length;
    rows.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6})`);
    values.push(id, `customer${id}@example.test`, at, amount, id % 3 === 0 ? 'paid' : 'new', notes);
    if (rows.length === 500 || i === count - 1) {
      await db.query(
        `INSERT INTO ${pg.escapeIdentifier(table)} (order_id, customer_email, created_at, amount, status, notes) VALUES ${rows.join(',')}`,
        values,
      );
      rows.length = 0;
      values.length = 0;
    }
  }
  return ids;
}

/** The SQL twin's per-day count, sums and digest of a table, over DAYS. */
export async function sqlDays(db: pg.Client, table: string, config: ReconcilerConfig, days = DAYS): Promise<Map<number, SqlDayAggregate>> {
  const model = toEntityModel(config.entities[0]!);
  const query = dayAggregateSql(model, { schema: 'public', name: table }, ORDERS_COLUMN_TYPES);
  const r = await db.query(query.text, query.values(days[0]!, days[days.length - 1]!));
  return new Map(r.rows.map((row) => {
    const agg = parseDayAggregate(row, model.amounts.length);
    return [isoToDay(agg.day), agg] as const;
  }));
}
