import { freeSymbols, some, type Node } from './ast.js';
import { exact, float, type EvalContext } from './evaluate.js';
import { preciselyAgreeAtPoints, preciselyEqual } from './precise.js';
import * as R from './rational.js';
import type { Q } from './rational.js';
import { rngFor } from '../tasks/rng.js';

/**
 * Numeric equality of two arithmetic expressions.
 *
 * Constants: both exact (rational) → equal only when identical (10! ≠ 3628801, 0.333 ≠ 1/3).
 * A written decimal D with d places matches a value X it does not exactly equal only when d ≥ 6
 * (a "long decimal") and D is X rounded or truncated to d places. Two irrational values
 * (√8 and 2√2) are equal when their doubles agree to a relative 1e−11 and, where ./precise.ts
 * covers the functions involved, their 60-digit values agree to 10⁻⁴⁵.
 *
 * With variables: evaluated at seeded random points, exactly (rational arithmetic at rational
 * points) where both sides allow it, otherwise in doubles to a relative 1e−9 at ≥ 6 points, both
 * signs; any disagreement rejects, and so do expressions defined on clearly different domains.
 */
export interface NumericNote {
  why?: string;
}

export const LONG_DECIMAL_PLACES = 6;
const IRRATIONAL_REL_TOL = 1e-11;
const POINT_REL_TOL = 1e-9;

/** Decimal places of a written decimal literal (−0.25 → 2), or undefined when `n` is no literal. */
function literalPlaces(n: Node): number | undefined {
  if (n.t === 'num') return n.places > 0 ? n.places : undefined;
  if (n.t === 'neg' || n.t === 'pct') return literalPlaces(n.a);
  return undefined;
}

function hasInfinity(n: Node): boolean {
  return some(n, (x) => x.t === 'const' && x.name === 'inf');
}

/** d is x rounded to `places` decimals (|x − d| ≤ ½·10^−places) or truncated (d between 0 and x, < 10^−places away). */
function roundsOrTruncatesTo(x: Q | number, d: Q, places: number): boolean {
  const unit = 10 ** -places;
  if (typeof x === 'number') {
    const diff = x - R.toNumber(d);
    const tol = 1e-9 * unit;
    return Math.abs(diff) <= unit / 2 + tol || (diff * Math.sign(x) >= -tol && Math.abs(diff) < unit - tol);
  }
  const diff = R.sub(x, d);
  const scaled = diff && R.mul(diff, R.q(10n ** BigInt(places)));
  if (!scaled) return false;
  const abs = scaled.n < 0n ? R.neg(scaled) : scaled;
  if (R.cmp(abs, R.q(1n, 2n)) <= 0) return true;
  const towardZero = x.n >= 0n === scaled.n >= 0n;
  return towardZero && R.cmp(abs, R.ONE) < 0;
}

/** True when x has at most `places` decimal places (then a decimal literal compares exactly). */
function terminatesWithin(x: Q, places: number): boolean {
  const scaled = R.mul(x, R.q(10n ** BigInt(places)));
  return scaled !== undefined && scaled.d === 1n;
}

export function constantsEqual(a: Node, b: Node, ctx: EvalContext, note: NumericNote): boolean {
  if (hasInfinity(a) || hasInfinity(b)) {
    const fa = float(a, ctx);
    const fb = float(b, ctx);
    return hasInfinity(a) && hasInfinity(b) && !Number.isFinite(fa) && fa === fb;
  }
  const ea = exact(a, ctx);
  const eb = exact(b, ctx);
  if (ea && eb && R.eq(ea, eb)) return true;
  for (const [lit, other, otherExact] of [
    [a, b, eb],
    [b, a, ea],
  ] as const) {
    const places = literalPlaces(lit);
    const litValue = places !== undefined ? exact(lit, ctx) : undefined;
    if (places === undefined || !litValue) continue;
    if (otherExact && terminatesWithin(otherExact, places)) continue;
    if (places < LONG_DECIMAL_PLACES) {
      note.why ??= `the decimal ${places === 1 ? 'has 1 place' : `has ${places} places`}; an approximation needs ≥ ${LONG_DECIMAL_PLACES}`;
      continue;
    }
    if (roundsOrTruncatesTo(otherExact ?? float(other, ctx), litValue, places)) return true;
  }
  if (ea && eb) return false;
  if (literalPlaces(a) !== undefined || literalPlaces(b) !== undefined) return false;
  const fa = float(a, ctx);
  const fb = float(b, ctx);
  if (!Number.isFinite(fa) || !Number.isFinite(fb)) {
    note.why ??= 'a value could not be evaluated';
    return false;
  }
  if (Math.abs(fa - fb) > IRRATIONAL_REL_TOL * Math.max(1, Math.abs(fa), Math.abs(fb))) return false;
  // Doubles agree; 60 digits decide where they can (e^{π√163} is no integer).
  const sure = preciselyEqual(a, b, ctx);
  if (sure === false) note.why ??= 'the values differ beyond double precision';
  return sure ?? true;
}

