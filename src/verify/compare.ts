import { freeSymbols, some, type Node } from './ast.js';
import type { EvalContext, PercentReading } from './evaluate.js';
import { asIntervals, flip, type Interval } from './intervals.js';
import { constantsEqual, expressionsEqual, proportional, type NumericNote } from './numeric.js';
import { expandPlusMinus } from './plusminus.js';
import { equationValue, isArith } from './shape.js';

/**
 * Structural equivalence of a gold answer and a predicted one (both parsed). The rules, each
 * documented where it is applied:
 *  - text compares as normalised words; text never equals math;
 *  - "x = 5" equals 5 (a single variable left of `=`, chains such as x = 2+3 = 5 read by their last
 *    side), in both directions; two equations are equal when one is a non-zero multiple of the
 *    other after moving everything to one side (y = 2x+1 ≡ 2x − y + 1 = 0, y = 2x+1 ≢ y = 2x−1);
 *  - inequalities in one variable equal their solution intervals (x ≥ 5 ≡ [5, ∞)); other
 *    inequalities must be positive multiples of each other (x < 1 ≡ −x > −1);
 *  - \{…\} sets and bare lists "1, 2" are order-free; (…) and […] tuples and intervals are ordered
 *    and their brackets must match; a bare list against a (…) tuple is ordered;
 *  - a ± b is the set {a + b, a − b};
 *  - matrices by shape and entries (pmatrix ≡ bmatrix); a column or row vector equals a (…) tuple;
 *  - numbers and expressions by ./numeric.ts.
 */
export interface CompareOptions {
  /** How % is read: 'strip' (50% = 50), 'fraction' (50% = 0.5) or 'either' (both, if one side has %). */
  percent?: PercentReading | 'either';
  /** Points sampled per comparison of expressions with variables (default 8). */
  points?: number;
  /** Seed of the sample points (default 0). */
  seed?: number;
}

export interface Comparison {
  equal: boolean;
  /** Why not, when `equal` is false. */
  why: string;
}

interface Ctx {
  eval: EvalContext;
  points: number;
  seed: number;
  note: NumericNote;
}

export function compareAnswers(gold: Node, pred: Node, options: CompareOptions = {}): Comparison {
  const readings: PercentReading[] =
    options.percent === 'either' ? ['strip', 'fraction'] : [options.percent ?? 'strip'];
  const note: NumericNote = {};
  for (const percent of readings) {
    const ctx: Ctx = { eval: { percent }, points: options.points ?? 8, seed: options.seed ?? 0, note };
    if (equal(gold, pred, ctx)) return { equal: true, why: '' };
  }
  return { equal: false, why: note.why ?? describeMismatch(gold, pred) };
}

function describeMismatch(gold: Node, pred: Node): string {
  const [k, kp] = [kind(gold), kind(pred)];
  return k === kp
    ? `the ${k === 'inequality' ? 'inequalities' : `${k}s`} differ`
    : `${withArticle(kp)} does not match ${withArticle(k)}`;
}

const withArticle = (k: string) => (/^[aeiou]/.test(k) ? `an ${k}` : `a ${k}`);

function kind(n: Node): string {
  switch (n.t) {
    case 'seq':
      return n.open === '{' ? 'set' : n.open === '' ? 'list' : 'tuple or interval';
    case 'rel':
      return n.ops.every((o) => o === '=') ? 'equation' : 'inequality';
    case 'union':
      return 'union';
    case 'matrix':
      return 'matrix';
    case 'text':
      return 'text';
    default:
      return 'value';
  }
}

function equal(g: Node, p: Node, ctx: Ctx): boolean {
  if (g.t === 'text' || p.t === 'text')
    return g.t === 'text' && p.t === 'text' && g.text === p.text && g.text.length > 0;
  if (some(g, (x) => x.t === 'pm') || some(p, (x) => x.t === 'pm')) return plusMinusEqual(g, p, ctx);
  if (g.t === 'rel' || p.t === 'rel') return relationEqual(g, p, ctx);
  if (isArith(g) && isArith(p)) return valueEqual(g, p, ctx);
  if (g.t === 'matrix' || p.t === 'matrix') return matrixEqual(g, p, ctx);
  if (g.t === 'seq' && p.t === 'seq') return seqEqual(g, p, ctx);
  if (g.t === 'union' || p.t === 'union') return intervalsEqual(g, p, ctx);
  return false;
}

