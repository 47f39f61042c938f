import type { Q } from './rational.js';

/** Relation operators, normalised: '<=' for \le, \leq, ≤; '!=' for \ne, \neq, ≠. */
export type RelOp = '=' | '<' | '<=' | '>' | '>=' | '!=';

/**
 * The parsed form of an answer. Arithmetic nodes and the structures an answer can have (sequences,
 * unions, relations, matrices, text) share one type so a parser can nest them.
 */
export type Node =
  /** A literal number; `places` = decimal places as written (0 for integers), for the precision rule. */
  | { t: 'num'; v: Q; places: number }
  /** A numeral with a base subscript (204_5): compared as written, never converted. */
  | { t: 'based'; digits: string; base: string }
  | { t: 'sym'; name: string }
  | { t: 'const'; name: 'pi' | 'e' | 'inf' }
  | { t: 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'pm'; a: Node; b: Node }
  | { t: 'neg' | 'pct'; a: Node }
  /** sqrt, root (x, n), sin…, ln, log (x[, base]), abs, fact, binom, floor, ceil. */
  | { t: 'fn'; name: string; args: Node[] }
  /** open: '(' '[' for tuples and intervals, '{' for sets written \{…\}, '' for a bare list. */
  | { t: 'seq'; open: string; close: string; items: Node[] }
  | { t: 'union'; parts: Node[] }
  | { t: 'rel'; ops: RelOp[]; sides: Node[] }
  | { t: 'matrix'; rows: Node[][] }
  | { t: 'text'; text: string };

/** True when some node in the tree satisfies `pred`. */
export function some(n: Node, pred: (x: Node) => boolean): boolean {
  if (pred(n)) return true;
  return children(n).some((c) => some(c, pred));
}

export function children(n: Node): Node[] {
  if ('b' in n) return [n.a, n.b];
  if ('a' in n) return [n.a];
  if (n.t === 'fn') return n.args;
  if (n.t === 'seq') return n.items;
  if (n.t === 'union') return n.parts;
  if (n.t === 'rel') return n.sides;
  if (n.t === 'matrix') return n.rows.flat();
  return [];
}

/** Free variables (sorted). */
export function freeSymbols(n: Node): string[] {
  const out = new Set<string>();
  some(n, (x) => {
    if (x.t === 'sym') out.add(x.name);
    return false;
  });
  return [...out].sort();
}
