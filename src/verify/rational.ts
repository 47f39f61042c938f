/**
 * Exact rationals over bigint, always reduced with a positive denominator. Exact values (10!, 2^20,
 * 1/3) are compared with these, never with a floating-point tolerance.
 */
export interface Q {
  n: bigint;
  d: bigint;
}

/** Largest operand (in bits) an exact operation may produce; beyond it the value is "too large". */
export const MAX_EXACT_BITS = 4096;

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function q(n: bigint, d: bigint = 1n): Q {
  if (d === 0n) throw new RangeError('zero denominator');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

export const ZERO = q(0n);
export const ONE = q(1n);

const bits = (x: bigint) => (x < 0n ? -x : x).toString(2).length;
function bounded(x: Q): Q | undefined {
  return bits(x.n) > MAX_EXACT_BITS || bits(x.d) > MAX_EXACT_BITS ? undefined : x;
}

export const add = (a: Q, b: Q) => bounded(q(a.n * b.d + b.n * a.d, a.d * b.d));
export const sub = (a: Q, b: Q) => bounded(q(a.n * b.d - b.n * a.d, a.d * b.d));
export const mul = (a: Q, b: Q) => bounded(q(a.n * b.n, a.d * b.d));
export const neg = (a: Q): Q => ({ n: -a.n, d: a.d });
export const div = (a: Q, b: Q) => (b.n === 0n ? undefined : bounded(q(a.n * b.d, a.d * b.n)));
export const eq = (a: Q, b: Q) => a.n === b.n && a.d === b.d;
export const cmp = (a: Q, b: Q) => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};
export const isInt = (a: Q) => a.d === 1n;

/** a^k for an integer k, refusing results past MAX_EXACT_BITS (checked before computing). */
export function powInt(a: Q, k: bigint): Q | undefined {
  if (k < 0n) {
    const r = powInt(a, -k);
    return r && div(ONE, r);
  }
  if (a.n === 0n || a.n === 1n || a.n === -1n) {
    if (a.d === 1n) return q(k % 2n === 0n && a.n === -1n ? 1n : a.n ** (k === 0n ? 0n : 1n));
  }
  const width = BigInt(Math.max(bits(a.n), bits(a.d)));
  if (k * (width - 1n) > BigInt(MAX_EXACT_BITS)) return undefined;
  return bounded(q(a.n ** k, a.d ** k));
}

/** Exact integer k-th root of x ≥ 0, or undefined when x is no perfect k-th power. */
function intRoot(x: bigint, k: number): bigint | undefined {
  if (x < 0n) return undefined;
  if (x < 2n) return x;
  let r = BigInt(Math.round(Math.pow(Number(x), 1 / k)));
  for (const c of [r - 1n, r, r + 1n]) if (c >= 0n && c ** BigInt(k) === x) return c;
  // Large values: Newton's method on bigints.
  r = 1n << BigInt(Math.ceil(bits(x) / k));
  for (let i = 0; i < 2000; i++) {
    const next = ((BigInt(k) - 1n) * r + x / r ** BigInt(k - 1)) / BigInt(k);
    if (next >= r) break;
    r = next;
  }
  return r ** BigInt(k) === x ? r : undefined;
}

/** Exact k-th root of a rational (odd k allows negatives), or undefined when irrational. */
export function rootQ(a: Q, k: number): Q | undefined {
  if (k < 1 || k > 64) return undefined;
  const sign = a.n < 0n ? -1n : 1n;
  if (sign < 0n && k % 2 === 0) return undefined;
  const n = intRoot(sign * a.n, k);
  const d = intRoot(a.d, k);
  return n !== undefined && d !== undefined ? q(sign * n, d) : undefined;
}

/** n! for 0 ≤ n ≤ 1000. */
export function factorial(a: Q): Q | undefined {
  if (!isInt(a) || a.n < 0n || a.n > 1000n) return undefined;
  let r = 1n;
  for (let i = 2n; i <= a.n; i++) r *= i;
  return bounded(q(r));
}

/** C(n, k) for integers 0 ≤ k, n ≤ MAX_EXACT_BITS (0 when k > n). */
export function binomial(n: Q, k: Q): Q | undefined {
  if (!isInt(n) || !isInt(k) || n.n < 0n || k.n < 0n || n.n > BigInt(MAX_EXACT_BITS)) return undefined;
  if (k.n > n.n) return ZERO;
  const kk = k.n < n.n - k.n ? k.n : n.n - k.n;
  let r = 1n;
  for (let i = 1n; i <= kk; i++) r = (r * (n.n - kk + i)) / i;
  return bounded(q(r));
}

export function toNumber(a: Q): number {
  const n = Number(a.n);
  const d = Number(a.d);
  if (Number.isFinite(n) && Number.isFinite(d)) return n / d;
  // Huge parts: scale both down by the same power of two first.
  const shift = BigInt(Math.max(bits(a.n), bits(a.d)) - 1000);
  return Number(a.n >> shift) / Number(a.d >> shift);
}

/** Parses "123", "-1.250", ".5" exactly; also returns the number of decimal places written. */
export function parseDecimal(s: string): { value: Q; places: number } | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = m[3] ?? '';
  let value = q(BigInt((m[1] === '-' ? '-' : '') + (m[2] || '0') + frac), 10n ** BigInt(frac.length));
  const exp = m[4] ? BigInt(m[4]) : 0n;
  if (exp > 400n || exp < -400n) return undefined;
  value = exp >= 0n ? q(value.n * 10n ** exp, value.d) : q(value.n, value.d * 10n ** -exp);
  return { value, places: Math.max(0, frac.length - Number(exp)) };
}

export function toString(a: Q): string {
  return a.d === 1n ? a.n.toString() : `${a.n}/${a.d}`;
}
