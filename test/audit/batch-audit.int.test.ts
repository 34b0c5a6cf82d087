/**
 * The batch audit (`cdc-reconciler audit`) on real Postgres: a pipeline with known differences made
 * on B behind replication's back is reported exactly (counts, sums, keys only in A or B, the
 * differing columns), beside the reconciler's streaming state, which equals SQL bit for bit; names
 * that need quoting (B14) are quoted, and a missing table or column is a clear error naming it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { describe, expect, onTestFinished, test } from 'vitest';
import { stringify } from 'yaml';
import { AuditError } from '../../src/audit/audit-error.ts';
import { type BatchAuditReport, runBatchAudit } from '../../src/audit/batch-audit.ts';
import type { CommandIo } from '../../src/cli/command.ts';
import { ExitCode } from '../../src/cli/exit-codes.ts';
import { keyPresenter } from '../../src/compare/mismatch-factory.ts';
import { type ReconcilerConfig, validateConfig } from '../../src/config/index.ts';
import { main } from '../../src/main.ts';
import type { ColumnType, EntityModel } from '../../src/domain/entity.ts';
import { addHash, canonicalKey, columnHash } from '../../src/normalize/hash.ts';
import { columnHashesQuery } from '../../src/sql/audit/audit-statements.ts';
import { quoteIdentifier, rowHashSql } from '../../src/sql/day-digest.ts';
import { entityKeys } from '../../src/state/redis/keys.ts';
import { DAYS, insertOrders } from '../harness/orders-data.ts';
import { createTestPipeline } from '../harness/pipeline.ts';
import { startTestReconciler, testConfig } from '../harness/reconciler.ts';
import { eventually, pgClient, stack, uniqueName } from '../harness/resources.ts';

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

function configFile(config: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'recon-audit-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'reconciler.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/** Runs `cdc-reconciler audit ...` in this process; returns the exit code, the output, and the parsed JSON when --json. */
async function audit(file: string, ...args: string[]): Promise<{ code: number; out: string; err: string; report: BatchAuditReport }> {
  const io = capture();
  const code = await main(['audit', '--config', file, ...args], io);
  const out = io.stdout.join('\n');
  return { code, out, err: io.stderr.join('\n'), report: args.includes('--json') && code <= 1 ? (JSON.parse(out) as BatchAuditReport) : (undefined as never) };
}

/** The test pipeline's configuration with both sides' databases (and `columns` merged over the entity's). */
function auditConfig(base: ReconcilerConfig, table: string, columns: object = {}): ReconcilerConfig {
  const input = structuredClone(base) as unknown as { entities: Record<string, Record<string, Record<string, unknown>>>[] };
  const entity = input.entities[0]!;
  entity.columns = { ...entity.columns, ...columns };
  entity.sources!.a!.database = { url: stack().pgUrlA, table };
  entity.sources!.b!.database = { url: stack().pgUrlB, table };
  return validateConfig(input);
}

/** Exact count and sum of one day of a test orders table, straight from SQL (the playbook's patterns 1 and 2). */
async function countAndSum(db: pg.Client, table: string, day: string): Promise<{ count: string; sum: string }> {
  const r = await db.query(
    `SELECT count(*)::text AS count, coalesce(sum(amount), 0)::numeric(20, 2)::text AS sum FROM ${quoteIdentifier(table)} WHERE created_at >= $1::date AND created_at < $1::date + 1`,
    [day],
  );
  return r.rows[0] as { count: string; sum: string };
}

