-- The playbook's per-column compare (outer join on the key, then column by column), for the keys
-- that both sides hold in a day with different row hashes. The two sides live in two databases, so
-- no join can span them: each side returns, per key, the 64-bit hash h(c) of every hashed column
-- (docs/canonical-form.md: the hash of the key, the column name and the canonical value, as
-- 16 hex digits), and the process compares them. Only hashes leave the database; canonical values
-- are returned for the columns the entity marks safe (columns.safe), and for no other.
--
-- Parameters:
--   $1  first date, YYYY-MM-DD (text)
--   $2  last date, YYYY-MM-DD, inclusive (text)
--   $3  the canonical keys to look at (text[])
--   $4  the entity's IANA time zone (text); only when the day column is a timestamptz
-- Placeholders, filled by audit-statements.ts (identifiers quoted there, never raw configuration text):
--   {{table}}    the schema-qualified table
--   {{key}}      the canonical key of a row `t` (length-prefixed canonical values of the key columns)
--   {{day}}      the business day of a row `t`, as a date
--   {{range}}    a bound on the day column itself, one day wider on each side, so an index on it serves
--   {{columns}}  `, left(md5(...), 16) AS h_0, ...` per hashed column (sorted by name), then
--                `, <canonical> AS v_<i>` per safe column i
-- Returns one row per key found among $3 whose business day is in [$1, $2]: key, h_0.., v_<i>..
SELECT k0.k AS key{{columns}}
  FROM {{table}} AS t
 CROSS JOIN LATERAL (SELECT {{key}} AS k) AS k0
 CROSS JOIN LATERAL (SELECT octet_length(k0.k)::text || ':' || k0.k AS kp) AS k1
 WHERE {{range}}
   AND {{day}} BETWEEN $1::date AND $2::date
   AND k0.k = ANY($3::text[])
