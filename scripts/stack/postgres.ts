/**
 * Prepares the machine's Postgres for change-data capture: `wal_level = logical` (a restart) and
 * enough replication slots and WAL senders for the example pipeline plus the tests' own connectors.
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';

/**
 * Tests run several pipelines at once, each with a subscription (a logical replication worker) and
 * Debezium slots; the defaults (4 workers, 8 background processes) make them queue for a worker.
 */
const NEEDED = {
  wal_level: 'logical',
  max_replication_slots: 40,
  max_wal_senders: 40,
  max_worker_processes: 32,
  max_logical_replication_workers: 16,
} as const;
const NUMERIC = ['max_replication_slots', 'max_wal_senders', 'max_worker_processes', 'max_logical_replication_workers'] as const;

async function settings(adminUrl: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const r = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('wal_level', 'max_replication_slots', 'max_wal_senders', 'max_worker_processes', 'max_logical_replication_workers', 'cluster_name')`,
    );
    return Object.fromEntries(r.rows.map((row) => [row.name, row.setting]));
  } finally {
    await client.end();
  }
}

function needsChange(current: Record<string, string>): string[] {
  const changes: string[] = [];
  if (current.wal_level !== NEEDED.wal_level) changes.push('wal_level');
  for (const name of NUMERIC) if (Number(current[name]) < NEEDED[name]) changes.push(name);
  return changes;
}

/**
 * The command that restarts the cluster. Debian's `pg_ctlcluster` needs the version and cluster
 * name, which the `cluster_name` setting holds as `15/main`; RECON_STACK_PG_RESTART overrides it.
 */
function restartCommand(clusterName: string | undefined): string[] {
  const custom = process.env.RECON_STACK_PG_RESTART;
  if (custom) return ['sh', '-c', custom];
  const match = /^(\d+)\/(.+)$/.exec(clusterName ?? '');
  if (!match) {
    throw new Error(
      `cannot tell how to restart Postgres (cluster_name '${clusterName ?? ''}'); restart it yourself or set RECON_STACK_PG_RESTART`,
    );
  }
  return ['pg_ctlcluster', '--skip-systemctl-redirect', match[1]!, match[2]!, 'restart'];
}

async function waitAnswering(adminUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await settings(adminUrl);
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`Postgres did not come back after restart: ${String(e)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Returns what it changed (empty when Postgres was ready already). */
export async function ensureLogicalReplication(adminUrl: string): Promise<string[]> {
  let current: Record<string, string>;
  try {
    current = await settings(adminUrl);
  } catch (e) {
    throw new Error(
      `Postgres does not answer at ${adminUrl} (${String(e)}). Start it (on Debian: ` +
        `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set RECON_STACK_PG_ADMIN_URL.`,
    );
  }
  const changes = needsChange(current);
  if (changes.length === 0) return [];
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const name of changes) {
      await client.query(`ALTER SYSTEM SET ${name} = ${pg.escapeLiteral(String(NEEDED[name as keyof typeof NEEDED]))}`);
    }
  } finally {
    await client.end();
  }
  const [cmd, ...args] = restartCommand(current.cluster_name);
  execFileSync(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitAnswering(adminUrl, 30_000);
  const after = needsChange(await settings(adminUrl));
  if (after.length > 0) throw new Error(`Postgres restarted but still has the old ${after.join(', ')}`);
  return changes;
}
