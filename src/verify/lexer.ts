/** Tokens of an answer in LaTeX or plain notation. */
export type Tok =
  | { k: 'num'; s: string }
  | { k: 'id'; s: string }
  /** A run of letters that is no known function: it makes the answer text, never a product. */
  | { k: 'word'; s: string }
  | { k: 'cmd'; s: string }
  | { k: 'op'; s: string };

export class ParseError extends Error {}

/** Plain-text function names recognised without a backslash. */
export const FUNCTIONS = new Set(
  (
    'sin cos tan sec csc cot arcsin arccos arctan sinh cosh tanh log ln exp sqrt abs floor ceil ' +
    'gcd lcm max min det'
  ).split(' '),
);

/** Two-letter words that are never a product of two variables. */
const SHORT_WORDS = new Set('or if is of no to as at by on in be an am we it so'.split(' '));

const OPS2 = ['<=', '>=', '!=', '=>', '->'];

export function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\n' || c === '\t') {
      i++;
      continue;
    }
    const num = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+(?![a-zA-Z\d]))?/.exec(s.slice(i));
    if (num) {
      out.push({ k: 'num', s: num[0] });
      i += num[0].length;
      continue;
    }
    if (c === '\\') {
      const m = /^\\([a-zA-Z]+)/.exec(s.slice(i));
      if (m) {
        out.push({ k: 'cmd', s: m[1] });
        i += m[0].length;
      } else {
        const next = s[i + 1] ?? '';
        if (next === '{' || next === '}') out.push({ k: 'op', s: '\\' + next });
        else if (next === '\\') out.push({ k: 'op', s: '\\\\' });
        else if (next === '|') out.push({ k: 'op', s: '|' });
        else throw new ParseError(`unexpected "\\${next}"`);
        i += 2;
      }
      continue;
    }
    const letters = /^[a-zA-Z]+/.exec(s.slice(i));
    if (letters) {
      pushLetters(out, letters[0]);
      i += letters[0].length;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (OPS2.includes(two)) {
      out.push({ k: 'op', s: two });
      i += 2;
      continue;
    }
    if ("+-*/^_!=<>()[]{}|,&%':;".includes(c)) {
      out.push({ k: 'op', s: c });
      i++;
      continue;
    }
    throw new ParseError(`unexpected "${c}"`);
  }
  return out;
}

function pushLetters(out: Tok[], run: string): void {
  const lower = run.toLowerCase();
  if (FUNCTIONS.has(run)) out.push({ k: 'cmd', s: run });
  else if (lower === 'pi') out.push({ k: 'cmd', s: 'pi' });
  else if (lower === 'inf' || lower === 'infty' || lower === 'infinity') out.push({ k: 'cmd', s: 'infty' });
  else if (run.length === 1) out.push({ k: 'id', s: run });
  else if (run.length === 2 && !SHORT_WORDS.has(lower)) for (const ch of run) out.push({ k: 'id', s: ch });
  else out.push({ k: 'word', s: run });
}
