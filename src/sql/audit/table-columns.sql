-- The columns of one table as the catalogue knows them. The batch audit checks the table and every
-- configured column (key, business day, amounts, hashed columns) against this before any statement
-- names them, so a missing one is a clear error naming it instead of an SQL error; and a column whose
-- type the entity does not declare takes it from here (udt_name through columnTypeFromPg: a domain
-- reports its base type, an enum or array compares as text).
-- information_schema lists only what the audit's role may use, so a table it cannot read is reported
-- as missing rather than failing half-way.
--
-- Parameters (text, matched exactly: no case folding, no quoting needed):
--   $1  schema name
--   $2  table name
-- Returns one row per column, in table order: column_name, udt_name. No row at all: no such table.
-- A table (or view) without columns gives one row of NULLs.
SELECT c.column_name::text AS column_name,
       c.udt_name::text AS udt_name
  FROM information_schema.tables AS t
  LEFT JOIN information_schema.columns AS c
         ON c.table_schema = t.table_schema
        AND c.table_name = t.table_name
 WHERE t.table_schema = $1
   AND t.table_name = $2
 ORDER BY c.ordinal_position
