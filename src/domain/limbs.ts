/**
 * Exact integers across Lua. Redis scripts compute in doubles, exact only below 2^53, so 64-bit
 * hashes, versions and amounts cross into Lua as two limbs: a high part and a low 32-bit part.
 * Sums of limbs are kept by HINCRBY (exact 64-bit integers in Redis) and recombined here in BigInt.
 */
const TWO32 = 1n << 32n;
const TWO64 = 1n << 64n;
/** Largest magnitude of a high limb that Lua still holds exactly. */
const MAX_HI = (1n << 53n) - 1n;

/** An unsigned 64-bit value as [hi, lo], both in [0, 2^32). */
export function splitU64(value: bigint): [number, number] {
  if (value < 0n || value >= TWO64) throw new RangeError('value is not an unsigned 64-bit integer');
  return [Number(value >> 32n), Number(value & 0xffffffffn)];
}

/**
 * A signed integer as [hi, lo] with lo in [0, 2^32) and value = hi * 2^32 + lo; hi may be negative.
 * Exact for |value| < 2^85; beyond that it throws rather than lose digits.
 */
export function splitSigned(value: bigint): [number, number] {
  const lo = ((value % TWO32) + TWO32) % TWO32;
  const hi = (value - lo) / TWO32;
  if (hi > MAX_HI || hi < -MAX_HI) throw new RangeError('amount beyond 2^85 scaled units');
  return [Number(hi), Number(lo)];
}

/** Recombines summed limbs (as the decimal strings Redis returns) into the exact integer. */
export function joinLimbs(hi: string | number | bigint | undefined, lo: string | number | bigint | undefined): bigint {
  return BigInt(hi ?? 0) * TWO32 + BigInt(lo ?? 0);
}

/** The digest of summed hash limbs, reduced modulo 2^64 (the canonical day digest). */
export function digestFromLimbs(hi: string | number | bigint | undefined, lo: string | number | bigint | undefined): bigint {
  return ((joinLimbs(hi, lo) % TWO64) + TWO64) % TWO64;
}

export function u64Hex(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}

/** An integer scaled by 10^scale as exact decimal text, e.g. (1050n, 2) -> "10.50". */
export function formatScaled(value: bigint, scale: number): string {
  if (scale === 0) return value.toString();
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
