/**
 * Exact 64-bit integers from JSON (B12): the cheap recovery of rounded literals and its fallback.
 */
import { describe, expect, test } from 'vitest';
import { hasInexactInteger, NOT_EXACT, NOT_JSON, parseJson, parseJsonExact, restoreExactIntegers } from '../../src/sources/decode/exact-json.ts';

function exact(text: string): unknown {
  const parsed = parseJson(text);
  if (!hasInexactInteger(parsed)) return parsed;
  const restored = restoreExactIntegers(text, parsed);
  return restored === NOT_EXACT ? parseJsonExact(text) : restored;
}

describe('restoreExactIntegers', () => {
  test('integers beyond 2^53 become bigints with their literal digits; safe ones stay numbers', () => {
    const text = '{"a":9007199254740993,"b":-9007199254740993,"c":9223372036854775807,"d":-9223372036854775808,"e":9007199254740991,"f":1773531000123456}';
    expect(restoreExactIntegers(text, JSON.parse(text))).toEqual({
      a: 9007199254740993n,
      b: -9007199254740993n,
      c: 9223372036854775807n,
      d: -9223372036854775808n,
      e: 9007199254740991,
      f: 1773531000123456,
    });
  });

  test('exactly 2^53 is a bigint (it cannot be told from a rounded neighbour)', () => {
    expect(exact('[9007199254740992]')).toEqual([9007199254740992n]);
  });

  test('inside arrays and nested structs', () => {
    expect(exact('{"xs":[1,9007199254740993,{"y":18014398509481985}]}')).toEqual({ xs: [1, 9007199254740993n, { y: 18014398509481985n }] });
  });

  test('the same digits inside a string (a jsonb text) do not disturb, nor are they converted', () => {
    const text = '{"doc":"{\\"n\\": 9007199254740993}","id":9007199254740993}';
    expect(restoreExactIntegers(text, JSON.parse(text))).toEqual({ doc: '{"n": 9007199254740993}', id: 9007199254740993n });
  });

  test('a different literal in a string that rounds to the same double makes it ambiguous: the reviver decides', () => {
    const text = '{"doc":"x 9007199254740992 y","id":9007199254740993}';
    expect(restoreExactIntegers(text, JSON.parse(text))).toBe(NOT_EXACT);
    expect(exact(text)).toEqual({ doc: 'x 9007199254740992 y', id: 9007199254740993n });
  });

  test('digits that are a fraction or part of a longer run are not taken for the literal', () => {
    const text = '{"f":0.9007199254740993,"g":19007199254740993,"id":9007199254740993}';
    expect(restoreExactIntegers(text, JSON.parse(text))).toEqual({ f: 0.9007199254740993, g: 19007199254740993n, id: 9007199254740993n });
  });

  test('a carry (9999999999999999 prints as 1e16) and float literals fall back to the reviver', () => {
    const carry = '{"id":9999999999999999}';
    expect(restoreExactIntegers(carry, JSON.parse(carry))).toBe(NOT_EXACT);
    expect(exact(carry)).toEqual({ id: 9999999999999999n });
    const float = '{"x":1.0E20,"y":12345678901234567890.0}';
    expect(exact(float)).toEqual({ x: 1e20, y: Number('12345678901234567890') });
  });

  test('parse failures are NOT_JSON, never an exception', () => {
    expect(parseJson('{')).toBe(NOT_JSON);
    expect(parseJsonExact('{')).toBe(NOT_JSON);
  });
});
