/**
 * The hash construction (docs/canonical-form.md) pinned to golden values computed elsewhere (Python
 * hashlib), and the properties the day digest must have.
 */
import { describe, expect, test } from 'vitest';
import {
  addHash,
  canonicalKey,
  columnHash,
  fingerprintOf,
  lengthPrefixed,
  octets,
  parseHash,
  subtractHash,
  sumHashes,
} from '../../src/normalize/hash.ts';

describe('golden values', () => {
  test('canonical key: UTF-8 octet length, colon, value, per key column', () => {
    expect(canonicalKey(['42'])).toBe('2:42');
    expect(canonicalKey(['1', 'é'])).toBe('1:12:é');
    expect(canonicalKey(['', 'a:b'])).toBe('0:3:a:b');
    expect(octets('🙂')).toBe(4);
    expect(lengthPrefixed('東京')).toBe('6:東京');
  });

  test.each([
    // e.g. md5("4:2:426:amountv10.5") starts 1168ef1d1dba8db9, md5("4:2:422:idv42") 95b0a0dad7619669 (Python hashlib)
    ['amount', '10.5', 0x1168ef1d1dba8db9n],
    ['amount', null, 0x8cdecd137987bab4n],
    ['amount', '', 0x572649b857942536n],
    ['id', '42', 0x95b0a0dad7619669n],
  ] as [string, string | null, bigint][])('h(%s = %s) for key 42', (column, value, expected) => {
    expect(columnHash(canonicalKey(['42']), column, value)).toBe(expected);
  });

  test('fingerprint: the low 16 bits', () => {
    expect(fingerprintOf(0x1168ef1d1dba8db9n)).toBe(0x8db9);
  });
});

describe('row and day digests', () => {
  const row = (key: string, amount: string | null, note: string | null): bigint =>
    sumHashes([columnHash(canonicalKey([key]), 'id', key), columnHash(canonicalKey([key]), 'amount', amount), columnHash(canonicalKey([key]), 'note', note)]);
  const rows = Array.from({ length: 50 }, (_, i) => row(String(i), `${i}.5`, i % 3 === 0 ? null : `n${i}`));

  test('stays in [0, 2^64)', () => {
    for (const r of rows) expect(r >= 0n && r < 1n << 64n).toBe(true);
    expect(sumHashes(rows) < 1n << 64n).toBe(true);
  });

  test('is independent of row order', () => {
    const shuffled = [...rows].reverse();
    shuffled.push(shuffled.shift() as bigint);
    expect(sumHashes(shuffled)).toBe(sumHashes(rows));
  });

  test('supports removal: adding a row then subtracting it restores the digest', () => {
    const digest = sumHashes(rows);
    const extra = row('x', '1', 'y');
    expect(subtractHash(addHash(digest, extra), extra)).toBe(digest);
    // and removing one of the rows equals the digest of the others
    expect(subtractHash(digest, rows[7] as bigint)).toBe(sumHashes(rows.filter((_, i) => i !== 7)));
  });

  test('a value swapped between two rows changes the digest', () => {
    const a = sumHashes([row('1', '10', 'a'), row('2', '20', 'b')]);
    const b = sumHashes([row('1', '20', 'a'), row('2', '10', 'b')]);
    expect(a).not.toBe(b);
  });

  test('NULL and the empty string differ', () => {
    expect(row('1', '10', null)).not.toBe(row('1', '10', ''));
  });

  test('a row present twice does not cancel out (unlike XOR)', () => {
    const r = rows[3] as bigint;
    expect(sumHashes([r, r])).not.toBe(0n);
    expect(sumHashes([r, r])).not.toBe(sumHashes([]));
  });

  test('values cannot bleed into the column name or the key', () => {
    // Without length prefixes, key "1" + column "2x" and key "12" + column "x" would collide.
    expect(columnHash('1:1', 'ab', 'c')).not.toBe(columnHash('1:1', 'a', 'bc'));
    expect(columnHash(canonicalKey(['1']), '2x', 'v')).not.toBe(columnHash(canonicalKey(['12']), 'x', 'v'));
  });

  test('wraps modulo 2^64', () => {
    const max = (1n << 64n) - 1n;
    expect(addHash(max, 2n)).toBe(1n);
    expect(subtractHash(1n, 2n)).toBe(max);
  });

  test('parseHash reads unsigned 64-bit decimal text and refuses anything else', () => {
    expect(parseHash('18446744073709551615')).toBe((1n << 64n) - 1n);
    expect(() => parseHash('18446744073709551616')).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_BAD_VALUE' }));
    expect(() => parseHash('-1')).toThrow(expect.objectContaining({ code: 'RECON_NORMALIZE_BAD_VALUE' }));
  });
});
