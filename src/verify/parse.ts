import type { Node, RelOp } from './ast.js';
import { FUNCTIONS, lex, ParseError, type Tok } from './lexer.js';
import { parseDecimal, ZERO } from './rational.js';

export { ParseError } from './lexer.js';

const REL_CMDS: Record<string, RelOp> = {
  le: '<=',
  leq: '<=',
  leqslant: '<=',
  ge: '>=',
  geq: '>=',
  geqslant: '>=',
  lt: '<',
  gt: '>',
  ne: '!=',
  neq: '!=',
  approx: '=',
  equiv: '=',
};
const REL_OPS: Record<string, RelOp> = { '=': '=', '<': '<', '>': '>', '<=': '<=', '>=': '>=', '!=': '!=' };
const GREEK = new Set(
  (
    'alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi rho ' +
    'sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Sigma Phi Psi Omega'
  ).split(' '),
);
const MATRIX_ENVS = new Set(['pmatrix', 'bmatrix', 'matrix', 'Bmatrix', 'smallmatrix', 'array']);
/** Letters read as function names when followed by "(": f(x) is f applied to x, not f·x. */
const FUNCTION_LETTERS = new Set(['f', 'g', 'h']);
const MUL_CMDS = new Set(['cdot', 'times', 'ast']);
/** Commands that start a primary, so that juxtaposition means multiplication. */
const PRIMARY_CMDS = new Set([
  'frac',
  'sqrt',
  'binom',
  'pi',
  'infty',
  'lfloor',
  'lceil',
  'begin',
  'emptyset',
  'varnothing',
  ...FUNCTIONS,
  ...GREEK,
]);

/**
 * Recursive-descent parser of one answer (LaTeX or plain). Precedence, loosest first: top-level
 * commas (a list), relations (=, <, \le, … chained), \cup, + − \pm, × ÷ and juxtaposition, unary
 * sign, ^ (right-assoc), postfix ! and %. Braces group; `\frac12`, `\sqrt3`, `x^23` (= x²·3) follow
 * TeX's one-token arguments. Throws ParseError on anything it does not understand.
 */
export function parseMath(input: string): Node {
  const p = new Parser(lex(input));
  const node = p.list();
  if (!p.done()) throw new ParseError(`unexpected "${p.peek()?.s}"`);
  return node;
}

