/**
 * One session out of a pool or a client: a transaction needs every statement on the same
 * connection. A client handed in is used as it is (and never ended here); a pooled client is
 * released afterwards, and destroyed when the session failed, so that a killed connection does
 * not go back to the pool.
 */
import pg from 'pg';

export type Db = pg.Pool | pg.Client | pg.PoolClient;

export async function withSession<T>(db: Db, work: (client: pg.Client | pg.PoolClient) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return work(db);
  const client = await db.connect();
  // A server that ends the session emits 'error' on the client; without a listener that would crash the process.
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let failure: Error | undefined;
  try {
    return await work(client);
  } catch (e) {
    failure = e instanceof Error ? e : new Error(String(e));
    throw e;
  } finally {
    client.off('error', ignore);
    client.release(failure);
  }
}

/** Runs `work` in one transaction (BEGIN ... COMMIT, ROLLBACK on any error). */
export async function inTransaction<T>(db: Db, work: (client: pg.Client | pg.PoolClient) => Promise<T>): Promise<T> {
  return withSession(db, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}
