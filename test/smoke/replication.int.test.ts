import { expect, onTestFinished, test } from 'vitest';
import { eventually, pgClient } from '../harness/resources.ts';

test('logical replication carries a row from side A to side B', async () => {
  const a = await pgClient('a');
  const b = await pgClient('b');
  const email = `replication-${Date.now()}@example.test`;
  const inserted = await a.query<{ order_id: string }>(
    `INSERT INTO orders (customer_email, created_at, amount, status) VALUES ($1, now(), 12.34, 'new') RETURNING order_id`,
    [email],
  );
  const id = inserted.rows[0]!.order_id;
  onTestFinished(async () => {
    await a.query('DELETE FROM orders WHERE order_id = $1', [id]);
  });

  const row = await eventually('the row on side B', async () => {
    const r = await b.query('SELECT customer_email, amount::text AS amount FROM orders WHERE order_id = $1', [id]);
    return r.rows[0];
  });
  expect(row).toEqual({ customer_email: email, amount: '12.34' });
});