describe('the batch audit on a real pipeline', () => {
  test('reports exactly the differences made on B, beside a stream that equals SQL; exit 1, and 0 on an equal day', async () => {
    const p = await createTestPipeline();
    // Both sides are written directly, with the same rows: the test needs no logical-replication
    // worker (a scarce resource on a shared server), only the two Debezium connectors.
    await p.pauseReplication();
    await eventually('the replication workers stopped', async () => {
      const r = await p.b.query('SELECT count(*)::int AS n FROM pg_stat_subscription WHERE subname = $1 AND pid IS NOT NULL', [`${p.table}_sub`]);
      return r.rows[0].n === 0 ? true : undefined;
    });
    await insertOrders(p.a, p.table, 200);
    await insertOrders(p.b, p.table, 200);
    const config = auditConfig(testConfig(p, { graceMs: 1000 }), p.table, { safe: ['status'] });
    await startTestReconciler(config);
    const file = configFile(config);
    const range = { entity: 'orders', fromDay: DAYS[0]!, toDay: DAYS[4]!, stream: true, maxKeys: 10 };
    const streamCaughtUp = async () => {
      const r = await runBatchAudit(config, range);
      return r.verdicts.streamAgreesWithSql.a && r.verdicts.streamAgreesWithSql.b ? r : undefined;
    };

    // Equal sides: A and B agree in SQL, and the stream equals SQL on both.
    await eventually('the stream state equal to SQL', streamCaughtUp, 60_000);
    const equal = await audit(file, '--entity', 'orders', '--day', DAYS[0]!, '--to', DAYS[4]!, '--json');
    expect(equal.code).toBe(ExitCode.ok);
    expect(equal.report.verdicts).toEqual({ sqlAgrees: true, streamAgreesWithSql: { a: true, b: true }, ok: true });
    expect(equal.report.hashedColumnsFrom).toBe('stream');
    expect(equal.report.hashedColumns).toEqual(['amount', 'created_at', 'customer_email', 'notes', 'order_id', 'status']);
    expect(equal.report.days.map((d) => [d.day, d.sql.a.count, d.sql.b.count, d.keysCompared])).toEqual(DAYS.map((d) => [d, '40', '40', false]));

    // Differences made on B only (insertOrders puts id n on DAYS[(n - 1) % 5]).
    await p.b.query(`DELETE FROM ${quoteIdentifier(p.table)} WHERE order_id = 7`); // 2026-03-02
    await p.b.query(`UPDATE ${quoteIdentifier(p.table)} SET amount = amount + 1 WHERE order_id = 8`); // 2026-03-03
    await p.b.query(
      `INSERT INTO ${quoteIdentifier(p.table)} (order_id, customer_email, created_at, amount, status) VALUES (900000001, 'extra@example.test', '2026-03-04T12:00:00Z', 1.00, 'new')`,
    );
    await p.b.query(`UPDATE ${quoteIdentifier(p.table)} SET status = 'paid' WHERE order_id = 10`); // 2026-03-05, was 'new'
    await eventually('the stream state equal to SQL after the changes on B', async () => {
      const r = await streamCaughtUp();
      return r && !r.verdicts.sqlAgrees ? r : undefined;
    }, 60_000);

    const drift = await audit(file, '--entity', 'orders', '--day', DAYS[0]!, '--to', DAYS[4]!, '--json');
    expect(drift.code).toBe(ExitCode.drift);
    const r = drift.report;
    expect(r.verdicts).toEqual({ sqlAgrees: false, streamAgreesWithSql: { a: true, b: true }, ok: false });
    const byDay = new Map(r.days.map((d) => [d.day, d]));
    const summary = (day: string) => {
      const d = byDay.get(day)!;
      return {
        counts: [d.sql.a.count, d.sql.b.count],
        onlyInA: d.keysOnlyInA,
        onlyInB: d.keysOnlyInB,
        columns: d.valueMismatches.columns,
        sqlAgrees: d.verdicts.sqlAgrees,
      };
    };
    const none = { count: 0, keys: [] };
    expect(summary('2026-03-01')).toEqual({ counts: ['40', '40'], onlyInA: none, onlyInB: none, columns: {}, sqlAgrees: true });
    expect(summary('2026-03-02')).toEqual({ counts: ['40', '39'], onlyInA: { count: 1, keys: [{ mode: 'plain', value: '1:7' }] }, onlyInB: none, columns: {}, sqlAgrees: false });
    expect(summary('2026-03-03')).toEqual({ counts: ['40', '40'], onlyInA: none, onlyInB: none, columns: { amount: 1 }, sqlAgrees: false });
    expect(summary('2026-03-04')).toEqual({
      counts: ['40', '41'],
      onlyInA: none,
      onlyInB: { count: 1, keys: [{ mode: 'plain', value: '9:900000001' }] },
      columns: {},
      sqlAgrees: false,
    });
    expect(summary('2026-03-05')).toEqual({ counts: ['40', '40'], onlyInA: none, onlyInB: none, columns: { status: 1 }, sqlAgrees: false });
    expect(byDay.get('2026-03-03')!.valueMismatches.keys).toEqual([{ key: { mode: 'plain', value: '1:8' }, columns: ['amount'] }]);
    // status is a safe column: its values may be shown; amount is not.
    expect(byDay.get('2026-03-05')!.valueMismatches.keys).toEqual([
      { key: { mode: 'plain', value: '2:10' }, columns: ['status'], safeValues: { status: { a: 'new', b: 'paid' } } },
    ]);
    // Counts and sums are the playbook's count and sum reconciliation, exactly.
    for (const d of r.days) {
      for (const [side, db] of [['a', p.a], ['b', p.b]] as const) {
        const want = await countAndSum(db, p.table, d.day);
        expect([d.sql[side].count, d.sql[side].sums.amount], `${side} ${d.day}`).toEqual([want.count, want.sum]);
        expect(d.stream![side]).toEqual(d.sql[side]);
      }
    }
    expect(Number(byDay.get('2026-03-03')!.sql.b.sums.amount) - Number(byDay.get('2026-03-03')!.sql.a.sums.amount)).toBeCloseTo(1, 6);
    expect(drift.out).not.toMatch(/@example\.test/);

    const table = await audit(file, '--entity', 'orders', '--day', DAYS[0]!, '--to', DAYS[4]!);
    expect(table.code).toBe(ExitCode.drift);
    expect(table.out).toMatch(/2026-03-01\s+40\s+40\s+\S+\s+\S+\s+equal\s+0\s+0\s+-\s+yes\s+yes/);
    expect(table.out).toMatch(/2026-03-02\s+40\s+39\s+\S+\s+\S+\s+DIFFERS\s+1\s+0\s+-\s+yes\s+yes/);
    expect(table.out).toMatch(/2026-03-03\s+40\s+40\s+\S+\s+\S+\s+DIFFERS\s+0\s+0\s+amount\(1\)\s+yes\s+yes/);
    expect(table.out).toMatch(/2026-03-04 only in B: 1\n {2}plain:9:900000001/);
    expect(table.out).toContain('2:10  status  (status: A "new", B "paid")');
    expect(table.out).toContain('A and B DIFFER in SQL; the stream equals SQL on both sides');
    expect(table.out).not.toMatch(/@example\.test/);

    const oneDay = await audit(file, '--entity', 'orders', '--day', '2026-03-01');
    expect(oneDay.code).toBe(ExitCode.ok);
    expect(oneDay.out).toContain('A and B agree in SQL; the stream equals SQL on both sides');
  });
});

