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
  switch (n.t) {
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
    case 'pm':
      return [n.a, n.b];
    case 'neg':
    case 'pct':
      return [n.a];
    case 'fn':
      return n.args;
    case 'seq':
      return n.items;
    case 'union':
      return n.parts;
    case 'rel':
      return n.sides;
    case 'matrix':
      return n.rows.flat();
    default:
      return [];
  }
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

/** Rebuilds a tree bottom-up through `f`. */
export function mapNode(n: Node, f: (x: Node) => Node): Node {
  const m = (x: Node) => mapNode(x, f);
  switch (n.t) {
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
    case 'pm':
      return f({ ...n, a: m(n.a), b: m(n.b) });
    case 'neg':
    case 'pct':
      return f({ ...n, a: m(n.a) });
    case 'fn':
      return f({ ...n, args: n.args.map(m) });
    case 'seq':
      return f({ ...n, items: n.items.map(m) });
    case 'union':
      return f({ ...n, parts: n.parts.map(m) });
    case 'rel':
      return f({ ...n, sides: n.sides.map(m) });
    case 'matrix':
      return f({ ...n, rows: n.rows.map((r) => r.map(m)) });
    default:
      return f(n);
  }
}
