import { expect, onTestFinished, test } from 'vitest';
import { EXAMPLE } from '../../src/example/example-pipeline.ts';
import { type Received, captureNewTable, collect } from '../harness/debezium.ts';
import { pgClient } from '../harness/resources.ts';

type Envelope = {
  op: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: { lsn: number; ts_ms: number; table: string };
};

/** The fields the reconciler relies on, present with the right types. */
function expectReconcilerFields(m: Received): Envelope {
  const v = m.value as unknown as Envelope;
  expect(Object.keys(v)).toEqual(expect.arrayContaining(['before', 'after', 'op', 'source']));
  expect(typeof v.source.lsn).toBe('number');
  expect(typeof v.source.ts_ms).toBe('number');
  expect(v.source.ts_ms).toBeGreaterThan(Date.now() - 10 * 60_000);
  return v;
}

const opsOf = (ms: Received[]) => ms.map((m) => (m.value ? (m.value as unknown as Envelope).op : 'tombstone'));
const hasDeleteAndTombstone = (ms: Received[]) => opsOf(ms).join(',').endsWith('d,tombstone');

test('the example pipeline: an insert, update and delete on A reach topic a, and through replication topic b', async () => {
  const a = await pgClient('a');
  const inserted = await a.query<{ order_id: string }>(
    `INSERT INTO orders (customer_email, created_at, amount, status, notes)
     VALUES ('smoke@example.test', '2026-03-01T10:00:00Z', 10.50, 'new', repeat('x', 5000)) RETURNING order_id`,
  );
  const id = Number(inserted.rows[0]!.order_id);
  onTestFinished(() => a.query('DELETE FROM orders WHERE order_id = $1', [id]).then(() => undefined));
  await a.query(`UPDATE orders SET amount = 11.75, status = 'paid' WHERE order_id = $1`, [id]);
  await a.query('DELETE FROM orders WHERE order_id = $1', [id]);

  const started = Date.now();
  for (const prefix of [EXAMPLE.topicPrefixA, EXAMPLE.topicPrefixB]) {
    const topic = `${prefix}.${EXAMPLE.schema}.${EXAMPLE.table}`;
    const messages = await collect(
      topic,
      (m) => (m.key as { order_id?: number } | null)?.order_id === id,
      hasDeleteAndTombstone,
    );
    expect(opsOf(messages), topic).toEqual(['c', 'u', 'd', 'tombstone']);
    const [created, updated, deleted] = messages.map((m) => (m.value ? expectReconcilerFields(m) : undefined));
    expect(created!.after).toMatchObject({ order_id: id, amount: '10.50', status: 'new' });
    expect(updated!.after).toMatchObject({ order_id: id, amount: '11.75', status: 'paid' });
    // REPLICA IDENTITY DEFAULT: no before image on update, only the key on delete.
    expect(updated!.before).toBeNull();
    expect(deleted!.before).toMatchObject({ order_id: id });
    expect(deleted!.after).toBeNull();
    expect(updated!.source.lsn).toBeGreaterThan(created!.source.lsn);
    expect(deleted!.source.lsn).toBeGreaterThan(updated!.source.lsn);
  }
  expect(Date.now() - started).toBeLessThan(60_000);
});

test('a capture of its own on side B, with REPLICA IDENTITY FULL, carries before images', async () => {
  const capture = await captureNewTable('b', 'id bigint primary key, amount numeric(10,2), note text', {
    replicaIdentityFull: true,
  });
  await capture.db.query(`INSERT INTO ${capture.table} VALUES (1, 5.00, 'first')`);
  await capture.db.query(`UPDATE ${capture.table} SET amount = 6.25 WHERE id = 1`);
  await capture.db.query(`DELETE FROM ${capture.table} WHERE id = 1`);

  const messages = await collect(capture.topic, () => true, hasDeleteAndTombstone);
  expect(opsOf(messages)).toEqual(['c', 'u', 'd', 'tombstone']);
  const [created, updated, deleted] = messages.slice(0, 3).map(expectReconcilerFields);
  expect(created!.before).toBeNull();
  expect(created!.after).toEqual({ id: 1, amount: '5.00', note: 'first' });
  expect(updated!.before).toEqual({ id: 1, amount: '5.00', note: 'first' });
  expect(updated!.after).toEqual({ id: 1, amount: '6.25', note: 'first' });
  expect(deleted!.before).toEqual({ id: 1, amount: '6.25', note: 'first' });
  expect(messages[3]!.key).toEqual({ id: 1 });
});