/** Seeded sample points: small distinct rationals for the exact pass, reals of both signs for doubles. */
function exactPoint(vars: string[], k: number, seed: number): Map<string, Q> {
  const rng = rngFor('verify-exact', seed, k);
  const m = new Map<string, Q>();
  for (const v of vars) {
    const num = BigInt(rng.int(1, 29)) * (rng.next() < 0.5 ? -1n : 1n);
    m.set(v, R.q(num, BigInt(rng.int(1, 7))));
  }
  return m;
}

function floatPoint(vars: string[], k: number, seed: number): Record<string, number> {
  const rng = rngFor('verify-float', seed, k);
  const out: Record<string, number> = {};
  for (const v of vars) out[v] = (0.3 + 3 * rng.next()) * (rng.next() < 0.5 ? -1 : 1);
  return out;
}

export type PointRelation = (a: number, b: number) => boolean;

export interface SampleOptions {
  seed: number;
  points: number;
}

/**
 * Samples f and g at the same points and checks `check.exact` / `check.float` on each pair: how
 * they agreed ('exact': at rational points in exact arithmetic; 'float': in doubles) when every
 * sampled pair passes and enough pairs were comparable, else false. Shared by expression equality
 * and by equation/inequality proportionality.
 */
export function sampleAgree(
  f: (exactScope?: Map<string, Q>, floatScope?: Record<string, number>) => { ex?: Q; fl?: number },
  g: typeof f,
  vars: string[],
  check: { exact: (a: Q, b: Q) => boolean; float: (a: number, b: number) => boolean },
  o: SampleOptions,
): 'exact' | 'float' | false {
  let exactOk = 0;
  let inexact = 0;
  for (let k = 0; k < o.points; k++) {
    const scope = exactPoint(vars, k, o.seed);
    const a = f(scope).ex;
    const b = g(scope).ex;
    if (a && b) {
      if (!check.exact(a, b)) return false;
      exactOk++;
    } else inexact++;
  }
  if (inexact === 0) return exactOk >= Math.min(4, o.points) && 'exact';
  let ok = 0;
  let oneSided = 0;
  const tries = o.points * 4;
  for (let k = 0; k < tries && ok < o.points; k++) {
    const scope = floatPoint(vars, k, o.seed);
    const a = f(undefined, scope).fl;
    const b = g(undefined, scope).fl;
    const fa = a !== undefined && Number.isFinite(a);
    const fb = b !== undefined && Number.isFinite(b);
    if (fa && fb) {
      if (!check.float(a, b)) return false;
      ok++;
    } else if (fa !== fb) oneSided++;
  }
  return ok >= Math.min(6, o.points) && oneSided <= ok && 'float';
}

function evaluator(n: Node, ctx: EvalContext) {
  return (ex?: Map<string, Q>, fl?: Record<string, number>) =>
    ex ? { ex: exact(n, ctx, ex) } : { fl: float(n, ctx, fl) };
}

export function closeDoubles(a: number, b: number, tol = POINT_REL_TOL): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Equality of two expressions in variables (see the rules at the top of this file). */
export function expressionsEqual(a: Node, b: Node, ctx: EvalContext, o: SampleOptions): boolean {
  const vars = [...new Set([...freeSymbols(a), ...freeSymbols(b)])].sort();
  const check = { exact: R.eq, float: (x: number, y: number) => closeDoubles(x, y) };
  const how = sampleAgree(evaluator(a, ctx), evaluator(b, ctx), vars, check, o);
  // Agreement in doubles is checked again to 60 digits at a few more points.
  return how === 'exact' || (how === 'float' && preciselyAgreeAtPoints(a, b, vars, ctx));
}

/**
 * f = c·g for one constant c ≠ 0 (c > 0 when `positive`), over the variables of both: how equations
 * (f = 0) and inequalities (f > 0) that are rearranged or scaled are recognised as the same.
 */
export function proportional(
  f: Node,
  g: Node,
  ctx: EvalContext,
  o: SampleOptions,
  positive: boolean,
): boolean {
  const vars = [...new Set([...freeSymbols(f), ...freeSymbols(g)])].sort();
  if (vars.length === 0) return false;
  let ratioQ: Q | undefined;
  let ratioF: number | undefined;
  const exactCheck = (x: Q, y: Q): boolean => {
    if (x.n === 0n || y.n === 0n) return x.n === 0n && y.n === 0n;
    const r = R.div(x, y)!;
    if (positive && r.n < 0n) return false;
    ratioQ ??= r;
    return R.eq(r, ratioQ);
  };
  const floatCheck = (x: number, y: number): boolean => {
    if (Math.abs(y) < 1e-12 || Math.abs(x) < 1e-12) return Math.abs(x) < 1e-9 && Math.abs(y) < 1e-9;
    const r = x / y;
    if (positive && r < 0) return false;
    ratioF ??= r;
    return closeDoubles(r, ratioF);
  };
  return !!sampleAgree(
    evaluator(f, ctx),
    evaluator(g, ctx),
    vars,
    { exact: exactCheck, float: floatCheck },
    o,
  );
}
