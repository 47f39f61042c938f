import type { Node } from './ast.js';
import * as R from './rational.js';
import type { Q } from './rational.js';

/** How a percent sign is read: 'strip' 50% = 50, 'fraction' 50% = 0.5. */
export type PercentReading = 'strip' | 'fraction';

export interface EvalContext {
  percent: PercentReading;
}

const HUNDRED = R.q(100n);

/**
 * Exact value of a constant (or of an expression at rational variable values): rationals through
 * + − × ÷, integer powers, perfect roots, n!, binomials, |x|, floor/ceil. Undefined when the
 * value is not rational (√2, π) or would be too large to hold exactly.
 */
export function exact(n: Node, ctx: EvalContext, scope?: Map<string, Q>): Q | undefined {
  const ex = (x: Node) => exact(x, ctx, scope);
  switch (n.t) {
    case 'num':
      return n.v;
    case 'sym':
      return scope?.get(n.name);
    case 'neg': {
      const a = ex(n.a);
      return a && R.neg(a);
    }
    case 'pct': {
      const a = ex(n.a);
      return a && (ctx.percent === 'fraction' ? R.div(a, HUNDRED) : a);
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
      return binary(n.t, ex(n.a), ex(n.b));
    case 'pow':
      return power(n.a, n.b, ex);
    case 'fn':
      return exactFn(n.name, n.args.map(ex));
    default:
      return undefined;
  }
}

function binary(op: 'add' | 'sub' | 'mul' | 'div', a: Q | undefined, b: Q | undefined): Q | undefined {
  if (!a || !b) return undefined;
  if (op === 'add') return R.add(a, b);
  if (op === 'sub') return R.sub(a, b);
  if (op === 'mul') return R.mul(a, b);
  return R.div(a, b);
}

function power(a: Node, b: Node, ex: (x: Node) => Q | undefined): Q | undefined {
  const base = ex(a);
  const e = ex(b);
  if (!base || !e) return undefined;
  if (base.n === 0n && e.n <= 0n) return undefined;
  if (e.d === 1n) return R.powInt(base, e.n);
  // Rational exponent p/q: the q-th root must be exact.
  if (e.d > 64n) return undefined;
  const root = R.rootQ(base, Number(e.d));
  return root && R.powInt(root, e.n);
}

function exactFn(name: string, args: Array<Q | undefined>): Q | undefined {
  if (args.some((a) => a === undefined)) return undefined;
  const a = args as Q[];
  switch (name) {
    case 'sqrt':
      return a.length === 1 ? R.rootQ(a[0], 2) : undefined;
    case 'root':
      return a.length === 2 && R.isInt(a[1]) && a[1].n > 0n ? R.rootQ(a[0], Number(a[1].n)) : undefined;
    case 'fact':
      return R.factorial(a[0]);
    case 'binom':
      return a.length === 2 ? R.binomial(a[0], a[1]) : undefined;
    case 'abs':
      return a[0].n < 0n ? R.neg(a[0]) : a[0];
    case 'gcd':
    case 'lcm':
      return a.length >= 2 && a.every(R.isInt)
        ? R.q(a.map((x) => x.n).reduce(name === 'gcd' ? gcdInt : lcmInt))
        : undefined;
    case 'max':
    case 'min':
      return a.reduce((x, y) => (R.cmp(x, y) > 0 === (name === 'max') ? x : y));
    case 'floor':
      return R.q(floorDiv(a[0].n, a[0].d));
    case 'ceil':
      return R.q(-floorDiv(-a[0].n, a[0].d));
    default:
      return undefined;
  }
}

function gcdInt(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function lcmInt(a: bigint, b: bigint): bigint {
  const g = gcdInt(a, b);
  return g === 0n ? 0n : (a < 0n ? -a : a) * ((b < 0n ? -b : b) / g);
}

function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

const FLOAT_FNS: Record<string, (...x: number[]) => number> = {
  sqrt: Math.sqrt,
  root: (x, k) => (x < 0 && Number.isInteger(k) && k % 2 === 1 ? -Math.pow(-x, 1 / k) : Math.pow(x, 1 / k)),
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  sec: (x) => 1 / Math.cos(x),
  csc: (x) => 1 / Math.sin(x),
  cot: (x) => 1 / Math.tan(x),
  arcsin: Math.asin,
  arccos: Math.acos,
  arctan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  exp: Math.exp,
  ln: Math.log,
  log: (x, b) => (b === undefined ? Math.log10(x) : Math.log(x) / Math.log(b)),
  abs: Math.abs,
  floor: Math.floor,
  ceil: Math.ceil,
  fact: (x) => (Number.isInteger(x) && x >= 0 && x <= 170 ? gammaInt(x) : NaN),
  binom: (n, k) =>
    Number.isInteger(n) && Number.isInteger(k) && n >= 0 && k >= 0 && n <= 170
      ? k > n
        ? 0
        : gammaInt(n) / (gammaInt(k) * gammaInt(n - k))
      : NaN,
};

function gammaInt(n: number): number {
  let r = 1;
  for (let i = 2; i <= n; i++) r *= i;
  return r;
}

/** Floating-point value (real; NaN outside the real domain). Exact parts are computed exactly first. */
export function float(n: Node, ctx: EvalContext, scope: Record<string, number> = {}): number {
  const f = (x: Node) => float(x, ctx, scope);
  switch (n.t) {
    case 'num':
      return R.toNumber(n.v);
    case 'sym':
      return scope[n.name] ?? NaN;
    case 'const':
      return n.name === 'pi' ? Math.PI : n.name === 'e' ? Math.E : Infinity;
    case 'neg':
      return -f(n.a);
    case 'pct':
      return ctx.percent === 'fraction' ? f(n.a) / 100 : f(n.a);
    case 'add':
      return f(n.a) + f(n.b);
    case 'sub':
      return f(n.a) - f(n.b);
    case 'mul':
      return f(n.a) * f(n.b);
    case 'div':
      return f(n.a) / f(n.b);
    case 'pow':
      return floatPow(f(n.a), n.b, f);
    case 'fn': {
      const fn = FLOAT_FNS[n.name];
      return fn ? fn(...n.args.map(f)) : NaN;
    }
    default:
      return NaN;
  }
}

/** Real powers, with odd-denominator exponents of negatives taken as real roots ((-8)^{1/3} = -2). */
function floatPow(base: number, expNode: Node, f: (x: Node) => number): number {
  const e = f(expNode);
  if (base >= 0 || Number.isInteger(e)) return Math.pow(base, e);
  if (expNode.t === 'div' && expNode.b.t === 'num' && expNode.b.v.n % 2n === 1n) return -Math.pow(-base, e);
  return NaN;
}
