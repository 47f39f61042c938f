import { Decimal } from 'decimal.js';
import type { Node } from './ast.js';
import { exact, type EvalContext } from './evaluate.js';

/**
 * A second, 60-digit evaluation of constants, for when doubles say two values agree but one of
 * them is irrational: doubles cannot tell e^{π√163} from the integer 262537412640768744 (they differ
 * by 7.5·10⁻¹³), 60 digits can. Undefined for what it does not cover (then the doubles stand).
 */
const D = Decimal.clone({ precision: 60, toExpNeg: -1000, toExpPos: 1000 });
type Dec = InstanceType<typeof D>;

const PI = D.acos(-1);
const E = new D(1).exp();

type Scope = Map<string, Dec>;

/** Values equal to 60 digits: |a − b| ≤ 10⁻⁴⁰ · max(1, |a|); undefined where not computable. */
export function preciselyEqual(a: Node, b: Node, ctx: EvalContext, scope?: Scope): boolean | undefined {
  const x = precise(a, ctx, scope);
  const y = precise(b, ctx, scope);
  if (!x || !y || !x.isFinite() || !y.isFinite()) return undefined;
  const scale = D.max(1, x.abs());
  return x.minus(y).abs().lte(scale.times('1e-40'));
}

/**
 * Expressions in `vars` that agreed in doubles, checked again to 60 digits at a few points:
 * false when some point separates them (sin x + 10⁻¹² is not sin x).
 */
export function preciselyAgreeAtPoints(a: Node, b: Node, vars: string[], ctx: EvalContext): boolean {
  for (let k = 0; k < 3; k++) {
    const scope: Scope = new Map(
      vars.map((v, j) => [v, new D(0.61 + 0.37 * k + 0.13 * j).times(k % 2 ? -1 : 1)]),
    );
    if (preciselyEqual(a, b, ctx, scope) === false) return false;
  }
  return true;
}

function precise(n: Node, ctx: EvalContext, scope?: Scope): Dec | undefined {
  const p = (x: Node) => precise(x, ctx, scope);
  const q = exact(n, ctx);
  if (q) return new D(q.n.toString()).div(q.d.toString());
  switch (n.t) {
    case 'sym':
      return scope?.get(n.name);
    case 'const':
      return n.name === 'pi' ? PI : n.name === 'e' ? E : undefined;
    case 'neg':
      return p(n.a)?.neg();
    case 'pct': {
      const a = p(n.a);
      return a && (ctx.percent === 'fraction' ? a.div(100) : a);
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
      return binary(n.t, n.a, n.b, p);
    case 'fn':
      return fn(n.name, n.args.map(p));
    default:
      return undefined;
  }
}

function binary(op: string, an: Node, bn: Node, p: (x: Node) => Dec | undefined): Dec | undefined {
  const a = p(an);
  const b = p(bn);
  if (!a || !b) return undefined;
  if (op === 'add') return a.plus(b);
  if (op === 'sub') return a.minus(b);
  if (op === 'mul') return a.times(b);
  if (op === 'div') return b.isZero() ? undefined : a.div(b);
  if (a.isNeg() && !b.isInteger()) return undefined;
  return a.pow(b);
}

const UNARY: Record<string, (x: Dec) => Dec> = {
  sqrt: (x) => x.sqrt(),
  sin: (x) => x.sin(),
  cos: (x) => x.cos(),
  tan: (x) => x.tan(),
  sec: (x) => new D(1).div(x.cos()),
  csc: (x) => new D(1).div(x.sin()),
  cot: (x) => new D(1).div(x.tan()),
  arcsin: (x) => x.asin(),
  arccos: (x) => x.acos(),
  arctan: (x) => x.atan(),
  sinh: (x) => x.sinh(),
  cosh: (x) => x.cosh(),
  tanh: (x) => x.tanh(),
  exp: (x) => x.exp(),
  ln: (x) => x.ln(),
  abs: (x) => x.abs(),
};

function fn(name: string, args: Array<Dec | undefined>): Dec | undefined {
  if (args.some((a) => a === undefined)) return undefined;
  const a = args as Dec[];
  if (name === 'sqrt' && a[0].isNeg()) return undefined;
  if ((name === 'ln' || name === 'log') && !a[0].isPos()) return undefined;
  if (name === 'log') return a.length === 1 ? a[0].log(10) : a[0].ln().div(a[1].ln());
  if (name === 'root' && a.length === 2 && a[1].isInteger() && !a[0].isNeg())
    return a[0].pow(new D(1).div(a[1]));
  return name in UNARY && a.length === 1 ? UNARY[name](a[0]) : undefined;
}
