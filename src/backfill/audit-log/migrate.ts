/**
 * The migration runner of the backfill audit log: the `.sql` files of `migrations/` in name order,
 * each applied once, in its own transaction, and recorded in `recon_schema_migrations`. Idempotent
 * (a second run applies nothing) and safe to run from several instances at once (a transaction-level
 * advisory lock serialises them). A file already applied whose text changed is refused rather than
 * silently skipped.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { quoteIdentifier } from '../../sql/day-digest.ts';
import { type Db, inTransaction } from './session.ts';

/** The repository's migrations directory. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

/** An arbitrary constant: the advisory lock key the runners of every instance share. */
const LOCK_KEY = 0x7265636f6e; // "recon"

export interface Migration {
  name: string;
  sql: string;
}

export interface MigrateOptions {
  /** The schema to migrate (created if missing); default `public`. */
  schema?: string;
  /** The migrations to apply; default the `.sql` files of MIGRATIONS_DIR in name order. */
  migrations?: readonly Migration[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** The `.sql` files of a directory, in name order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(`${dir}/${name}`, 'utf8') }));
}

const checksum = (sql: string): string => createHash('sha256').update(sql).digest('hex');

/** Applies the migrations not applied yet; returns the names it applied (empty when up to date). */
export async function migrate(db: Db, options: MigrateOptions = {}): Promise<string[]> {
  const schema = quoteIdentifier(options.schema ?? 'public');
  const migrations = options.migrations ?? loadMigrations();
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await inTransaction(db, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`SELECT set_config('search_path', $1, true)`, [schema]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS recon_schema_migrations (
           name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const r = await client.query<{ checksum: string }>('SELECT checksum FROM recon_schema_migrations WHERE name = $1', [m.name]);
      const sum = checksum(m.sql);
      if (r.rows[0] !== undefined) {
        if (r.rows[0].checksum !== sum) throw new MigrationError(`migration ${m.name} was applied with different text; add a new migration instead of editing it`);
        return false;
      }
      await client.query(m.sql);
      await client.query('INSERT INTO recon_schema_migrations (name, checksum) VALUES ($1, $2)', [m.name, sum]);
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}
