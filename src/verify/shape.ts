/** Small questions about a parsed answer's shape, shared by the comparison and the ± expansion. */
import { some, type Node } from './ast.js';

const ARITH = new Set([
  'num',
  'based',
  'sym',
  'const',
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'neg',
  'pct',
  'fn',
]);
export const isArith = (n: Node): boolean => !some(n, (x) => !ARITH.has(x.t));

/** The value of "x = …" or "f(x) = …" (the last side of a chain), else undefined. */
export function equationValue(n: Node): Node | undefined {
  if (n.t !== 'rel' || !n.ops.every((o) => o === '=') || !isNamed(n.sides[0])) return undefined;
  return n.sides[n.sides.length - 1];
}

/** A variable (x, a_1) or an unknown function applied (f(x)): what may stand left of "=" in "x = 5". */
export function isNamed(n: Node): boolean {
  return n.t === 'sym' || (n.t === 'fn' && n.name.endsWith('()'));
}
