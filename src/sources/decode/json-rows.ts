/**
 * `json-rows`: rows unwrapped by Debezium's ExtractNewRecordState SMT, with JsonConverter
 * `schemas.enable=false`. The value is the row itself plus metadata fields (RowFieldNames, defaults
 * `__op`, `__lsn`, `__source_ts_ms`, `__deleted`), which are removed from the row's values.
 *
 * - A delete is `__deleted` = "true"/true (or `__op` = "d"): the row is its before image.
 * - Version: `__lsn`, else the second element of `__source_sequence` when configured; else
 *   RECON_DL_MISSING_FIELD naming the lsn field. `__source_ts_ms` is required.
 * - A tombstone (null value) decodes as a TombstoneMessage carrying the key's columns. Produce the
 *   stream with `delete.tombstone.handling.mode=rewrite` or `rewrite-with-tombstone` so every delete
 *   also arrives as a row with `__deleted` and `__lsn`; with mode `tombstone` the tombstone is the
 *   only trace of a delete and has no version (see TombstoneMessage.key).
 * - The SMT drops truncate events, so a truncate is only seen if `__op` = "t" reaches us.
 */
import type { DecodeResult, Op, RawValue } from '../../domain/change.ts';
import { setOwn } from './connect-hints.ts';
import { badValue, deadLetter, internalError, missingField, notJson, provenanceOf, tooLarge } from './dead-letter.ts';
import { tombstoneOf } from './debezium-json.ts';
import { snapshotKind, toVersion } from './envelope.ts';
import { hasInexactInteger, isObject, NOT_EXACT, NOT_JSON, parseJson, parseJsonExact, restoreExactIntegers } from './exact-json.ts';
import { readJsonKey } from './json-key.ts';
import { DEFAULT_ROW_FIELDS, type KafkaRecord, type RowFieldNames, type RowValues } from './types.ts';

export function createJsonRowsDecoder(maxBytes: number, names: Partial<RowFieldNames> = {}): (record: KafkaRecord) => DecodeResult {
  const f: RowFieldNames = { ...DEFAULT_ROW_FIELDS, ...names };
  const meta = new Set(Object.values(f));
  const metaUnderscored = [...meta].every((name) => name.startsWith('_'));

  return function decodeJsonRow(record: KafkaRecord): DecodeResult {
    const provenance = provenanceOf(record);
    try {
      const value = record.value;
      if (value === null) return tombstoneOf(readJsonKey(record.key, maxBytes, false), provenance);
      if (value.length > maxBytes) return tooLarge('value', value.length, maxBytes, provenance);
      const text = value.toString('utf8');
      let row = parseJson(text);
      if (row === NOT_JSON) return notJson('value', value.length, provenance);
      if (!isObject(row)) return deadLetter('RECON_DL_NOT_AN_ENVELOPE', 'value is not a JSON object (a row)', provenance);
      if (hasInexactInteger(row) && restoreExactIntegers(text, row) === NOT_EXACT) row = parseJsonExact(text) as RowValues;
      const r = row as RowValues;

      const deletedFlag = r[f.deleted];
      const deleted = deletedFlag === 'true' || deletedFlag === true;
      const rawOp = r[f.op];
      let op: Op | 't';
      if (rawOp === undefined || rawOp === null) op = deleted ? 'd' : 'u';
      else if (rawOp === 'c' || rawOp === 'u' || rawOp === 'd' || rawOp === 'r' || rawOp === 't') op = deleted ? 'd' : rawOp;
      else return deadLetter('RECON_DL_UNKNOWN_OP', `field "${f.op}" is not one of c, u, d, r, t`, provenance);

      const tsMs = r[f.sourceTsMs];
      if (typeof tsMs !== 'number' || !Number.isFinite(tsMs)) {
        return tsMs === undefined || tsMs === null ? missingField(f.sourceTsMs, provenance) : badValue(f.sourceTsMs, 'a number', provenance);
      }
      if (op === 't') return { kind: 'truncate', sourceTsMs: tsMs, provenance };

      let version: bigint | undefined;
      const lsn = r[f.lsn];
      if (lsn !== undefined && lsn !== null) {
        version = toVersion(lsn);
        if (version === undefined) return badValue(f.lsn, 'a non-negative integer', provenance);
      } else {
        version = sequenceVersion(r[f.sequence]);
        if (version === undefined) return missingField(f.lsn, provenance);
      }

      const snapshotMarker = r[f.snapshot];
      const snapshot = snapshotMarker === undefined ? (op === 'r' ? 'initial' : 'no') : snapshotKind(snapshotMarker);
      const values: RowValues = {};
      for (const k in r) {
        // Metadata names start with `_` by default, so most columns skip the set lookup.
        if (k.charCodeAt(0) === 0x5f || !metaUnderscored) {
          if (meta.has(k)) continue;
          if (k === '__proto__') {
            setOwn(values, k, r[k] as RawValue);
            continue;
          }
        }
        values[k] = r[k] as RawValue;
      }
      const image = { values };
      return {
        kind: 'change',
        op,
        before: op === 'd' ? image : null,
        after: op === 'd' ? null : image,
        version,
        sourceTsMs: tsMs,
        snapshot,
        provenance,
      };
    } catch {
      return internalError(provenance);
    }
  };
}

function sequenceVersion(sequence: unknown): bigint | undefined {
  if (typeof sequence !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(sequence);
    return Array.isArray(parsed) && parsed.length >= 2 ? toVersion(parsed[1]) : undefined;
  } catch {
    return undefined;
  }
}
