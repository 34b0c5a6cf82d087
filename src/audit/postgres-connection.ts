/**
 * A read-only Postgres session for the batch audit, from one side's `database` section: the
 * password from `password`/`passwordFile` (else the URL's), TLS verified like libpq's
 * `sslmode=verify-full` (the certificate chains to `tls.ca` and names the host), the session
 * settings the canonical forms need, and one REPEATABLE READ snapshot for every statement of the
 * audit, so that counts, sums, digests and keys describe the same rows.
 *
 * Nothing here prints the URL or the password: errors name the side and `host:port/database`.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { DatabaseConfig } from '../config/index.ts';
import type { Side } from '../domain/change.ts';
import { AuditError } from './audit-error.ts';

/** How long a connection attempt may take before the side counts as unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

/** URL parameters that configure TLS in the driver; with `tls.enabled` the section's settings replace them. */
const URL_TLS_PARAMETERS = ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'uselibpqcompat'];

/** `host:port/database` of the URL, without user, password or parameters: safe to print. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}${u.port ? `:${u.port}` : ''}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** The driver's configuration for one side's database. @throws AuditError when a TLS file cannot be read */
export function postgresClientConfig(side: Side, database: DatabaseConfig, readFile: (path: string) => Buffer = readFileSync): pg.ClientConfig {
  let url: URL;
  try {
    url = new URL(database.url);
  } catch {
    // The parser's error carries the input, which may hold a password: name the field only.
    throw new AuditError('RECON_AUDIT_BAD_URL', `side ${side.toUpperCase()}: database.url is not a valid URL`);
  }
  // The driver reads the URL after the other options and lets it win, so the password goes into it.
  if (database.password !== undefined) url.password = encodeURIComponent(database.password);
  let ssl: pg.ClientConfig['ssl'];
  if (database.tls.enabled) {
    for (const name of URL_TLS_PARAMETERS) url.searchParams.delete(name);
    const read = (field: 'ca' | 'cert' | 'key') => {
      const path = database.tls[field];
      if (path === undefined) return {};
      try {
        return { [field]: readFile(path) };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        throw new AuditError('RECON_AUDIT_TLS_FILE', `side ${side.toUpperCase()}: cannot read database.tls.${field} ${path} (${code})`, { cause: e });
      }
    };
    ssl = { rejectUnauthorized: database.tls.rejectUnauthorized, ...read('ca'), ...read('cert'), ...read('key') };
  }
  return {
    connectionString: url.toString(),
    ...(ssl === undefined ? {} : { ssl }),
    application_name: 'cdc-reconciler-audit',
    // The canonical float text needs extra_float_digits >= 1 (docs/canonical-form.md).
    options: '-c extra_float_digits=1',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  };
}

/**
 * Connects and opens the audit's snapshot (`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`,
 * which a hot standby accepts too). The caller ends it with `closeAuditSession`.
 * @throws AuditError RECON_AUDIT_UNAVAILABLE (retriable) when the server cannot be reached, refuses the login or fails TLS verification
 */
export async function openAuditSession(side: Side, database: DatabaseConfig): Promise<pg.Client> {
  const client = new pg.Client(postgresClientConfig(side, database));
  // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new AuditError('RECON_AUDIT_UNAVAILABLE', `side ${side.toUpperCase()} database ${describeDatabase(database.url)}: ${reasonOf(e)}`, { cause: e });
  }
  return client;
}

/** A connection failure in words; an AggregateError (every address of the host refused) has no message of its own. */
function reasonOf(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return e.errors.map(reasonOf).join('; ');
  return e instanceof Error ? e.message || e.name : String(e);
}

/** Ends the snapshot (it changed nothing) and the connection; never throws. */
export async function closeAuditSession(client: pg.Client): Promise<void> {
  await client.query('ROLLBACK').catch(() => undefined);
  await client.end().catch(() => undefined);
}
