/**
 * Exact decimals: the canonical text of a numeric value (what Postgres prints for
 * `trim_scale(x)::text`), read from each encoding Debezium uses, and scaled integer amounts.
 */

/** Debezium and Postgres spell the special numeric values like this. */
export const DECIMAL_SPECIALS: ReadonlySet<string> = new Set(['NaN', 'Infinity', '-Infinity']);

/**
 * Largest decimal exponent accepted in a decimal string. Postgres numeric holds up to 131072
 * digits before the point and 16383 after; anything beyond is refused rather than expanded.
 */
const MAX_DECIMAL_EXPONENT = 140_000;

/**
 * Canonical text of `±digits × 10^-scale`: no leading zeros, no trailing fractional zeros, no bare
 * point, no negative zero. `digits` is a string of decimal digits (possibly with leading zeros).
 */
export function canonicalDecimal(negative: boolean, digits: string, scale: number): string {
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  let end = digits.length;
  let s = scale;
  while (s > 0 && end > start && digits.charCodeAt(end - 1) === 48) {
    end--;
    s--;
  }
  let u = digits.slice(start, end);
  if (u === '') return '0';
  if (s < 0) {
    u += '0'.repeat(-s);
    s = 0;
  }
  let text: string;
  if (s === 0) text = u;
  else if (u.length > s) text = `${u.slice(0, u.length - s)}.${u.slice(u.length - s)}`;
  else text = `0.${'0'.repeat(s - u.length)}${u}`;
  return negative ? `-${text}` : text;
}

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,7}))?$/;

/**
 * Canonical text of a decimal string (`-12.50`, `1E+3`, `.5`, `NaN`, `Infinity`, `-Infinity`);
 * undefined when the string is not a decimal.
 */
export function decimalFromString(text: string): string | undefined {
  if (DECIMAL_SPECIALS.has(text)) return text;
  const m = DECIMAL_RE.exec(text);
  if (m === null) return undefined;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exp) > MAX_DECIMAL_EXPONENT) return undefined;
  return canonicalDecimal(m[1] === '-', intPart + fracPart, fracPart.length - exp);
}

/** Canonical text of `unscaled × 10^-scale`. */
export function decimalFromUnscaled(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  return canonicalDecimal(negative, (negative ? -unscaled : unscaled).toString(), scale);
}

/** A big-endian two's-complement integer (Kafka Connect Decimal, Avro bytes decimal). */
export function bigIntFromTwosComplement(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  const unsigned = BigInt(`0x${hex}`);
  return (bytes[0] as number) & 0x80 ? unsigned - (1n << BigInt(bytes.length * 8)) : unsigned;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bytes of a standard base64 string (as Kafka Connect's JsonConverter writes bytes); undefined if not base64. */
export function bytesFromBase64(text: string): Uint8Array | undefined {
  if (!BASE64_RE.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/**
 * A canonical decimal as an integer scaled by 10^scale; undefined when it has more fraction digits
 * than `scale` (a sum of it could not be exact) or is not finite.
 */
export function scaledAmount(canonical: string, scale: number): bigint | undefined {
  if (DECIMAL_SPECIALS.has(canonical)) return undefined;
  const point = canonical.indexOf('.');
  if (point < 0) return BigInt(scale === 0 ? canonical : canonical + '0'.repeat(scale));
  const frac = canonical.length - point - 1;
  if (frac > scale) return undefined;
  return BigInt(canonical.slice(0, point) + canonical.slice(point + 1) + '0'.repeat(scale - frac));
}
