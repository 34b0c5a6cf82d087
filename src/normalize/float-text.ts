/**
 * The text Postgres (12+) prints for float8 and float4 with the default extra_float_digits = 1:
 * the shortest digits that read back as the same binary value (Ryu), laid out like printf's %g
 * with the precision of DBL_DIG = 15 (float8) or FLT_DIG = 6 (float4): positional when the
 * decimal exponent is in [-4, precision), else `d.ddde±XX` with at least two exponent digits.
 */

const DOUBLE_PRECISION = 15;
const FLOAT_PRECISION = 6;

/** Shortest round-trip digits (no leading or trailing zeros) and the exponent of the first digit. */
interface Shortest {
  digits: string;
  exponent: number;
}

/** Lays shortest digits out the way Postgres' float8out/float4out do. */
function layOut(negative: boolean, s: Shortest, precision: number): string {
  const sign = negative ? '-' : '';
  const { digits, exponent } = s;
  if (exponent < -4 || exponent >= precision) {
    const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const e = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits}${'0'.repeat(exponent + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/**
 * Shortest digits of a positive finite double, from JS's Number-to-String (which is specified to
 * give the shortest round-trip digits, the closest to the value when several are as short).
 */
function shortestDouble(x: number): Shortest {
  const text = `${x}`;
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  const exp10 = e < 0 ? 0 : Number(text.slice(e + 1));
  const point = mantissa.indexOf('.');
  const intPart = point < 0 ? mantissa : mantissa.slice(0, point);
  const fracPart = point < 0 ? '' : mantissa.slice(point + 1);
  let all = intPart + fracPart;
  // Position of the decimal point after the first character of `all`, before stripping zeros.
  let exponent = intPart.length - 1 + exp10;
  let lead = 0;
  while (lead < all.length - 1 && all[lead] === '0') lead++;
  all = all.slice(lead);
  exponent -= lead;
  let end = all.length;
  while (end > 1 && all[end - 1] === '0') end--;
  return { digits: all.slice(0, end), exponent };
}

/** Postgres' float8 text of a double. */
export function float8Text(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return layOut(x < 0, shortestDouble(Math.abs(x)), DOUBLE_PRECISION);
}

const f32 = new DataView(new ArrayBuffer(4));

/**
 * Shortest digits that read back (round to nearest, ties to even) as the float32 `x`, the closest
 * to `x` among them; computed exactly with BigInt, because reading a decimal through a double and
 * then rounding to float32 can round twice.
 */
function shortestFloat(x: number): Shortest {
  f32.setFloat32(0, x);
  const bits = f32.getUint32(0);
  const biased = (bits >>> 23) & 0xff;
  const fraction = bits & 0x7fffff;
  const m = biased === 0 ? fraction : fraction | 0x800000;
  const e2 = (biased === 0 ? 1 : biased) - 150;
  // x = m * 2^e2. The interval of decimals that round to x lies between the midpoints to its
  // neighbours; the lower gap is half as wide at a power of two (except at the smallest exponent).
  const lowerHalfGap = fraction === 0 && biased > 1 ? 1n : 2n; // in units of 2^(e2-2)
  // Work in units of 2^(e2-2): x = 4m, upper midpoint = 4m + 2, lower midpoint = 4m - lowerHalfGap.
  const X = 4n * BigInt(m);
  const upper = X + 2n;
  const lower = X - lowerHalfGap;
  const inclusive = (m & 1) === 0; // ties go to the even mantissa
  const s2 = e2 - 2; // the value of one unit is 2^s2
  // Compare D * 10^k with a value V in units of 2^s2: scale both to integers.
  const scale = (D: bigint, k: number): { left: bigint; right: (v: bigint) => bigint } => {
    let left = D;
    let rightMul = 1n;
    if (k >= 0) left *= 10n ** BigInt(k);
    else rightMul *= 10n ** BigInt(-k);
    if (s2 >= 0) rightMul *= 1n << BigInt(s2);
    else left <<= BigInt(-s2);
    return { left, right: (v) => v * rightMul };
  };
  const inside = (D: bigint, k: number): boolean => {
    const { left, right } = scale(D, k);
    const lo = right(lower);
    const hi = right(upper);
    return inclusive ? left >= lo && left <= hi : left > lo && left < hi;
  };
  // Decimal exponent of x's first digit: from the double's shortest form, one less when that
  // form rounded up to a power of ten.
  let first = shortestDouble(x).exponent;
  {
    const { left, right } = scale(1n, first);
    if (right(X) < left) first--;
  }
  for (let p = 1; p <= 9; p++) {
    const k = first - p + 1;
    // D0 = floor(x / 10^k), exactly.
    const { left: one, right } = scale(1n, k); // one*D vs right(V): D0 = floor(right(X) / one)
    const D0 = right(X) / one;
    const inLow = inside(D0, k);
    const inHigh = inside(D0 + 1n, k);
    let D: bigint | undefined;
    if (inLow && inHigh) {
      // Both read back as x: take the closer, ties to even.
      const dLow = right(X) - D0 * one;
      const dHigh = (D0 + 1n) * one - right(X);
      D = dLow < dHigh ? D0 : dHigh < dLow ? D0 + 1n : D0 % 2n === 0n ? D0 : D0 + 1n;
    } else if (inLow) D = D0;
    else if (inHigh) D = D0 + 1n;
    if (D !== undefined && D !== 0n) {
      const digits = D.toString();
      const exponent = k + digits.length - 1;
      let end = digits.length;
      while (end > 1 && digits[end - 1] === '0') end--;
      return { digits: digits.slice(0, end), exponent };
    }
  }
  // Nine significant digits always identify a float32; reaching here means a bug.
  throw new Error('float4 shortest digits not found');
}

/** Postgres' float4 text of a value read as float32 (the value is rounded to float32 first). */
export function float4Text(value: number): string {
  const x = Math.fround(value);
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return layOut(x < 0, shortestFloat(Math.abs(x)), FLOAT_PRECISION);
}
