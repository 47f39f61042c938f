import { matchBraces } from './extract.js';

/**
 * Light LaTeX clean-up shared by every answer: math delimiters ($…$, \( \), \[ \]), \left/\right,
 * spacing commands, \displaystyle, degrees, \text{…} (dropped when something else remains, e.g.
 * units: "5 \text{cm}" → "5"; kept otherwise: "\text{yes}" → "yes"), \% → %, \dfrac/\tfrac → \frac.
 */
export function cleanLatex(input: string): string {
  let s = input.trim();
  s = s.replace(/\$/g, '');
  s = s.replace(/^\\\(|\\\)$/g, '').replace(/^\\\[|\\\]$/g, '');
  s = s.replace(/\\left\s*\\?([([{|.])/g, (_m, b: string) => (b === '.' ? '' : b === '{' ? '\\{' : b));
  s = s.replace(/\\right\s*\\?([)\]}|.])/g, (_m, b: string) => (b === '.' ? '' : b === '}' ? '\\}' : b));
  s = s.replace(/\\left|\\right/g, '');
  s = s.replace(/\\displaystyle|\\!|\\,|\\;|\\:|\\quad|\\qquad|\\ /g, ' ');
  s = s.replace(/~/g, ' ');
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree|°/g, '');
  s = s.replace(/\\%/g, '%');
  s = s.replace(/\\[dt]frac/g, '\\frac');
  s = replaceTextCommands(s);
  return s.trim();
}

function replaceTextCommands(s: string): string {
  const re = /\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|operatorname)\s*\{/g;
  const parts: Array<{ start: number; end: number; content: string }> = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const g = matchBraces(s, m.index + m[0].length - 1);
    if (!g) break;
    parts.push({ start: m.index, end: g.end + 1, content: g.content });
    re.lastIndex = g.end + 1;
  }
  if (parts.length === 0) return s;
  let without = '';
  let withText = '';
  let pos = 0;
  for (const p of parts) {
    without += s.slice(pos, p.start);
    withText += s.slice(pos, p.start) + p.content;
    pos = p.end;
  }
  without += s.slice(pos);
  withText += s.slice(pos);
  return without.trim().length > 0 ? without : withText;
}

/** A LaTeX macro argument at `i`: a {group} or a single non-space character. */
function argAt(s: string, i: number): { content: string; end: number } | undefined {
  while (s[i] === ' ') i++;
  if (i >= s.length) return undefined;
  if (s[i] === '{') {
    const g = matchBraces(s, i);
    return g ? { content: g.content, end: g.end + 1 } : undefined;
  }
  if (s[i] === '\\') {
    const m = /^\\[a-zA-Z]+/.exec(s.slice(i));
    if (m) return { content: m[0], end: i + m[0].length };
  }
  return { content: s[i], end: i + 1 };
}

const SIMPLE_MACROS: Array<[RegExp, string]> = [
  [/\\cdot|\\times|\\ast/g, '*'],
  [/\\div/g, '/'],
  [/\\pi\b/g, ' pi '],
  [/\\infty\b/g, ' Infinity '],
  [/\\ln\b/g, ' log'],
  [/\\log\b/g, ' log10'],
  [/\\(sin|cos|tan|sec|csc|cot|exp|arcsin|arccos|arctan)\b/g, ' $1'],
  [/\\le(q)?\b/g, '<='],
  [/\\ge(q)?\b/g, '>='],
];

/** Converts simple LaTeX math to mathjs syntax: \frac, \sqrt, \sqrt[n], \cdot, \pi, ^{…}, braces. */
export function latexToMathjs(input: string): string {
  let s = input;
  for (let guard = 0; guard < 200; guard++) {
    const f = s.indexOf('\\frac');
    const r = s.indexOf('\\sqrt');
    if (f < 0 && r < 0) break;
    if (f >= 0 && (r < 0 || f < r)) {
      const a = argAt(s, f + 5);
      const b = a && argAt(s, a.end);
      if (!a || !b) break;
      s = s.slice(0, f) + `((${a.content})/(${b.content}))` + s.slice(b.end);
    } else {
      let i = r + 5;
      let index: string | undefined;
      if (s[i] === '[') {
        const close = s.indexOf(']', i);
        if (close < 0) break;
        index = s.slice(i + 1, close);
        i = close + 1;
      }
      const a = argAt(s, i);
      if (!a) break;
      const body = index !== undefined ? `nthRoot((${a.content}),(${index}))` : `sqrt(${a.content})`;
      s = s.slice(0, r) + body + s.slice(a.end);
    }
  }
  for (const [re, to] of SIMPLE_MACROS) s = s.replace(re, to);
  s = s.replace(/\\[lr]?vert|\\mid/g, '|');
  for (let guard = 0; guard < 20 && /\|[^|]+\|/.test(s); guard++) s = s.replace(/\|([^|]+)\|/, ' abs($1)');
  s = s.replace(/\\\{/g, '(').replace(/\\\}/g, ')');
  s = s.replace(/[{]/g, '(').replace(/[}]/g, ')');
  s = s.replace(/\\/g, ' ');
  return s.trim();
}
