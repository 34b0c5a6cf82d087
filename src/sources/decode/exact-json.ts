/**
 * JSON parsing that keeps 64-bit integers exact (B12) at about the cost of one JSON.parse.
 *
 * JSON.parse rounds integer literals beyond 2^53. Pre-scanning the text for long digit runs does
 * not pay off with Debezium 3: every envelope carries `ts_ns` (19 digits) and present-day µs
 * timestamps have 16 digits, so nearly every message would take a slow path. Instead:
 *
 * 1. Parse plainly; then check only the places where exactness matters (row images, the key,
 *    `source.lsn`). A number there that is an integer but not a safe integer (|n| >= 2^53) can only
 *    come from a literal that may have lost digits (`hasInexactInteger`).
 * 2. If there is one, recover each such value's literal from the text (`restoreExactIntegers`): the
 *    rounded double prints as digits sharing a prefix with the literal, so `indexOf` finds the
 *    candidates; a candidate counts if it is a whole number token (not part of a longer digit run,
 *    a fraction or an exponent) that parses to the same double. Exactly one distinct literal: it
 *    becomes a bigint, in place. Occurrences inside JSON strings (a jsonb text, say) can only add
 *    candidates, never remove the real one, and a different one makes the result ambiguous.
 * 3. Ambiguous or not found (two literals rounding to one double; a float literal like `1.0E20`;
 *    a carry such as 9999999999999999 printing as 10000000000000000): parse again with a reviver
 *    that reads each literal's source text (the reviver's third `context` argument, V8 in Node >= 21)
 *    and returns a bigint for integer literals. That is exact but costs ~7 plain parses; it is the
 *    rare fallback only.
 *
 * Envelope fields that are not used (`ts_us`, `ts_ns`) may stay rounded.
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

/** Parses with every integer literal outside the safe range as a bigint; NOT_JSON if not JSON. Slow: the fallback. */
export function parseJsonExact(text: string): unknown {
  try {
    return JSON.parse(text, exactReviver as (this: unknown, key: string, value: unknown) => unknown);
  } catch {
    return NOT_JSON;
  }
}

/** Bounds the walks below (Debezium rows are flat; a structure this deep is not a row). */
const MAX_DEPTH = 64;

function isInexact(n: number): boolean {
  return !Number.isSafeInteger(n) && Number.isInteger(n);
}

/**
 * Whether `value` holds a number that JSON.parse may have rounded: an integer outside
 * ±(2^53 − 1). Throws RangeError beyond MAX_DEPTH, which callers turn into a dead letter.
 */
export function hasInexactInteger(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return isInexact(value);
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
      if (isInexact(v)) return true;
    } else if (v !== null && typeof v === 'object' && hasInexactInteger(v, depth + 1)) {
      return true;
    }
  }
  return false;
}

/** Digits of the literal that a rounded double prints with; a shorter prefix than the 15-16 exact ones. */
const PREFIX_DIGITS = 12;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A character that may not touch a number token: a word character, `.`, `+` or `-`. */
function isNumberGlue(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e || c === 0x2b || c === 0x2d;
}

/**
 * The exact literal in `text` that parsed to the rounded integer `n`; undefined when there is not
 * exactly one distinct such literal.
 */
function literalOf(text: string, n: number): string | undefined {
  const printed = String(n < 0 ? -n : n);
  if (printed.length < 16 || !INTEGER_LITERAL.test(printed)) return undefined; // 1e+21 and beyond: fallback
  const prefix = printed.slice(0, PREFIX_DIGITS);
  let found: string | undefined;
  for (let at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, at + 1)) {
    if (at > 0 && isDigit(text.charCodeAt(at - 1))) continue; // inside a longer digit run
    let start = at;
    if (n < 0) {
      if (text.charCodeAt(at - 1) !== 0x2d) continue;
      start = at - 1;
    }
    if (start > 0 && isNumberGlue(text.charCodeAt(start - 1))) continue;
    let end = at + prefix.length;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    if (end < text.length && isNumberGlue(text.charCodeAt(end))) continue; // a fraction or an exponent follows
    const literal = text.slice(start, end);
    if (Number(literal) !== n) continue;
    if (found === undefined) found = literal;
    else if (found !== literal) return undefined;
  }
  return found;
}

/** What `restoreExactIntegers` returns when a literal could not be recovered. */
export const NOT_EXACT: unique symbol = Symbol('not-exact');

/**
 * Replaces, in place, every rounded integer inside `value` (part of a fresh JSON.parse of `text`)
 * by the bigint of its literal. Returns the (possibly replaced) value, or NOT_EXACT when a literal
 * could not be recovered; the caller then re-parses with parseJsonExact.
 */
export function restoreExactIntegers(text: string, value: unknown, depth = 0): unknown {
  if (typeof value === 'number') {
    if (!isInexact(value)) return value;
    const literal = literalOf(text, value);
    return literal === undefined ? NOT_EXACT : BigInt(literal);
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) throw new RangeError('nesting too deep');
  const container = value as Record<string, unknown>;
  for (const k in container) {
    const v = container[k];
    if ((typeof v === 'number' && isInexact(v)) || (v !== null && typeof v === 'object')) {
      const restored = restoreExactIntegers(text, v, depth + 1);
      if (restored === NOT_EXACT) return NOT_EXACT;
      if (restored !== v) container[k] = restored;
    }
  }
  return value;
}

/** A JSON object (not an array), as a row or struct. */
export function isObject(value: unknown): value is Record<string, RawValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
