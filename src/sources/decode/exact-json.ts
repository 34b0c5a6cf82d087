/**
 * JSON parsing that keeps 64-bit integers exact (B12) at the cost of one JSON.parse.
 *
 * JSON.parse rounds integers beyond 2^53. A pre-scan of the text for long digit runs does not pay off
 * with Debezium 3: every envelope carries `ts_ns` (19 digits) and present-day µs timestamps have 16,
 * so nearly every message would take the slow path. Instead the fast path parses plainly and then
 * checks the few places where exactness matters (the row images, the key, `source.lsn`): a number
 * that is an integer but not a safe integer (|n| >= 2^53) can only come from a literal that may have
 * lost digits. Only then is the text parsed again with a reviver that reads the literal's source
 * text (the reviver's third `context` argument, V8 in Node >= 21) and returns a bigint. A float
 * literal (`1.5e300`) stays a number. Envelope fields that are not used (`ts_ns`) may stay rounded.
 */
import type { RawValue } from '../../domain/change.ts';

/** What `parseJson` returns for text that is not JSON; the parser's error text quotes the input, so it is dropped. */
export const NOT_JSON: unique symbol = Symbol('not-json');

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

const INTEGER_LITERAL = /^-?\d+$/;

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const exactReviver: Reviver = (_key, value, context) => {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && Number.isInteger(value)) {
    const source = context?.source;
    if (source !== undefined && INTEGER_LITERAL.test(source)) return BigInt(source);
  }
  return value;
};

/** Parses with every integer literal outside the safe range as a bigint; NOT_JSON if not JSON. */
export function parseJsonExact(text: string): unknown {
  try {
    return JSON.parse(text, exactReviver as (this: unknown, key: string, value: unknown) => unknown);
  } catch {
    return NOT_JSON;
  }
}

/** Bounds the walk below (Debezium rows are flat; a structure this deep is not a row). */
const MAX_DEPTH = 64;

/**
 * Whether `value` holds a number that JSON.parse may have rounded: an integer outside
 * ±(2^53 − 1). Throws RangeError beyond MAX_DEPTH, which callers turn into a dead letter.
 */
export function hasInexactInteger(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return !Number.isSafeInteger(value) && Number.isInteger(value);
  if (value === null || typeof value !== 'object') return false;
  if (depth > MAX_DEPTH) throw new RangeError('nesting too deep');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasInexactInteger(value[i], depth + 1)) return true;
    return false;
  }
  const object = value as Record<string, unknown>;
  for (const k in object) {
    const v = object[k];
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v) && Number.isInteger(v)) return true;
    } else if (v !== null && typeof v === 'object' && hasInexactInteger(v, depth + 1)) {
      return true;
    }
  }
  return false;
}

/** A JSON object (not an array), as a row or struct. */
export function isObject(value: unknown): value is Record<string, RawValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
