/**
 * The text Postgres (12+) prints for float8 and float4 with the default extra_float_digits = 1.
 *
 * Postgres uses Ryu (src/common/d2s.c, f2s.c) built without STRICTLY_SHORTEST: the digits are the
 * shortest decimal that lies strictly inside the interval of values rounding to the binary value
 * (the interval's ends are excluded even when round-half-even would map them back), and among
 * those the closest to the value. JS's Number-to-String gives the shortest digits with the ends
 * included for even mantissas, so it differs exactly when its answer lies on an end (1e23 prints
 * as 9.999999999999999e+22 in Postgres). Those cases are recognised and recomputed exactly.
 *
 * Layout follows printf's %g with the precision of DBL_DIG = 15 (float8) or FLT_DIG = 6 (float4):
 * positional when the decimal exponent is in [-4, precision), else `d.ddde±XX` with at least two
 * exponent digits.
 */

const DOUBLE_PRECISION = 15;
const FLOAT_PRECISION = 6;
/** 2^53: below it, no interval end of a double is a decimal with as few digits as JS prints. */
const TWO_53 = 9_007_199_254_740_992;

/** Shortest digits (no leading or trailing zeros) and the decimal exponent of the first digit. */
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

/** Digits and exponent of a positive finite double as JS prints it (shortest, ends included). */
function jsShortest(x: number): Shortest {
  const text = `${x}`;
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  const exp10 = e < 0 ? 0 : Number(text.slice(e + 1));
  const point = mantissa.indexOf('.');
  const intPart = point < 0 ? mantissa : mantissa.slice(0, point);
  let all = intPart + (point < 0 ? '' : mantissa.slice(point + 1));
  let exponent = intPart.length - 1 + exp10;
  let lead = 0;
  while (lead < all.length - 1 && all[lead] === '0') lead++;
  all = all.slice(lead);
  exponent -= lead;
  let end = all.length;
  while (end > 1 && all[end - 1] === '0') end--;
  return { digits: all.slice(0, end), exponent };
}

/**
 * Shortest digits of m × 2^e2 (m > 0) strictly inside its rounding interval, closest to the value
 * (ties to even), searching lengths from `fromLength`; exact, with BigInt.
 * `narrowBelow`: the value is a power of two above the smallest exponent, so the gap to the lower
 * neighbour is half as wide.
 */
function shortestExact(m: bigint, e2: number, narrowBelow: boolean, firstExponent: number, fromLength: number): Shortest {
  // In units of 2^(e2-2): value = 4m, upper end = 4m + 2, lower end = 4m - 2 (or 4m - 1).
  const X = 4n * m;
  const upper = X + 2n;
  const lower = X - (narrowBelow ? 1n : 2n);
  const s2 = e2 - 2;
  // D × 10^k against V × 2^s2, both scaled to integers: D × dMul  vs  V × vMul.
  const scales = (k: number): [bigint, bigint] => {
    let dMul = 1n;
    let vMul = 1n;
    if (k >= 0) dMul *= 10n ** BigInt(k);
    else vMul *= 10n ** BigInt(-k);
    if (s2 >= 0) vMul <<= BigInt(s2);
    else dMul <<= BigInt(-s2);
    return [dMul, vMul];
  };
  let first = firstExponent;
  {
    const [dMul, vMul] = scales(first);
    if (X * vMul < dMul) first--; // the value is below 10^first
  }
  for (let p = fromLength; p <= 17; p++) {
    const k = first - p + 1;
    const [dMul, vMul] = scales(k);
    const x = X * vMul;
    const lo = lower * vMul;
    const hi = upper * vMul;
    const d0 = x / dMul;
    const below = d0 * dMul;
    const above = below + dMul;
    const belowInside = below > lo && d0 !== 0n;
    const aboveInside = above < hi;
    let D: bigint | undefined;
    if (belowInside && aboveInside) {
      const dBelow = x - below;
      const dAbove = above - x;
      D = dBelow < dAbove ? d0 : dAbove < dBelow ? d0 + 1n : d0 % 2n === 0n ? d0 : d0 + 1n;
    } else if (belowInside) D = d0;
    else if (aboveInside) D = d0 + 1n;
    if (D !== undefined) {
      const digits = D.toString();
      let end = digits.length;
      while (end > 1 && digits[end - 1] === '0') end--;
      return { digits: digits.slice(0, end), exponent: k + digits.length - 1 };
    }
  }
  // Seventeen significant digits always identify a double (nine a float32).
  throw new Error('shortest float digits not found');
}

const f64 = new DataView(new ArrayBuffer(8));

function shortestDouble(x: number): Shortest {
  const js = jsShortest(x);
  // JS's answer can only sit on an interval end (which Postgres excludes) when it is an integer at
  // or above 2^53, or a fraction whose last digit is 5: an end is an odd multiple of a power of two.
  if (x < TWO_53 && !(js.exponent - js.digits.length + 1 < 0 && js.digits.endsWith('5'))) return js;
  f64.setFloat64(0, x);
  const bits = f64.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const m = biased === 0 ? fraction : fraction | (1n << 52n);
  const e2 = (biased === 0 ? 1 : biased) - 1075;
  return shortestExact(m, e2, fraction === 0n && biased > 1, js.exponent, js.digits.length);
}

const f32 = new DataView(new ArrayBuffer(4));

function shortestFloat(x: number): Shortest {
  f32.setFloat32(0, x);
  const bits = f32.getUint32(0);
  const biased = (bits >>> 23) & 0xff;
  const fraction = bits & 0x7fffff;
  const m = biased === 0 ? fraction : fraction | 0x800000;
  const e2 = (biased === 0 ? 1 : biased) - 150;
  return shortestExact(BigInt(m), e2, fraction === 0 && biased > 1, jsShortest(x).exponent, 1);
}

/** Postgres' float8 text of a double. */
export function float8Text(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return layOut(x < 0, shortestDouble(Math.abs(x)), DOUBLE_PRECISION);
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
