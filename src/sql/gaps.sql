-- Row count per business day of one table over a date range, every date included: the playbook's
-- "Identify gap" query (a series of dates LEFT JOINed to the table), so that a date without rows
-- comes back with row_count 0 instead of not at all. The batch cross-check of the gap finder
-- (src/backfill/planner/gap-finder.ts): run on both sides, a date with rows on A and 0 (or too few)
-- on B is a missing (or deficient) day.
--
-- Parameters (all text):
--   $1  first date, YYYY-MM-DD
--   $2  last date, YYYY-MM-DD, inclusive
--   $3  the entity's IANA time zone; only when the day column is a timestamptz
-- Placeholders, filled by src/sql/gaps.ts (identifiers quoted there, never raw configuration text):
--   {{table}}  the schema-qualified table
--   {{day}}    the business day of a row `t`, as a date (the column cut in the entity's time zone)
--   {{range}}  a bound on the day column itself, one day wider on each side, so an index on it serves
-- Returns one row per date in [$1, $2], in order:
--   day        YYYY-MM-DD
--   row_count  integer text (0 for a date without rows)
-- The dates come from an integer series added to $1 (date + integer is a date), so neither the
-- session's TimeZone nor a daylight-saving change at midnight can skip or repeat a date.
WITH dates AS (
  SELECT $1::date + i AS day
    FROM generate_series(0, $2::date - $1::date) AS i
),
counts AS (
  SELECT {{day}} AS day, count(*) AS row_count
    FROM {{table}} AS t
   WHERE {{range}}
   GROUP BY 1
)
SELECT to_char(dates.day, 'YYYY-MM-DD') AS day,
       coalesce(counts.row_count, 0)::text AS row_count
  FROM dates
  LEFT JOIN counts ON counts.day = dates.day
 ORDER BY dates.day
