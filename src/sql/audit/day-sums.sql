-- Sum reconciliation (the playbook's pattern 2): per business day in [$1, $2], the sum of each
-- amount column as an exact integer scaled by 10^scale, the form the streaming state keeps
-- (docs/canonical-form.md, Amounts). NULL adds nothing, as in the stream. A fraction left in a sum
-- means some value has more fraction digits than the scale: the reader refuses it.
-- The audit runs it beside the day-digest statement (src/sql/day-digest.ts, which sums the same
-- way) and checks that both agree on the same snapshot.
--
-- Parameters (all text):
--   $1  first date, YYYY-MM-DD
--   $2  last date, YYYY-MM-DD, inclusive
--   $3  the entity's IANA time zone; only when the day column is a timestamptz
-- Placeholders, filled by audit-statements.ts (identifiers quoted there, never raw configuration text):
--   {{table}}    the schema-qualified table
--   {{day}}      the business day of a row `t`, as a date
--   {{range}}    a bound on the day column itself, one day wider on each side, so an index on it serves
--   {{amounts}}  `, t."col"::numeric AS a0, ...` one per amount column
--   {{sums}}     `, trim_scale(coalesce(sum(r.a0), 0) * 10^scale)::text AS amount_0, ...`
-- Returns one row per day that has rows, in order: day (YYYY-MM-DD), amount_0.. (integer text).
SELECT to_char(r.day, 'YYYY-MM-DD') AS day{{sums}}
  FROM (
    SELECT {{day}} AS day{{amounts}}
      FROM {{table}} AS t
     WHERE {{range}}
  ) AS r
 WHERE r.day BETWEEN $1::date AND $2::date
 GROUP BY r.day
 ORDER BY r.day
