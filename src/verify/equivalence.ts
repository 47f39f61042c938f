import { createRequire } from 'node:module';
import type { MathNode } from 'mathjs';
import { rngFor } from '../tasks/rng.js';
import { cleanLatex, latexToMathjs } from './latex.js';

/**
 * Answer equivalence, in the manner of Math-Verify (written here).
 *
 * Values:
 *  - numbers: integers, decimals, thousands separators ("1,234.5"), signs, a/b, \frac{a}{b},
 *    \dfrac, \sqrt, \pi, scientific notation; compared exactly when both are integers, otherwise
 *    with a RELATIVE tolerance `relTol` (default 1e-6: |a−b| ≤ relTol·max(|a|,|b|), or |a−b| ≤ absTol
 *    = 1e-12 near zero). So 0.5 ≡ 1/2 ≡ \frac{1}{2}, but 0.5 ≢ 0.51 and 0.333 ≢ 1/3.
 *  - percentages ("50%", "50\%"), by `percent`:
 *      'lenient' (DEFAULT): 50% ≡ 50 and 50% ≡ 0.5 (either reading of the percent side);
 *      'fraction': 50% means 0.5 only;  'ignore': the % sign is dropped (50% ≡ 50 only).
 *  - expressions with variables (x^2+2x+1 ≡ (x+1)^2): evaluated with mathjs at `points` seeded
 *    random points (half negative) for the union of their variables; equal when every point where
 *    both are finite and real agrees within tolerance (at least 3 such points needed).
 *  - sets and tuples: `{1,2}` / `\{1,2\}` and a bare list "1, 2" are SETS (unordered: {1,2} ≡ {2,1}
 *    ≡ "2, 1"); `(1,2)` and `[1,2]` are ORDERED tuples ((1,2) ≢ (2,1)) whose brackets must match, which
 *    also makes intervals work: [1,2) ≢ [1,2] ≢ (1,2). A bare list compared with a tuple is ordered.
 *  - "x = 5" compares as "5" (a single variable on the left of a single '=').
 *  - anything else compares as normalised text (case-insensitive, spaces removed).
 */
export type PercentMode = 'lenient' | 'fraction' | 'ignore';

export interface EquivalenceOptions {
  relTol?: number;
  absTol?: number;
  percent?: PercentMode;
  /** Evaluation points for expressions with variables (default 8). */
  points?: number;
  /** Seed of the evaluation points (default 0). */
  seed?: number;
}

export const DEFAULT_EQUIVALENCE: Required<EquivalenceOptions> = {
  relTol: 1e-6,
  absTol: 1e-12,
  percent: 'lenient',
  points: 8,
  seed: 0,
};

export type Value =
  | { kind: 'number'; value: number; int?: bigint; percent: boolean }
  | { kind: 'complex'; re: number; im: number }
  | { kind: 'expr'; node: MathNode; vars: string[]; text: string }
  | { kind: 'set'; items: Value[] }
  | { kind: 'list'; items: Value[] }
  | { kind: 'tuple'; open: string; close: string; items: Value[] }
  | { kind: 'text'; text: string };

// mathjs is loaded through require (its CommonJS build): inside a verifier worker started from
// TypeScript sources, tsx's ESM hooks would otherwise route each of its ~1000 files, which made
// worker start-up several times slower.
const { all, create } = createRequire(import.meta.url)('mathjs') as typeof import('mathjs');

// A restricted mathjs instance: no import, no units created from expressions, no evaluate inside.
const math = create(all, {});
const mparse = math.parse.bind(math);
const disabled = () => {
  throw new Error('function disabled');
};
math.import(
  {
    import: disabled,
    createUnit: disabled,
    evaluate: disabled,
    parse: disabled,
    simplify: disabled,
    derivative: disabled,
    compile: disabled,
    resolve: disabled,
    reviver: disabled,
  },
  { override: true },
);

const CONSTANTS = new Set(['pi', 'e', 'i', 'Infinity', 'NaN', 'tau', 'phi']);
const MAX_EXPR_CHARS = 2000;

/** Splits at top-level commas (outside any bracket). */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((x) => x.trim());
}

