-- What the canonical forms need of the server (docs/canonical-form.md): UTF8 (md5() and
-- octet_length() must see the octets the stream side hashes), Postgres 13 or later (trim_scale),
-- and extra_float_digits >= 1 (floats printed as shortest round-trip digits). The audit refuses to
-- compute digests on a server that fails any of them, rather than report false differences.
--
-- Parameters: none.
-- Returns one row: server_encoding (text), server_version_num (integer text), extra_float_digits (integer text).
SELECT current_setting('server_encoding') AS server_encoding,
       current_setting('server_version_num') AS server_version_num,
       current_setting('extra_float_digits') AS extra_float_digits