/** A schema of its own on both databases, dropped when the test finishes. */
async function schemaOnBothSides(): Promise<{ schema: string; a: pg.Client; b: pg.Client }> {
  const schema = uniqueName('audit');
  const a = await pgClient('a');
  const b = await pgClient('b');
  for (const db of [a, b]) {
    await db.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    onTestFinished(async () => void (await db.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`)));
  }
  return { schema, a, b };
}

const WEIRD_TABLE = 'we"ird; name';
const SECRET = 'audit-test-hmac-secret-0123';

function weirdConfig(schema: string, patch: { entity?: object; a?: object; b?: object; redis?: object } = {}): Record<string, unknown> {
  return {
    kafka: { brokers: stack().kafkaBrokers.split(',') },
    redis: { url: stack().redisUrl, keyPrefix: uniqueName('ra'), shards: 2, ...patch.redis },
    keys: { mode: 'hmac', hmacSecret: SECRET },
    entities: [
      {
        name: 'weird',
        key: ['Order ID'],
        businessDay: { column: 'Created "At"', timeZone: 'Asia/Bangkok' },
        amounts: [{ column: 'Amount Due', scale: 2 }],
        sources: {
          a: { topic: 'a.weird', database: { url: stack().pgUrlA, schema, table: WEIRD_TABLE, ...patch.a } },
          b: { topic: 'b.weird', database: { url: stack().pgUrlB, schema, table: WEIRD_TABLE, ...patch.b } },
        },
        ...patch.entity,
      },
    ],
  };
}

describe('names that need quoting, and catalogue errors (B14)', () => {
  test('a table and columns with quotes, spaces and semicolons are quoted, not injected', async () => {
    const { schema, a, b } = await schemaOnBothSides();
    const t = `${quoteIdentifier(schema)}.${quoteIdentifier(WEIRD_TABLE)}`;
    for (const db of [a, b]) {
      await db.query(
        `CREATE TABLE ${t} ("Order ID" bigint PRIMARY KEY, "Created ""At""" timestamptz NOT NULL, "Amount Due" numeric(12, 2), "note; DROP TABLE x" text)`,
      );
      // 23:30 UTC is the next morning in Bangkok (+07:00): those rows belong to the next business day.
      await db.query(
        `INSERT INTO ${t} SELECT i, timestamptz '2026-03-01 10:00:00+00' + (i % 2) * interval '13 hours 30 minutes', i * 1.25, 'n' || i FROM generate_series(1, 20) AS i`,
      );
    }
    await b.query(`UPDATE ${t} SET "Amount Due" = "Amount Due" + 0.01 WHERE "Order ID" = 4`); // 2026-03-01 in Bangkok
    await b.query(`DELETE FROM ${t} WHERE "Order ID" = 5`); // 23:30 UTC: 2026-03-02 in Bangkok
    await b.query(`UPDATE ${t} SET "note; DROP TABLE x" = 'changed' WHERE "Order ID" = 6`);

    const file = configFile(weirdConfig(schema));
    const r = await audit(file, '--entity', 'weird', '--day', '2026-03-01', '--to', '2026-03-02', '--json', '--no-stream');
    expect(r.err).toBe('');
    expect(r.code).toBe(ExitCode.drift);
    expect(r.report.stream).toEqual({ status: 'skipped' });
    expect(r.report.tables.a.table).toBe(`${quoteIdentifier(schema)}."we""ird; name"`);
    expect(r.report.hashedColumnsFrom).toBe('catalogue');
    expect(r.report.hashedColumns).toEqual(['Amount Due', 'Created "At"', 'Order ID', 'note; DROP TABLE x']);
    const [first, second] = r.report.days;
    expect([first!.day, first!.sql.a.count, first!.sql.b.count, first!.sql.a.sums['Amount Due'], first!.sql.b.sums['Amount Due']]).toEqual([
      '2026-03-01', '10', '10', '137.50', '137.51',
    ]);
    expect(first!.valueMismatches.columns).toEqual({ 'Amount Due': 1, 'note; DROP TABLE x': 1 });
    expect(second!.sql.a.count).toBe('10');
    expect(second!.sql.b.count).toBe('9');
    // Keys are shown as HMACs (keys.mode hmac), never in the clear.
    const hmac = keyPresenter('hmac', SECRET);
    expect(second!.keysOnlyInA.keys).toEqual([hmac('weird', canonicalKey(['5']))]);
    expect(JSON.stringify(r.report)).not.toContain(JSON.stringify(canonicalKey(['5'])));
    // The tables are intact: nothing was executed from a name.
    expect((await a.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n).toBe(20);

    // The stream's fixed column list, when Redis has one, is the list SQL hashes: without the note column, only the amount differs.
    const config = weirdConfig(schema);
    const redis = new Redis(stack().redisUrl);
    onTestFinished(() => redis.disconnect());
    const prefix = (config.redis as { keyPrefix: string }).keyPrefix;
    const columnsKey = entityKeys(prefix, 'weird').columns;
    await redis.set(columnsKey, JSON.stringify(['Amount Due', 'Created "At"', 'Order ID']));
    onTestFinished(async () => void (await redis.del(columnsKey)));
    const withStream = await audit(configFile(config), '--entity', 'weird', '--day', '2026-03-01', '--json');
    expect(withStream.report.hashedColumnsFrom).toBe('stream');
    expect(withStream.report.hashedColumns).toEqual(['Amount Due', 'Created "At"', 'Order ID']);
    expect(withStream.report.days[0]!.valueMismatches.columns).toEqual({ 'Amount Due': 1 });
    // No stream state was ever written for this entity: the stream is empty, so it differs from SQL.
    expect(withStream.report.verdicts.streamAgreesWithSql).toEqual({ a: false, b: false });
    expect(withStream.code).toBe(ExitCode.drift);
  });

  test('a missing column or table is a clear error naming it (exit 78); a side without a database section too', async () => {
    const { schema, a, b } = await schemaOnBothSides();
    const t = `${quoteIdentifier(schema)}.${quoteIdentifier(WEIRD_TABLE)}`;
    await a.query(`CREATE TABLE ${t} ("Order ID" bigint PRIMARY KEY, "Created ""At""" timestamptz NOT NULL, "Amount Due" numeric(12, 2))`);
    await b.query(`CREATE TABLE ${t} ("Order ID" bigint PRIMARY KEY, "Created ""At""" timestamptz NOT NULL, "Amount  Due" numeric(12, 2))`);

    const column = await audit(configFile(weirdConfig(schema)), '--entity', 'weird', '--day', '2026-03-01', '--no-stream');
    expect(column.code).toBe(ExitCode.config);
    expect(column.err).toContain(`side B: the amount column "Amount Due" is not a column of ${quoteIdentifier(schema)}."we""ird; name"`);
    expect(column.err).not.toContain('side A');

    const config = validateConfig(weirdConfig(schema, { b: { table: 'no such table' } }));
    await expect(runBatchAudit(config, { entity: 'weird', fromDay: '2026-03-01', toDay: '2026-03-01', stream: false, maxKeys: 10 })).rejects.toMatchObject({
      code: 'RECON_AUDIT_NO_TABLE',
      retriable: false,
    });
    const table = await audit(configFile(weirdConfig(schema, { b: { table: 'no such table' } })), '--entity', 'weird', '--day', '2026-03-01', '--no-stream');
    expect(table.code).toBe(ExitCode.config);
    expect(table.err).toContain(`side B: table ${quoteIdentifier(schema)}."no such table" not found`);

    const noDatabase = weirdConfig(schema);
    delete ((noDatabase.entities as Record<string, Record<string, Record<string, unknown>>>[])[0]!.sources!.a!).database;
    const missing = await audit(configFile(noDatabase), '--entity', 'weird', '--day', '2026-03-01');
    expect(missing.code).toBe(ExitCode.config);
    expect(missing.err).toContain('entities[0].sources.a.database is not configured');
  });

  test('Redis unreachable: SQL alone decides and says so; an unreachable database exits 69 without printing the password', async () => {
    const { schema, a, b } = await schemaOnBothSides();
    const t = `${quoteIdentifier(schema)}.${quoteIdentifier(WEIRD_TABLE)}`;
    for (const db of [a, b]) {
      await db.query(`CREATE TABLE ${t} ("Order ID" bigint PRIMARY KEY, "Created ""At""" timestamptz NOT NULL, "Amount Due" numeric(12, 2))`);
      await db.query(`INSERT INTO ${t} VALUES (1, '2026-03-01 01:00:00+00', 10.5)`);
    }
    const noRedis = await audit(
      configFile(weirdConfig(schema, { redis: { url: 'redis://127.0.0.1:1' } })),
      '--entity', 'weird', '--day', '2026-03-01',
    );
    expect(noRedis.code).toBe(ExitCode.ok);
    expect(noRedis.out).toMatch(/stream: not compared: Redis unavailable \(Redis did not answer within 3000 ms\); SQL only/);
    expect(noRedis.out).toContain('A and B agree in SQL');

    const down = await audit(
      configFile(weirdConfig(schema, { b: { url: 'postgres://auditor:hunter2-secret@127.0.0.1:1/recon_b', password: 'another-secret' } })),
      '--entity', 'weird', '--day', '2026-03-01', '--no-stream',
    );
    expect(down.code).toBe(ExitCode.unavailable);
    expect(down.err).toContain('side B database 127.0.0.1:1/recon_b: ');
    expect(down.err).toContain('ECONNREFUSED');
    expect(down.err).not.toMatch(/hunter2|another-secret|auditor/);

    // TLS required, against a server without it: refused with a clear error (never silently in the clear).
    const tls = await audit(configFile(weirdConfig(schema, { a: { tls: { enabled: true } } })), '--entity', 'weird', '--day', '2026-03-01', '--no-stream');
    expect(tls.code).toBe(ExitCode.unavailable);
    expect(tls.err).toMatch(/side A database \S+: The server does not support SSL connections/);
  });
});

describe('the per-column statement', () => {
  test('its column hashes are the stream\'s h(c) and add up to the row hash of rowHashSql', async () => {
    const { schema, a } = await schemaOnBothSides();
    const table = { schema, name: WEIRD_TABLE };
    const t = `${quoteIdentifier(schema)}.${quoteIdentifier(WEIRD_TABLE)}`;
    await a.query(`CREATE TABLE ${t} ("Order ID" bigint PRIMARY KEY, day date, amount numeric(12, 2), "it's safe" text, maybe boolean)`);
    await a.query(`INSERT INTO ${t} VALUES (42, '2026-03-01', 10.50, 'shown', NULL), (43, '2026-03-01', -0.00, 'x', true), (44, '2026-03-02', 1, 'y', false)`);
    const model: EntityModel = {
      name: 'weird', key: ['Order ID'], dayColumn: 'day', timeZone: 'UTC', amounts: [{ column: 'amount', scale: 2 }],
      hashColumns: 'all', excludeColumns: [], safeColumns: ["it's safe"], columns: {}, toastColumns: [], decimalHandling: 'string',
    };
    const types: Record<string, ColumnType> = { 'Order ID': 'integer', day: 'date', amount: 'decimal', "it's safe": 'text', maybe: 'boolean' };
    const rows = rowHashSql(model, table, types, 'days');
    const byKey = new Map((await a.query(rows.text, rows.values('2026-03-01', '2026-03-01'))).rows.map((r) => [r.key as string, BigInt(r.row_hash)]));
    const q = columnHashesQuery({
      entity: model, table, typeOf: (c) => types[c]!, dayType: 'date', hashedColumns: rows.hashedColumns,
      fromDay: '2026-03-01', toDay: '2026-03-01', keys: ['2:42', '2:43', '2:44'],
    });
    const result = (await a.query(q.text, q.values)).rows;
    expect(result.map((r) => r.key).sort()).toEqual(['2:42', '2:43']); // 44 is another day
    const r42 = result.find((r) => r.key === '2:42')!;
    // docs/canonical-form.md's example: key 42, column amount, value 10.5.
    expect(r42[`h_${rows.hashedColumns.indexOf('amount')}`]).toBe('1168ef1d1dba8db9');
    expect(r42[`h_${rows.hashedColumns.indexOf('maybe')}`]).toBe(columnHash('2:42', 'maybe', null).toString(16).padStart(16, '0'));
    expect(r42[`v_${rows.hashedColumns.indexOf("it's safe")}`]).toBe('shown');
    for (const r of result) {
      const sum = rows.hashedColumns.reduce((acc, _, i) => addHash(acc, BigInt(`0x${r[`h_${i}`]}`)), 0n);
      expect(sum, r.key).toBe(byKey.get(r.key));
    }
  });
});

test('AuditError carries a stable code and a retriable flag', () => {
  expect(new AuditError('RECON_AUDIT_UNAVAILABLE', 'x')).toMatchObject({ code: 'RECON_AUDIT_UNAVAILABLE', retriable: true });
  expect(new AuditError('RECON_AUDIT_NO_COLUMN', 'x')).toMatchObject({ code: 'RECON_AUDIT_NO_COLUMN', retriable: false });
});
