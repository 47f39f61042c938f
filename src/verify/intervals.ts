import { freeSymbols, type Node, type RelOp } from './ast.js';

/** One piece of a subset of the real line; a point p is [p, p]. */
export interface Interval {
  lo: Node;
  hi: Node;
  loClosed: boolean;
  hiClosed: boolean;
}

const NEG_INF: Node = { t: 'neg', a: { t: 'const', name: 'inf' } };
const POS_INF: Node = { t: 'const', name: 'inf' };

/**
 * Reads a node as a union of intervals when it is one: (a, b], [a, b), [a, b] (an open (a, b) too,
 * which is also a pair: both readings compare alike), \{p, q\} (points), a union of those, or a
 * one-variable inequality ("x ≥ 5", "-1 < x ≤ 2", "x ≠ 3"). Returns the variable name for
 * inequalities so that x ≥ 5 and y ≥ 5 stay different.
 */
export function asIntervals(n: Node): { parts: Interval[]; variable?: string } | undefined {
  if (n.t === 'union') {
    const parts: Interval[] = [];
    for (const p of n.parts) {
      const r = asIntervals(p);
      if (!r || r.variable) return undefined;
      parts.push(...r.parts);
    }
    return { parts };
  }
  if (n.t === 'seq' && (n.open === '(' || n.open === '[') && n.items.length === 2)
    return {
      parts: [{ lo: n.items[0], hi: n.items[1], loClosed: n.open === '[', hiClosed: n.close === ']' }],
    };
  if (n.t === 'seq' && n.open === '{')
    return { parts: n.items.map((p) => ({ lo: p, hi: p, loClosed: true, hiClosed: true })) };
  if (n.t === 'rel') return inequalityIntervals(n.ops, n.sides);
  return undefined;
}

function isVar(n: Node): n is { t: 'sym'; name: string } {
  return n.t === 'sym';
}

function inequalityIntervals(
  ops: RelOp[],
  sides: Node[],
): { parts: Interval[]; variable?: string } | undefined {
  if (ops.includes('=')) return undefined;
  if (ops.length === 1) {
    let [l, r] = sides;
    let op = ops[0];
    if (!isVar(l)) {
      [l, r] = [r, l];
      op = flip(op);
    }
    if (!isVar(l) || freeSymbols(r).length > 0) return undefined;
    return { parts: oneSided(op, r), variable: l.name };
  }
  if (ops.length === 2) {
    const [a, x, b] = sides;
    if (!isVar(x) || freeSymbols(a).length > 0 || freeSymbols(b).length > 0) return undefined;
    const up = ops.every((o) => o === '<' || o === '<=');
    const down = ops.every((o) => o === '>' || o === '>=');
    if (!up && !down) return undefined;
    const [lo, hi, loOp, hiOp] = up ? [a, b, ops[0], ops[1]] : [b, a, ops[1], ops[0]];
    return {
      parts: [{ lo, hi, loClosed: loOp.includes('='), hiClosed: hiOp.includes('=') }],
      variable: x.name,
    };
  }
  return undefined;
}

export function flip(op: RelOp): RelOp {
  const m: Record<RelOp, RelOp> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '=': '=', '!=': '!=' };
  return m[op];
}

/** x op c as intervals. */
function oneSided(op: RelOp, c: Node): Interval[] {
  switch (op) {
    case '<':
    case '<=':
      return [{ lo: NEG_INF, hi: c, loClosed: false, hiClosed: op === '<=' }];
    case '>':
    case '>=':
      return [{ lo: c, hi: POS_INF, loClosed: op === '>=', hiClosed: false }];
    default:
      return [
        { lo: NEG_INF, hi: c, loClosed: false, hiClosed: false },
        { lo: c, hi: POS_INF, loClosed: false, hiClosed: false },
      ];
  }
}
