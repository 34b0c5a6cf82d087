/**
 * The audit's SQL files as statements: placeholders filled only with quoted identifiers and
 * generated expressions, parameters for everything else (B14); and the driver configuration of an
 * audited database (password, TLS like verify-full, nothing printed).
 */
import { describe, expect, test } from 'vitest';
import { AuditError } from '../../src/audit/audit-error.ts';
import { describeDatabase, postgresClientConfig } from '../../src/audit/postgres-connection.ts';
import type { DatabaseConfig } from '../../src/config/index.ts';
import {
  columnHashesQuery,
  daySumsQuery,
  fillTemplate,
  parseDaySums,
  tableColumnsQuery,
  unsupportedServer,
} from '../../src/sql/audit/audit-statements.ts';

const WEIRD = { schema: 'my schema', name: 'we"ird; name' };

describe('fillTemplate', () => {
  test('drops comment lines, fills every placeholder once, and inserted text is never re-scanned', () => {
    expect(fillTemplate('-- header\nSELECT {{a}} FROM {{b}}', { a: '{{b}}', b: 't' })).toBe('SELECT {{b}} FROM t');
  });

  test('refuses an unfilled placeholder and an unused fill, so a template and its filler cannot drift apart', () => {
    expect(() => fillTemplate('SELECT {{a}}', {}, 'x.sql')).toThrow('x.sql: no value for the placeholder {{a}}');
    expect(() => fillTemplate('SELECT 1', { a: '1' }, 'x.sql')).toThrow('x.sql: no placeholder for a');
  });
});

describe('the statements', () => {
  test('the catalogue query takes schema and table as parameters, spelt exactly', () => {
    const q = tableColumnsQuery(WEIRD);
    expect(q.values).toEqual(['my schema', 'we"ird; name']);
    expect(q.text).toContain('information_schema.columns');
    expect(q.text).not.toContain('we"ird');
  });

  test('day sums: quoted identifiers, scaled sums, the zone as a parameter for a timestamptz day', () => {
    const q = daySumsQuery({
      entity: { dayColumn: 'Created "At"', timeZone: 'Asia/Bangkok', amounts: [{ column: 'Amount Due', scale: 2 }, { column: 'qty', scale: 0 }] },
      table: WEIRD,
      dayType: 'timestamptz',
      fromDay: '2026-03-01',
      toDay: '2026-03-02',
    });
    expect(q.values).toEqual(['2026-03-01', '2026-03-02', 'Asia/Bangkok']);
    expect(q.text).toContain('FROM "my schema"."we""ird; name" AS t');
    expect(q.text).toContain('(t."Created ""At""" AT TIME ZONE $3::text)::date');
    expect(q.text).toContain('t."Amount Due"::numeric AS a0');
    expect(q.text).toContain('trim_scale(coalesce(sum(r.a0), 0) * 100)::text AS amount_0');
    expect(q.text).toContain('trim_scale(coalesce(sum(r.a1), 0) * 1)::text AS amount_1');
    expect(q.text).not.toContain('{{');
    const dated = daySumsQuery({ entity: { dayColumn: 'd', timeZone: 'UTC', amounts: [{ column: 'a', scale: 1 }] }, table: WEIRD, dayType: 'date', fromDay: '2026-03-01', toDay: '2026-03-01' });
    expect(dated.values).toEqual(['2026-03-01', '2026-03-01']);
  });

  test('day sums are read as exact integers; a fraction left means a value beyond the scale', () => {
    expect(parseDaySums({ day: '2026-03-01', amount_0: '-1050', amount_1: '3' }, 2)).toEqual([-1050n, 3n]);
    expect(parseDaySums({ day: '2026-03-01', amount_0: '1050.5' }, 1)).toBeNull();
  });

  test('column hashes: one hash per hashed column with its name as a quoted literal, values only for safe columns, keys as an array parameter', () => {
    const q = columnHashesQuery({
      entity: { key: ['Order ID'], dayColumn: 'd', timeZone: 'UTC', safeColumns: ["it's safe"] },
      table: WEIRD,
      typeOf: (c) => (c === 'Order ID' ? 'integer' : c === 'd' ? 'date' : 'text'),
      dayType: 'date',
      hashedColumns: ['Order ID', 'd', "it's safe", 'secret\\col'],
      fromDay: '2026-03-01',
      toDay: '2026-03-01',
      keys: ['1:1', '1:2'],
    });
    expect(q.values).toEqual(['2026-03-01', '2026-03-01', ['1:1', '1:2']]);
    expect(q.safeIndexes).toEqual([2]);
    expect(q.text).toContain(`k1.kp || '8:Order ID' || coalesce('v' || t."Order ID"::text, 'n')), 16) AS h_0`);
    expect(q.text).toContain(`'9:it''s safe'`);
    expect(q.text).toContain(`E'10:secret\\\\col'`);
    expect(q.text).toContain(`t."it's safe"::text AS v_2`);
    expect(q.text).not.toMatch(/AS v_[013]/);
    expect(q.text).toContain('k0.k = ANY($3::text[])');
  });

  test('the server must be UTF8, Postgres 13+, extra_float_digits >= 1', () => {
    expect(unsupportedServer({ server_encoding: 'UTF8', server_version_num: '150020', extra_float_digits: '1' })).toBeUndefined();
    expect(unsupportedServer({ server_encoding: 'LATIN1', server_version_num: '150020', extra_float_digits: '1' })).toMatch(/not UTF8/);
    expect(unsupportedServer({ server_encoding: 'UTF8', server_version_num: '120010', extra_float_digits: '1' })).toMatch(/older than 13/);
    expect(unsupportedServer({ server_encoding: 'UTF8', server_version_num: '150020', extra_float_digits: '0' })).toMatch(/below 1/);
  });
});