/** Deepest bracket nesting read; deeper answers are not math a person would write. */
const MAX_DEPTH = 100;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private toks: Tok[]) {}

  done(): boolean {
    return this.i >= this.toks.length;
  }
  peek(off = 0): Tok | undefined {
    return this.toks[this.i + off];
  }
  private isOp(s: string, off = 0): boolean {
    const t = this.peek(off);
    return t !== undefined && t.k === 'op' && t.s === s;
  }
  private isCmd(s: string): boolean {
    const t = this.peek();
    return t !== undefined && t.k === 'cmd' && t.s === s;
  }
  private next(): Tok {
    const t = this.toks[this.i++];
    if (!t) throw new ParseError('unexpected end (cut off?)');
    return t;
  }
  private expectOp(s: string): void {
    const t = this.next();
    if (t.k !== 'op' || t.s !== s) throw new ParseError(`expected "${s}", got "${t.s}"`);
  }

  list(): Node {
    const items = [this.relation()];
    while (this.isOp(',') || this.isOp(';')) {
      this.next();
      items.push(this.relation());
    }
    return items.length > 1 ? { t: 'seq', open: '', close: '', items } : items[0];
  }

  private relOp(): RelOp | undefined {
    const t = this.peek();
    if (!t) return undefined;
    if (t.k === 'op') return REL_OPS[t.s];
    if (t.k === 'cmd') return REL_CMDS[t.s];
    return undefined;
  }

  private relation(): Node {
    const sides = [this.union()];
    const ops: RelOp[] = [];
    for (let op = this.relOp(); op; op = this.relOp()) {
      this.next();
      ops.push(op);
      sides.push(this.union());
    }
    return ops.length > 0 ? { t: 'rel', ops, sides } : sides[0];
  }

  private union(): Node {
    const parts = [this.sum()];
    while (this.isCmd('cup')) {
      this.next();
      parts.push(this.sum());
    }
    return parts.length > 1 ? { t: 'union', parts } : parts[0];
  }

  private sum(): Node {
    let left = this.term();
    for (;;) {
      if (this.isOp('+') || this.isOp('-')) {
        const op = this.next().s === '+' ? 'add' : 'sub';
        left = { t: op, a: left, b: this.term() };
      } else if (this.isCmd('pm') || this.isCmd('mp')) {
        this.next();
        left = { t: 'pm', a: left, b: this.term() };
      } else return left;
    }
  }

  private term(): Node {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (!t) return left;
      if ((t.k === 'op' && t.s === '*') || (t.k === 'cmd' && MUL_CMDS.has(t.s))) {
        this.next();
        left = { t: 'mul', a: left, b: this.unary() };
      } else if ((t.k === 'op' && t.s === '/') || (t.k === 'cmd' && t.s === 'div')) {
        this.next();
        left = { t: 'div', a: left, b: this.unary() };
      } else if (this.startsPrimary(t)) {
        if (t.k === 'num' && endsInNumber(left)) throw new ParseError('two numbers side by side');
        const right = this.power();
        if (isMixedNumber(left, right)) left = { t: 'add', a: left, b: right };
        else if (left.t === 'neg' && isMixedNumber(left.a, right))
          left = { t: 'neg', a: { t: 'add', a: left.a, b: right } };
        else left = { t: 'mul', a: left, b: right };
      } else return left;
    }
  }

  private startsPrimary(t: Tok): boolean {
    if (t.k === 'num' || t.k === 'id' || t.k === 'word') return true;
    if (t.k === 'cmd') return PRIMARY_CMDS.has(t.s);
    return t.s === '(' || t.s === '{';
  }

  private unary(): Node {
    if (this.isOp('-')) {
      this.next();
      return { t: 'neg', a: this.unary() };
    }
    if (this.isOp('+')) {
      this.next();
      return this.unary();
    }
    if (this.isCmd('pm') || this.isCmd('mp')) {
      this.next();
      return { t: 'pm', a: { t: 'num', v: ZERO, places: 0 }, b: this.unary() };
    }
    return this.power();
  }

  private power(): Node {
    const base = this.postfix();
    if (!this.isOp('^')) return base;
    this.next();
    const exp = this.script();
    return this.postfixOps({ t: 'pow', a: base, b: exp });
  }

  /** The argument of ^: a {group}, a (group), one token, or a signed one. */
  private script(): Node {
    if (this.isOp('-')) {
      this.next();
      return { t: 'neg', a: this.script() };
    }
    if (this.isOp('(')) return this.postfix();
    return this.arg();
  }

  private postfix(): Node {
    return this.postfixOps(this.primary());
  }

  private postfixOps(node: Node): Node {
    for (;;) {
      if (this.isOp('!')) {
        this.next();
        if (this.isOp('!')) throw new ParseError('double factorial is not supported');
        node = { t: 'fn', name: 'fact', args: [node] };
      } else if (this.isOp('%')) {
        this.next();
        node = { t: 'pct', a: node };
      } else return node;
    }
  }

  /** A TeX macro argument: a {group} or a single token (one digit of a longer number). */
  private arg(): Node {
    const t = this.peek();
    if (!t) throw new ParseError('missing argument (cut off?)');
    if (t.k === 'op' && t.s === '{') return this.primary();
    if (t.k === 'num' && t.s.length > 1 && /^\d/.test(t.s)) {
      this.toks[this.i] = { k: 'num', s: t.s.slice(1) };
      return numberNode(t.s[0]);
    }
    if (t.k === 'num' || t.k === 'id' || t.k === 'cmd') return this.primary();
    throw new ParseError(`bad argument "${t.s}"`);
  }

  private primary(): Node {
    const t = this.next();
    switch (t.k) {
      case 'num':
        return this.subscripted(numberNode(t.s), t.s);
      case 'id':
        if (FUNCTION_LETTERS.has(t.s) && this.isOp('(')) return this.application(t.s);
        return this.subscripted(t.s === 'e' ? { t: 'const', name: 'e' } : { t: 'sym', name: t.s }, t.s);
      case 'word':
        throw new ParseError(`word "${t.s}" in a math answer`);
      case 'cmd':
        return this.command(t.s);
      case 'op':
        return this.bracketed(t.s);
    }
  }

  /** f(x), g(2): an unknown function applied (never evaluated; equal only to the same application). */
  private application(name: string): Node {
    const g = this.bracketed(this.next().s);
    const args = g.t === 'seq' && g.open === '(' ? g.items : [g];
    return { t: 'fn', name: `${name}()`, args };
  }

  /** x_1, a_{n+1} (a new variable name); 204_5 (a numeral in base 5). */
  private subscripted(node: Node, text: string): Node {
    if (!this.isOp('_')) return node;
    this.next();
    const sub = this.rawGroup();
    if (node.t === 'num') return { t: 'based', digits: text, base: sub };
    if (node.t === 'sym') return { t: 'sym', name: `${node.name}_${sub}` };
    return { t: 'sym', name: `${text}_${sub}` };
  }

  /** The tokens of a {group} or one token, as text (for subscripts). */
  private rawGroup(): string {
    if (!this.isOp('{')) {
      const t = this.next();
      if (t.k === 'num' && t.s.length > 1) {
        this.toks[--this.i] = { k: 'num', s: t.s.slice(1) };
        return t.s[0];
      }
      return t.s;
    }
    this.next();
    let depth = 1;
    const parts: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.k === 'op' && t.s === '{') depth++;
      if (t.k === 'op' && t.s === '}' && --depth === 0) return parts.join('');
      parts.push(t.k === 'cmd' ? `\\${t.s}` : t.s);
    }
  }

  private bracketed(open: string): Node {
    if (++this.depth > MAX_DEPTH) throw new ParseError('brackets nested too deeply');
    try {
      return this.bracketedBody(open);
    } finally {
      this.depth--;
    }
  }

  private bracketedBody(open: string): Node {
    if (open === '(' || open === '[') {
      const inner = this.list();
      const close = this.next();
      if (close.k !== 'op' || (close.s !== ')' && close.s !== ']'))
        throw new ParseError(`expected ")" or "]", got "${close.s}"`);
      if (inner.t === 'seq' && inner.open === '')
        return { t: 'seq', open, close: close.s, items: inner.items };
      if (open === '(' && close.s === ')') return inner;
      if (open === '[' && close.s === ']') return inner;
      throw new ParseError(`mismatched brackets ${open}…${close.s}`);
    }
    if (open === '{') {
      const inner = this.list();
      if (this.isCmd('choose')) {
        this.next();
        const k = this.list();
        this.expectOp('}');
        return { t: 'fn', name: 'binom', args: [inner, k] };
      }
      this.expectOp('}');
      return inner;
    }
    if (open === '\\{') {
      if (this.isOp('\\}')) {
        this.next();
        return { t: 'seq', open: '{', close: '}', items: [] };
      }
      const inner = this.list();
      this.expectOp('\\}');
      const items = inner.t === 'seq' && inner.open === '' ? inner.items : [inner];
      return { t: 'seq', open: '{', close: '}', items };
    }
    if (open === '|') {
      const inner = this.sum();
      this.expectOp('|');
      return { t: 'fn', name: 'abs', args: [inner] };
    }
    throw new ParseError(`unexpected "${open}"`);
  }

  private command(name: string): Node {
    if (GREEK.has(name)) return this.subscripted({ t: 'sym', name }, name);
    switch (name) {
      case 'frac':
        return { t: 'div', a: this.arg(), b: this.arg() };
      case 'binom':
        return { t: 'fn', name: 'binom', args: [this.arg(), this.arg()] };
      case 'sqrt':
        return this.root();
      case 'pi':
        return { t: 'const', name: 'pi' };
      case 'infty':
        return { t: 'const', name: 'inf' };
      case 'emptyset':
      case 'varnothing':
        return { t: 'seq', open: '{', close: '}', items: [] };
      case 'lfloor':
      case 'lceil':
        return this.floorCeil(name);
      case 'begin':
        return this.matrix();
    }
    if (FUNCTIONS.has(name)) return this.func(name);
    throw new ParseError(`unknown command \\${name}`);
  }

  private root(): Node {
    let index: Node | undefined;
    if (this.isOp('[')) {
      this.next();
      index = this.sum();
      this.expectOp(']');
    }
    const body = this.arg();
    return index ? { t: 'fn', name: 'root', args: [body, index] } : { t: 'fn', name: 'sqrt', args: [body] };
  }

  private floorCeil(name: string): Node {
    const inner = this.sum();
    const close = this.next();
    const want = name === 'lfloor' ? 'rfloor' : 'rceil';
    if (close.k !== 'cmd' || close.s !== want) throw new ParseError(`expected \\${want}`);
    return { t: 'fn', name: name.slice(1), args: [inner] };
  }

  /** \sin x, \sin(x), \sin^2 x, \log_2 8, \gcd(a, b). */
  private func(name: string): Node {
    let power: Node | undefined;
    let base: Node | undefined;
    for (let k = 0; k < 2; k++) {
      if (this.isOp('^')) {
        this.next();
        power = this.script();
      } else if (this.isOp('_')) {
        this.next();
        base = this.arg();
      }
    }
    let args: Node[];
    if (this.isOp('(')) {
      const g = this.bracketed(this.next().s);
      args = g.t === 'seq' && g.open === '(' ? g.items : [g];
    } else args = [this.fnArgument()];
    if (base) args.push(base);
    const inverse =
      power && power.t === 'neg' && power.a.t === 'num' && power.a.v.n === 1n && power.a.v.d === 1n;
    const call: Node = { t: 'fn', name: inverse ? `arc${name}` : name, args };
    return power && !inverse ? { t: 'pow', a: call, b: power } : call;
  }

  /** The argument of \sin written without parentheses: a product of powers, up to the next function. */
  private fnArgument(): Node {
    let node = this.power();
    for (
      let t = this.peek();
      t && this.startsPrimary(t) && !(t.k === 'cmd' && FUNCTIONS.has(t.s));
      t = this.peek()
    )
      node = { t: 'mul', a: node, b: this.power() };
    return node;
  }

  private matrix(): Node {
    const env = this.rawGroup();
    if (!MATRIX_ENVS.has(env)) throw new ParseError(`unsupported environment ${env}`);
    if (env === 'array' && this.isOp('{')) this.rawGroup();
    const rows: Node[][] = [[]];
    for (;;) {
      if (this.isCmd('end')) {
        this.next();
        if (this.rawGroup() !== env) throw new ParseError(`\\begin{${env}} closed by another environment`);
        break;
      }
      if (this.isOp('\\\\')) {
        this.next();
        rows.push([]);
        continue;
      }
      if (this.isOp('&')) {
        this.next();
        continue;
      }
      rows[rows.length - 1].push(this.relation());
    }
    const filled = rows.filter((r) => r.length > 0);
    if (filled.length === 0 || filled.some((r) => r.length !== filled[0].length))
      throw new ParseError('ragged matrix');
    return { t: 'matrix', rows: filled };
  }
}

function numberNode(s: string): Node {
  const d = parseDecimal(s);
  if (!d) throw new ParseError(`bad number "${s}"`);
  return { t: 'num', v: d.value, places: d.places };
}

/** "2 3" is not 6: juxtaposed numerals are never a product. */
function endsInNumber(n: Node): boolean {
  if (n.t === 'num' || n.t === 'based') return true;
  if (n.t === 'neg' || n.t === 'pct') return endsInNumber(n.a);
  if (n.t === 'mul' || n.t === 'add') return endsInNumber(n.b);
  return false;
}

/** 2\frac{1}{3} written after a whole number is the mixed number 2⅓ (integer literals only). */
function isMixedNumber(left: Node, right: Node): boolean {
  if (left.t !== 'num' || left.places !== 0 || right.t !== 'div') return false;
  const { a, b } = right;
  return a.t === 'num' && b.t === 'num' && a.places === 0 && b.places === 0 && a.v.n > 0n && b.v.n > a.v.n;
}
