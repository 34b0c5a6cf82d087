/**
 * The message key of a JSON stream as a row (e.g. `{"id": 42}`), read only when needed: for a
 * delete without a `before` image and for tombstones. JsonConverter keys with schemas.enable=true
 * are `{schema, payload}`: the payload is the row.
 */
import { hasInexactInteger, isObject, NOT_EXACT, NOT_JSON, parseJson, parseJsonExact, restoreExactIntegers } from './exact-json.ts';
import type { RowValues } from './types.ts';

export function readJsonKey(key: Buffer | null, maxBytes: number, withSchema: boolean): RowValues | null {
  if (key === null || key.length === 0 || key.length > maxBytes) return null;
  const text = key.toString('utf8');
  let parsed = parseJson(text);
  if (parsed === NOT_JSON) return null;
  if (hasInexactInteger(parsed)) {
    parsed = restoreExactIntegers(text, parsed);
    if (parsed === NOT_EXACT) parsed = parseJsonExact(text);
  }
  if (withSchema && isObject(parsed) && 'payload' in parsed) parsed = parsed.payload;
  return isObject(parsed) ? parsed : null;
}
