/**
 * Row hashing (docs/canonical-form.md). Every piece is length-prefixed with its UTF-8 octet count,
 * so no choice of values can make two different rows produce the same hash input:
 *
 *   canonical key  = for each key column in order: `${octets(v)}:${v}`
 *   h(c)           = first 8 bytes, big-endian, of MD5( `${octets(key)}:${key}${octets(c)}:${c}` +
 *                    ('n' for NULL | 'v' + canonical value) ), as an unsigned 64-bit integer
 *   row hash       = Σ h(c) over the hashed columns, mod 2^64
 *   day digest     = Σ row hash over the day's rows, mod 2^64
 *   fingerprint(c) = the low 16 bits of h(c)
 *
 * Postgres computes the same with md5(), octet_length() and a cast of 16 hex digits to bigint
 * (src/sql/day-digest.ts). Sums, unlike XOR, do not cancel a row that is present twice, and they
 * allow a row's contribution to be removed again.
 */
import { hash } from 'node:crypto';
import { NormalizeError } from './errors.ts';

/** Column hashes, row hashes and digests are unsigned integers of this many bits. */
export const HASH_BITS = 64;

/** UTF-8 octets of a string (Postgres: octet_length on a UTF8 database). */
export function octets(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** `${octets(v)}:${v}`: the length-prefixed form every part of a hash input takes. */
export function lengthPrefixed(text: string): string {
  return `${Buffer.byteLength(text, 'utf8')}:${text}`;
}

/** The canonical key of a row from its key columns' canonical values, in key order. */
export function canonicalKey(keyValues: readonly string[]): string {
  let key = '';
  for (const v of keyValues) key += lengthPrefixed(v);
  return key;
}

/**
 * The 64-bit hash of one column, from the key's and the column name's length-prefixed forms and
 * the canonical value (null for NULL). The engine uses it to recompute a stored TOAST column hash.
 */
export function columnHash(canonicalKeyText: string, column: string, value: string | null): bigint {
  return columnHashFromParts(lengthPrefixed(canonicalKeyText), lengthPrefixed(column), value);
}

/** As columnHash, with the two prefixes already length-prefixed (the hot path reuses them). */
export function columnHashFromParts(keyPart: string, columnPart: string, value: string | null): bigint {
  const hex = hash('md5', value === null ? `${keyPart}${columnPart}n` : `${keyPart}${columnPart}v${value}`, 'hex');
  return BigInt(`0x${hex.slice(0, 16)}`);
}

/** The low 16 bits of a column hash: enough to name which columns differ, without the values. */
export function fingerprintOf(h: bigint): number {
  return Number(h & 0xffffn);
}

/** (a + b) mod 2^64. */
export function addHash(a: bigint, b: bigint): bigint {
  return BigInt.asUintN(HASH_BITS, a + b);
}

/** (a - b) mod 2^64: removes a row hash from a digest, or a column hash from a row hash. */
export function subtractHash(a: bigint, b: bigint): bigint {
  return BigInt.asUintN(HASH_BITS, a - b);
}

/** Σ hashes mod 2^64 (a row hash from column hashes, or a digest from row hashes). */
export function sumHashes(hashes: Iterable<bigint>): bigint {
  let sum = 0n;
  for (const h of hashes) sum += h;
  return BigInt.asUintN(HASH_BITS, sum);
}

/** Parses a digest or hash printed as unsigned decimal text (Postgres, Redis), checking its range. */
export function parseHash(text: string): bigint {
  if (!/^\d{1,20}$/.test(text)) throw new NormalizeError('RECON_NORMALIZE_BAD_VALUE', 'not an unsigned 64-bit decimal');
  const v = BigInt(text);
  if (v >= 1n << 64n) throw new NormalizeError('RECON_NORMALIZE_BAD_VALUE', 'beyond 2^64 - 1');
  return v;
}