/** Index of the bracket closing the one at 0 (any kind, by depth), or −1. */
function closingOf(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

const THOUSANDS_RE = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?%?$/;
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Parses an answer string into a Value (never throws). */
export function parseValue(input: string): Value {
  if (/^\$?\s*\\(?:text|textbf|textrm|mathrm|mbox)\s*\{[^{}]*\}\s*\$?$/.test(input.trim())) {
    return { kind: 'text', text: normText(input) };
  }
  let s = cleanLatex(input);
  // Set literals: \{…\} → {…}.
  s = s.replace(/\\\{/g, '{').replace(/\\\}/g, '}');
  if (s.length > 1 && (s[0] === '{' || s[0] === '(' || s[0] === '[') && closingOf(s) === s.length - 1) {
    const inner = s.slice(1, -1);
    const parts = splitTopLevel(inner);
    if (s[0] === '{') return { kind: 'set', items: parts.filter((p) => p.length > 0).map(parseValue) };
    if (parts.length > 1)
      return { kind: 'tuple', open: s[0], close: s[s.length - 1], items: parts.map(parseValue) };
  }
  if (!THOUSANDS_RE.test(s.replace(/\s+/g, ''))) {
    const parts = splitTopLevel(s);
    if (parts.length > 1) return { kind: 'list', items: parts.filter((p) => p.length > 0).map(parseValue) };
  }
  return parseScalar(s);
}

function parseScalar(input: string): Value {
  let s = input.trim();
  // "x = 5" → "5"
  const eq = /^[a-zA-Z][a-zA-Z0-9_]*\s*=\s*([^=]+)$/.exec(s);
  if (eq) s = eq[1].trim();
  let percent = false;
  if (s.endsWith('%')) {
    percent = true;
    s = s.slice(0, -1).trim();
  }
  const compact = s.replace(/\s+/g, '');
  const plain = THOUSANDS_RE.test(compact) ? compact.replace(/,/g, '') : compact;
  if (NUMBER_RE.test(plain)) {
    const value = Number(plain);
    const int = /^[+-]?\d+$/.test(plain) ? BigInt(plain) : undefined;
    return { kind: 'number', value, int, percent };
  }
  if (s.length === 0 || s.length > MAX_EXPR_CHARS) return { kind: 'text', text: normText(input) };
  try {
    const text = latexToMathjs(s);
    const node = splitSymbols(mparse(text));
    const fnNames = new Set<string>();
    node.traverse((n) => {
      if ((n as { type?: string }).type === 'FunctionNode') {
        const fn = (n as unknown as { fn: { name?: string } }).fn;
        if (fn?.name) fnNames.add(fn.name);
      }
    });
    const vars = new Set<string>();
    node.traverse((n) => {
      const sym = n as unknown as { type?: string; name?: string };
      if (sym.type === 'SymbolNode' && sym.name && !CONSTANTS.has(sym.name) && !fnNames.has(sym.name))
        vars.add(sym.name);
    });
    if (vars.size === 0) {
      const v = toNumber(node.compile().evaluate({}));
      if (v === undefined) return { kind: 'text', text: normText(input) };
      if (typeof v === 'number') return { kind: 'number', value: v, percent };
      return { kind: 'complex', re: v.re, im: v.im };
    }
    return { kind: 'expr', node, vars: [...vars].sort(), text };
  } catch {
    return { kind: 'text', text: normText(input) };
  }
}

/** "xy" → x*y: a multi-letter symbol that is no known constant or function is a product of letters. */
function splitSymbols(node: MathNode): MathNode {
  return node.transform((n, path, parent) => {
    const sym = n as unknown as { type?: string; name?: string };
    if (sym.type !== 'SymbolNode' || !sym.name || sym.name.length < 2 || !/^[a-zA-Z]+$/.test(sym.name))
      return n;
    if (parent && (parent as unknown as { type?: string }).type === 'FunctionNode' && path === 'fn') return n;
    if (
      CONSTANTS.has(sym.name) ||
      typeof (math as unknown as Record<string, unknown>)[sym.name] === 'function'
    )
      return n;
    return mparse([...sym.name].join('*'));
  });
}

function toNumber(v: unknown): number | { re: number; im: number } | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v && typeof v === 'object' && 're' in v && 'im' in v) {
    const c = v as { re: number; im: number };
    return Math.abs(c.im) < 1e-12 ? c.re : { re: c.re, im: c.im };
  }
  if (
    v &&
    typeof v === 'object' &&
    'toNumber' in v &&
    typeof (v as { toNumber: unknown }).toNumber === 'function'
  ) {
    try {
      return (v as { toNumber(): number }).toNumber();
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function normText(s: string): string {
  return cleanLatex(s)
    .replace(/\\text\{|\\mathrm\{/g, '')
    .replace(/[\s{}]/g, '')
    .toLowerCase();
}

function close(a: number, b: number, o: Required<EquivalenceOptions>): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const d = Math.abs(a - b);
  return d <= o.absTol || d <= o.relTol * Math.max(Math.abs(a), Math.abs(b));
}

function numbersEqual(
  a: Extract<Value, { kind: 'number' }>,
  b: Extract<Value, { kind: 'number' }>,
  o: Required<EquivalenceOptions>,
): boolean {
  const readings = (v: typeof a): number[] => {
    if (!v.percent || o.percent === 'ignore') return [v.value];
    if (o.percent === 'fraction') return [v.value / 100];
    return [v.value, v.value / 100];
  };
  if (a.int !== undefined && b.int !== undefined && !a.percent && !b.percent) return a.int === b.int;
  for (const x of readings(a)) for (const y of readings(b)) if (close(x, y, o)) return true;
  return false;
}

function exprEqual(a: Value, b: Value, o: Required<EquivalenceOptions>): boolean {
  const vars = new Set<string>();
  for (const v of [a, b]) if (v.kind === 'expr') v.vars.forEach((x) => vars.add(x));
  const fa = compileValue(a);
  const fb = compileValue(b);
  if (!fa || !fb) return false;
  const rng = rngFor('verify-points', o.seed);
  let valid = 0;
  const names = [...vars];
  for (let k = 0; k < o.points * 3 && valid < o.points; k++) {
    const scope: Record<string, number> = {};
    for (const name of names) {
      const mag = 0.25 + rng.next() * 2.5;
      scope[name] = k % 2 === 0 ? mag : -mag;
    }
    let x: unknown;
    let y: unknown;
    try {
      x = toNumber(fa(scope));
      y = toNumber(fb(scope));
    } catch {
      continue;
    }
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y))
      continue;
    if (!close(x, y, { ...o, absTol: Math.max(o.absTol, 1e-9) })) return false;
    valid++;
  }
  return valid >= Math.min(3, o.points);
}

function compileValue(v: Value): ((scope: Record<string, number>) => unknown) | undefined {
  if (v.kind === 'number') return () => v.value;
  if (v.kind === 'expr') {
    const c = v.node.compile();
    return (scope) => c.evaluate({ ...scope });
  }
  return undefined;
}

/** Matching of two multisets under `eq` (backtracking; answers are small). */
function unorderedEqual(xs: Value[], ys: Value[], eq: (a: Value, b: Value) => boolean): boolean {
  if (xs.length !== ys.length) return false;
  const used = new Array<boolean>(ys.length).fill(false);
  const go = (i: number): boolean => {
    if (i === xs.length) return true;
    for (let j = 0; j < ys.length; j++) {
      if (!used[j] && eq(xs[i], ys[j])) {
        used[j] = true;
        if (go(i + 1)) return true;
        used[j] = false;
      }
    }
    return false;
  };
  return go(0);
}

/** Structural equivalence of two parsed values. */
export function valuesEqual(a: Value, b: Value, options: EquivalenceOptions = {}): boolean {
  const o = { ...DEFAULT_EQUIVALENCE, ...options };
  const eq = (x: Value, y: Value) => valuesEqual(x, y, o);
  if (a.kind === 'number' && b.kind === 'number') return numbersEqual(a, b, o);
  if (a.kind === 'complex' && b.kind === 'complex') return close(a.re, b.re, o) && close(a.im, b.im, o);
  if ((a.kind === 'expr' || a.kind === 'number') && (b.kind === 'expr' || b.kind === 'number')) {
    if (a.kind === 'number' || b.kind === 'number') return false; // a constant never equals an expression in x
    return exprEqual(a, b, o);
  }
  const unordered = (v: Value) => v.kind === 'set' || v.kind === 'list';
  if (unordered(a) && unordered(b))
    return unorderedEqual((a as { items: Value[] }).items, (b as { items: Value[] }).items, eq);
  if (a.kind === 'tuple' && b.kind === 'tuple') {
    return (
      a.open === b.open &&
      a.close === b.close &&
      a.items.length === b.items.length &&
      a.items.every((x, i) => eq(x, b.items[i]))
    );
  }
  if ((a.kind === 'tuple' && b.kind === 'list') || (a.kind === 'list' && b.kind === 'tuple')) {
    return a.items.length === b.items.length && a.items.every((x, i) => eq(x, b.items[i]));
  }
  if (a.kind === 'text' && b.kind === 'text') return a.text === b.text;
  return false;
}

/** True when the two answer strings are equivalent (see the rules at the top of this file). */
export function isEquivalent(
  predicted: string,
  reference: string,
  options: EquivalenceOptions = {},
): boolean {
  if (predicted.trim() === reference.trim() && predicted.trim().length > 0) return true;
  const a = parseValue(predicted);
  const b = parseValue(reference);
  if (valuesEqual(a, b, options)) return true;
  // Last resort: identical normalised text.
  const ta = normText(predicted);
  return ta.length > 0 && ta === normText(reference);
}
