-- Debezium's source signalling table (side A only): a row of type `execute-snapshot` here makes the
-- connector re-read a window of rows. The `data` column is limited to 2048 characters by convention.
CREATE TABLE IF NOT EXISTS public.debezium_signal (
  id   varchar(42) PRIMARY KEY,
  type varchar(32) NOT NULL,
  data varchar(2048)
);
