/**
 * The append-only backfill audit log (invariant 8) in Postgres: `append` adds one record, `history`
 * reads an entity's records (optionally one batch's) in the order they were written. The table
 * (migrations/001_backfill_audit.sql) refuses UPDATE and DELETE, so a record, once written, stays.
 */
import { dayToIso } from '../../normalize/days.ts';
import { quoteIdentifier } from '../../sql/day-digest.ts';
import type { Db } from './session.ts';

export const AUDIT_STATUSES = ['started', 'succeeded', 'failed', 'dry-run', 'pending-approval'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

export interface AuditRecord {
  batchId: string;
  /** 1 for the first attempt of a batch, one more for each retry under the same id. */
  attempt: number;
  entity: string;
  /** Business days, ISO dates (or days since 1970-01-01), both inclusive. */
  fromDay: string | number;
  toDay: string | number;
  /** e.g. `sql-copy`, `debezium-signal`, `command`. */
  executor: string;
  /** `automatic`, or the user who ran the CLI. */
  trigger: string;
  status: AuditStatus;
  rowsRead?: bigint;
  rowsWritten?: bigint;
  startedAt: Date;
  finishedAt?: Date;
  /** The verification's outcome in words (e.g. `B converged to A`), when there was one. */
  verification?: string;
  error?: string;
}

export interface StoredAuditRecord extends Omit<AuditRecord, 'fromDay' | 'toDay'> {
  id: bigint;
  fromDay: string;
  toDay: string;
}

export interface AuditLogOptions {
  /** The schema migrate() created the table in; default `public`. */
  schema?: string;
}

interface Row {
  id: string;
  batch_id: string;
  attempt: number;
  entity: string;
  from_day: string;
  to_day: string;
  executor: string;
  trigger: string;
  status: AuditStatus;
  rows_read: string | null;
  rows_written: string | null;
  started_at: Date;
  finished_at: Date | null;
  verification: string | null;
  error: string | null;
}

const iso = (day: string | number): string => (typeof day === 'number' ? dayToIso(day) : day);

export class BackfillAuditLog {
  readonly #db: Db;
  readonly #table: string;

  constructor(db: Db, options: AuditLogOptions = {}) {
    this.#db = db;
    this.#table = `${quoteIdentifier(options.schema ?? 'public')}.recon_backfill_audit`;
  }

  /** Appends one record; returns its id. */
  async append(record: AuditRecord): Promise<bigint> {
    if (!(AUDIT_STATUSES as readonly string[]).includes(record.status)) throw new RangeError(`unknown audit status ${record.status}`);
    const r = await this.#db.query<{ id: string }>(
      `INSERT INTO ${this.#table}
         (batch_id, attempt, entity, from_day, to_day, executor, trigger, status, rows_read, rows_written, started_at, finished_at, verification, error)
       VALUES ($1, $2, $3, $4::date, $5::date, $6, $7, $8, $9::bigint, $10::bigint, $11, $12, $13, $14)
       RETURNING id::text AS id`,
      [
        record.batchId,
        record.attempt,
        record.entity,
        iso(record.fromDay),
        iso(record.toDay),
        record.executor,
        record.trigger,
        record.status,
        record.rowsRead?.toString() ?? null,
        record.rowsWritten?.toString() ?? null,
        record.startedAt,
        record.finishedAt ?? null,
        record.verification ?? null,
        record.error ?? null,
      ],
    );
    return BigInt(r.rows[0]!.id);
  }

  /** An entity's records, oldest first; with `batchId`, only that batch's. */
  async history(entity: string, filter: { batchId?: string } = {}): Promise<StoredAuditRecord[]> {
    const values: string[] = [entity];
    let where = 'entity = $1';
    if (filter.batchId !== undefined) {
      values.push(filter.batchId);
      where += ' AND batch_id = $2';
    }
    const r = await this.#db.query<Row>(
      `SELECT id::text AS id, batch_id, attempt, entity, to_char(from_day, 'YYYY-MM-DD') AS from_day, to_char(to_day, 'YYYY-MM-DD') AS to_day,
              executor, trigger, status, rows_read::text AS rows_read, rows_written::text AS rows_written, started_at, finished_at, verification, error
         FROM ${this.#table} WHERE ${where} ORDER BY id`,
      values,
    );
    return r.rows.map((row) => ({
      id: BigInt(row.id),
      batchId: row.batch_id,
      attempt: row.attempt,
      entity: row.entity,
      fromDay: row.from_day,
      toDay: row.to_day,
      executor: row.executor,
      trigger: row.trigger,
      status: row.status,
      ...(row.rows_read === null ? {} : { rowsRead: BigInt(row.rows_read) }),
      ...(row.rows_written === null ? {} : { rowsWritten: BigInt(row.rows_written) }),
      startedAt: row.started_at,
      ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
      ...(row.verification === null ? {} : { verification: row.verification }),
      ...(row.error === null ? {} : { error: row.error }),
    }));
  }
}