describe('the driver configuration of an audited database', () => {
  const database = (patch: Partial<DatabaseConfig> = {}): DatabaseConfig => ({
    url: 'postgres://recon@db.internal:5433/app?sslmode=disable&application_name=x',
    schema: 'public',
    table: 'orders',
    tls: { enabled: false, rejectUnauthorized: true },
    ...patch,
  });

  test('the password goes into the URL (which the driver reads last), encoded', () => {
    const config = postgresClientConfig('a', database({ password: 'p@ss:w/rd%41' }));
    const url = new URL(config.connectionString!);
    expect(decodeURIComponent(url.password)).toBe('p@ss:w/rd%41');
    expect(url.username).toBe('recon');
    expect(config.ssl).toBeUndefined();
    expect(config.options).toBe('-c extra_float_digits=1');
  });

  test('TLS: verified against the CA file and the host name (verify-full); the URL\'s ssl parameters are dropped', () => {
    const files: string[] = [];
    const config = postgresClientConfig('b', database({ tls: { enabled: true, rejectUnauthorized: true, ca: '/etc/ca.pem' } }), (path) => {
      files.push(path);
      return Buffer.from('PEM');
    });
    expect(files).toEqual(['/etc/ca.pem']);
    expect(config.ssl).toEqual({ rejectUnauthorized: true, ca: Buffer.from('PEM') });
    expect(config.connectionString).toBe('postgres://recon@db.internal:5433/app?application_name=x');
  });

  test('an unreadable TLS file or an unparsable URL is an error naming the field, never the URL', () => {
    const unreadable = () =>
      postgresClientConfig('b', database({ tls: { enabled: true, rejectUnauthorized: true, ca: '/none.pem' } }), () => {
        throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      });
    expect(unreadable).toThrow(AuditError);
    expect(unreadable).toThrow('side B: cannot read database.tls.ca /none.pem (ENOENT)');
    const bad = () => postgresClientConfig('a', database({ url: 'postgres://u:secret-pw@[bad' }));
    expect(bad).toThrow('side A: database.url is not a valid URL');
    expect(bad).not.toThrow(/secret-pw/);
  });

  test('describeDatabase shows host, port and database only', () => {
    expect(describeDatabase('postgres://recon:pw@db.internal:5433/app?password=x')).toBe('db.internal:5433/app');
    expect(describeDatabase('postgres://db.internal')).toBe('db.internal');
  });
});
