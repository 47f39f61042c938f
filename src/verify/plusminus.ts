import { some, type Node } from './ast.js';
import { equationValue, isArith } from './shape.js';

/**
 * a ± b as the list {a + b, a − b}: each ± doubles the list (up to four of them); a list or set of
 * such answers expands item by item, "x = 1 ± √2" by its right side. Undefined when not expandable.
 */
export function expandPlusMinus(n: Node): Node[] | undefined {
  if (n.t === 'seq' && (n.open === '' || n.open === '{')) {
    const out: Node[] = [];
    for (const item of n.items) {
      const e = expandPlusMinus(item);
      if (!e) return undefined;
      out.push(...e);
    }
    return out;
  }
  if (n.t === 'rel') {
    const v = equationValue(n);
    return v ? expandPlusMinus(v) : undefined;
  }
  if (!isArith(n) && !some(n, (x) => x.t === 'pm')) return [n];
  let variants: Node[] = [n];
  for (let guard = 0; guard < 4; guard++) {
    const next: Node[] = [];
    let found = false;
    for (const v of variants) {
      const split = splitFirstPm(v);
      if (split) {
        found = true;
        next.push(...split);
      } else next.push(v);
    }
    variants = next;
    if (!found) return variants;
  }
  return undefined;
}

/** Replaces the first ± in `n` (pre-order) by + and by −. */
function splitFirstPm(n: Node): [Node, Node] | undefined {
  if (n.t === 'pm')
    return [
      { t: 'add', a: n.a, b: n.b },
      { t: 'sub', a: n.a, b: n.b },
    ];
  const keys = ['a', 'b'] as const;
  for (const k of keys) {
    const child = (n as Record<string, unknown>)[k] as Node | undefined;
    if (!child || typeof child !== 'object' || !('t' in child)) continue;
    const s = splitFirstPm(child);
    if (s) return [{ ...n, [k]: s[0] } as Node, { ...n, [k]: s[1] } as Node];
  }
  if (n.t === 'fn') {
    for (let i = 0; i < n.args.length; i++) {
      const s = splitFirstPm(n.args[i]);
      if (s) return s.map((x) => ({ ...n, args: n.args.map((y, j) => (j === i ? x : y)) })) as [Node, Node];
    }
  }
  return undefined;
}
