-- The backfill audit log (invariant 8): one row per event of a batch (started, succeeded, failed,
-- dry-run, pending-approval), appended and never changed. A trigger refuses UPDATE, DELETE and
-- TRUNCATE, so that even a role with those privileges cannot rewrite the history.
-- Unqualified names: the migration runner sets the search_path to the schema it migrates.
CREATE TABLE recon_backfill_audit (
  id           bigserial   PRIMARY KEY,
  batch_id     text        NOT NULL,
  attempt      int         NOT NULL CHECK (attempt >= 1),
  entity       text        NOT NULL,
  from_day     date        NOT NULL,
  to_day       date        NOT NULL CHECK (to_day >= from_day),
  executor     text        NOT NULL,
  -- 'automatic', or the CLI user who asked for the batch.
  trigger      text        NOT NULL,
  status       text        NOT NULL CHECK (status IN ('started', 'succeeded', 'failed', 'dry-run', 'pending-approval')),
  rows_read    bigint      CHECK (rows_read >= 0),
  rows_written bigint      CHECK (rows_written >= 0),
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz CHECK (finished_at >= started_at),
  verification text,
  error        text
);

CREATE INDEX recon_backfill_audit_entity_idx ON recon_backfill_audit (entity, id);
CREATE INDEX recon_backfill_audit_batch_idx ON recon_backfill_audit (batch_id, id);

CREATE FUNCTION recon_backfill_audit_append_only() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'recon_backfill_audit is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER recon_backfill_audit_no_update_delete
  BEFORE UPDATE OR DELETE ON recon_backfill_audit
  FOR EACH ROW EXECUTE FUNCTION recon_backfill_audit_append_only();

CREATE TRIGGER recon_backfill_audit_no_truncate
  BEFORE TRUNCATE ON recon_backfill_audit
  FOR EACH STATEMENT EXECUTE FUNCTION recon_backfill_audit_append_only();