function valueEqual(g: Node, p: Node, ctx: Ctx): boolean {
  // Identical trees are equal even when too large to evaluate (9^{9^9}).
  if (sameText(g, p)) return true;
  if (some(g, (x) => x.t === 'based') || some(p, (x) => x.t === 'based')) return false;
  const vars = new Set([...freeSymbols(g), ...freeSymbols(p)]);
  if (vars.size === 0) return constantsEqual(g, p, ctx.eval, ctx.note);
  return expressionsEqual(g, p, ctx.eval, { seed: ctx.seed, points: ctx.points });
}

/** Numerals in a base (204_5) are compared as written. */
function sameText(g: Node, p: Node): boolean {
  return JSON.stringify(g, bigintJson) === JSON.stringify(p, bigintJson);
}
const bigintJson = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

function relationEqual(g: Node, p: Node, ctx: Ctx): boolean {
  if (g.t !== 'rel' || p.t !== 'rel') {
    const rel = g.t === 'rel' ? g : p;
    const other = g.t === 'rel' ? p : g;
    const value = equationValue(rel);
    if (value) return g === rel ? equal(value, other, ctx) : equal(other, value, ctx);
    return intervalsEqual(g, p, ctx);
  }
  const eqG = g.ops.every((o) => o === '=');
  const eqP = p.ops.every((o) => o === '=');
  if (eqG !== eqP) return false;
  if (!eqG) return inequalitiesEqual(g, p, ctx);
  const vg = equationValue(g);
  const vp = equationValue(p);
  const lhsG = g.sides[0];
  const lhsP = p.sides[0];
  if (vg && vp && sameText(lhsG, lhsP)) return equal(vg, vp, ctx);
  const diff = (r: typeof g): Node => ({ t: 'sub', a: r.sides[0], b: r.sides[r.sides.length - 1] });
  return isArith(diff(g)) && isArith(diff(p)) && proportional(diff(g), diff(p), ctx.eval, sample(ctx), false);
}

const sample = (ctx: Ctx) => ({ seed: ctx.seed, points: ctx.points });

function inequalitiesEqual(
  g: Extract<Node, { t: 'rel' }>,
  p: Extract<Node, { t: 'rel' }>,
  ctx: Ctx,
): boolean {
  const ig = asIntervals(g);
  const ip = asIntervals(p);
  if (ig && ip) return ig.variable === ip.variable && intervalListsEqual(ig.parts, ip.parts, ctx);
  if (g.ops.length > 1 || p.ops.length > 1) return chainsEqual(g, p, ctx);
  const gap = (r: typeof g): { expr: Node; strict: boolean } | undefined => {
    const [l, rr] = r.sides;
    const op = r.ops[0];
    if (op === '!=') return undefined;
    const up = op === '<' || op === '<=';
    return { expr: up ? { t: 'sub', a: rr, b: l } : { t: 'sub', a: l, b: rr }, strict: !op.includes('=') };
  };
  const a = gap(g);
  const b = gap(p);
  return !!a && !!b && a.strict === b.strict && proportional(a.expr, b.expr, ctx.eval, sample(ctx), true);
}

/** Chains (a < b < c) side by side, also read backwards with the relations flipped (c > b > a). */
function chainsEqual(g: Extract<Node, { t: 'rel' }>, p: Extract<Node, { t: 'rel' }>, ctx: Ctx): boolean {
  if (g.ops.length !== p.ops.length) return false;
  const same = (sides: Node[], ops: string[]) =>
    ops.every((o, i) => o === g.ops[i]) && sides.every((s, i) => equal(g.sides[i], s, ctx));
  return same(p.sides, p.ops) || same([...p.sides].reverse(), [...p.ops].reverse().map(flip));
}

/** Interval notation against interval notation or a one-variable inequality. */
function intervalsEqual(g: Node, p: Node, ctx: Ctx): boolean {
  const ig = asIntervals(g);
  const ip = asIntervals(p);
  if (!ig || !ip) return false;
  // An open pair (a, b) without ∞ may be a point: only another interval notation may match it.
  if ((ig.variable || ip.variable) && (ambiguousPair(g) || ambiguousPair(p))) return false;
  if (ig.variable && ip.variable && ig.variable !== ip.variable) return false;
  return intervalListsEqual(ig.parts, ip.parts, ctx);
}

function ambiguousPair(n: Node): boolean {
  return (
    n.t === 'seq' && n.open === '(' && n.close === ')' && !some(n, (x) => x.t === 'const' && x.name === 'inf')
  );
}

function intervalListsEqual(a: Interval[], b: Interval[], ctx: Ctx): boolean {
  const same = (x: Interval, y: Interval) =>
    x.loClosed === y.loClosed &&
    x.hiClosed === y.hiClosed &&
    equal(x.lo, y.lo, ctx) &&
    equal(x.hi, y.hi, ctx);
  return matchUnordered(a, b, same);
}

/**
 * Multiset equality under `same`, matched greedily: `same` is an equivalence (equal values), so the
 * first free partner is as good as any and no backtracking (factorial in the worst case) is needed.
 */
export function matchUnordered<T>(xs: T[], ys: T[], same: (x: T, y: T) => boolean): boolean {
  if (xs.length !== ys.length) return false;
  const used = new Array<boolean>(ys.length).fill(false);
  for (const x of xs) {
    const j = ys.findIndex((y, k) => !used[k] && same(x, y));
    if (j < 0) return false;
    used[j] = true;
  }
  return true;
}

function seqEqual(g: Extract<Node, { t: 'seq' }>, p: Extract<Node, { t: 'seq' }>, ctx: Ctx): boolean {
  const eq = (x: Node, y: Node) => equal(x, y, ctx);
  const unordered = (s: typeof g) => s.open === '{' || s.open === '';
  if (unordered(g) && unordered(p)) return matchUnordered(g.items, p.items, eq);
  if (g.items.length !== p.items.length) return false;
  const bracketsMatch = g.open === p.open && g.close === p.close;
  const listVsPair =
    (g.open === '' && p.open === '(' && p.close === ')') ||
    (p.open === '' && g.open === '(' && g.close === ')');
  if (!bracketsMatch && !listVsPair) return false;
  return g.items.every((x, i) => eq(x, p.items[i]));
}

/** Matrices by shape and entries; an n×1 or 1×n matrix also equals an n-tuple in parentheses. */
function matrixEqual(g: Node, p: Node, ctx: Ctx): boolean {
  const rows = (n: Node): Node[][] | undefined => {
    if (n.t === 'matrix') return n.rows;
    if (n.t === 'seq' && n.open === '(' && n.close === ')') return n.items.map((x) => [x]);
    return undefined;
  };
  let a = rows(g);
  let b = rows(p);
  if (!a || !b) return false;
  const isRow = (m: Node[][]) => m.length === 1;
  if (g.t !== 'matrix' && isRow(b)) b = b[0].map((x) => [x]);
  if (p.t !== 'matrix' && isRow(a)) a = a[0].map((x) => [x]);
  if (a.length !== b.length || a.some((r, i) => r.length !== b![i].length)) return false;
  return a.every((r, i) => r.every((x, j) => equal(x, b![i][j], ctx)));
}

/** a ± b → {a + b, a − b} (each ± doubles the set), compared order-free. */
function plusMinusEqual(g: Node, p: Node, ctx: Ctx): boolean {
  const ga = expandPlusMinus(g);
  const pa = expandPlusMinus(p);
  if (!ga || !pa) return false;
  return matchUnordered(ga, pa, (x, y) => equal(x, y, ctx));
}
