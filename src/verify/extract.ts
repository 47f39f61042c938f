import { matchBraces } from './braces.js';

export { matchBraces } from './braces.js';

/**
 * Where a final answer is looked for in a completion, in this order (the first step that yields a
 * usable answer wins; a step whose text is not an answer, e.g. "the area is 12 cm", is narrowed to
 * its last LaTeX expression or number first):
 *  1. `boxed`        the last \boxed{…} / \fbox{…} (all of them, joined, when the gold is a list);
 *  2. `final_answer` "The final answer is X" / "the answer is X", up to the end of the sentence
 *                    ("I hope it is correct" and what follows is dropped);
 *  3. `answer_colon` "Answer: X" to the end of the line;
 *  4. `hashes`       "#### X" (GSM8K) to the end of the line;
 *  5. `whole`        the whole completion, when it is nothing but an answer ("42", "$\frac12$");
 *  6. `choice`       a choice letter "(B)", "option B", "answer is B" — only when the gold is a letter;
 *  7. `last_latex`   the last $…$, \(…\) or \[…\] expression;
 *  8. `last_number`  the last number outside LaTeX (with a trailing % kept).
 * Only the last 20,000 characters are searched (MAX_COMPLETION_CHARS).
 * A completion cut off inside an answer (an unclosed \boxed{, or no marker and an unclosed $ or a
 * trailing operator) is `malformed`, never read as a number.
 */
export type ExtractStep =
  'boxed' | 'final_answer' | 'answer_colon' | 'hashes' | 'whole' | 'choice' | 'last_latex' | 'last_number';

export interface Candidate {
  answer: string;
  step: ExtractStep;
}

export type Extraction = { candidates: Candidate[] } | { malformed: string };

export interface ExtractContext {
  /** The gold is a list: every \boxed{} counts, joined with commas. */
  goldIsList?: boolean;
  /** The gold is a choice letter: look for letters. */
  goldIsChoice?: boolean;
}

/** Only the last this many characters of a completion are searched: final answers come last. */
export const MAX_COMPLETION_CHARS = 20_000;

const BOX_RE = /\\(?:boxed|fbox)\s*/g;

/** Contents of every \boxed{…}; `unclosed` when the last one never closes (a cut-off answer). */
export function findBoxed(text: string): { contents: string[]; unclosed: boolean } {
  const contents: string[] = [];
  let unclosed = false;
  for (let m = BOX_RE.exec(text); m !== null; m = BOX_RE.exec(text)) {
    const at = m.index + m[0].length;
    if (text[at] === '{') {
      const g = matchBraces(text, at);
      if (!g) {
        unclosed = true;
        break;
      }
      contents.push(g.content);
      BOX_RE.lastIndex = g.end + 1;
    } else {
      const bare = /^[^\s$]+/.exec(text.slice(at));
      if (bare && text[at - 1] === ' ') contents.push(bare[0].replace(/[.,;]+$/, ''));
    }
  }
  BOX_RE.lastIndex = 0;
  return { contents: contents.filter((c) => c.trim().length > 0), unclosed };
}

/** Each text once, in the order of its last occurrence (a summary often repeats the boxes). */
export function distinct(xs: string[]): string[] {
  const trimmed = xs.map((x) => x.trim());
  return trimmed.filter((x, i) => trimmed.lastIndexOf(x) === i);
}

/** The last \boxed content (for golds written as solutions). */
export function extractBoxed(text: string): string | undefined {
  const { contents } = findBoxed(text);
  return contents.length > 0 ? contents[contents.length - 1] : undefined;
}

/** Text from `start` to the end of its sentence: a '.' outside $…$ followed by space or the end. */
export function toSentenceEnd(text: string, start: number): string {
  let inMath = false;
  let i = start;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && text[i - 1] !== '\\') inMath = !inMath;
    if (c === '\n' && !inMath) break;
    if (
      !inMath &&
      c === '.' &&
      (i + 1 >= text.length || /\s/.test(text[i + 1])) &&
      !/\d/.test(text[i + 1] ?? '')
    )
      break;
  }
  return text
    .slice(start, i)
    .replace(/\s*I hope it is correct.*$/is, '')
    .trim();
}

function lastMatchEnd(text: string, re: RegExp): number | undefined {
  let end: number | undefined;
  for (const m of text.matchAll(re)) end = (m.index ?? 0) + m[0].length;
  return end;
}

function cleanTail(s: string): string {
  return s
    .replace(/\*\*/g, '')
    .replace(/^[\s:]+|[\s.,;:!]+$/g, '')
    .trim();
}

/** The last complete $…$, $$…$$, \(…\) or \[…\] region, and whether a $ is left open at the end. */
export function mathRegions(text: string): {
  regions: Array<{ start: number; end: number; body: string }>;
  open: boolean;
} {
  const regions: Array<{ start: number; end: number; body: string }> = [];
  const re = /\$\$([\s\S]*?)\$\$|\$((?:\\\$|[^$])*?)\$|\\\(([\s\S]*?)\\\)|\\\[([\s\S]*?)\\\]/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const body = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
    regions.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, body });
    last = (m.index ?? 0) + m[0].length;
  }
  // An odd '$' after the last region opens math that never closes; a lone dollar amount ("$10 for
  // fudge") does not count, only a tail that looks like math.
  const rest = text.slice(last).replace(/\\\$/g, '');
  const dollars = rest.match(/\$/g)?.length ?? 0;
  const tail = rest.slice(rest.lastIndexOf('$') + 1);
  const open = (dollars % 2 === 1 && /[\\^_{}=+]/.test(tail)) || /\\\(|\\\[/.test(rest);
  return { regions, open };
}

/**
 * A standalone number: not part of a word, and not an operand inside a longer expression
 * ("x^2", "3 + 4", "2^{10}", "n_1" give none), so a last number is a value someone stated. A unit
 * may follow ("5cm", "1,000.99m²"); "2,74" is kept whole (a decimal comma or a list, as the gold says).
 */
const UNIT_AFTER = String.raw`(?:cm|mm|km|kg|ft|mi|ml|mph|m|g|s|h)(?:²|³|\^[23])?(?![A-Za-z])`;
const NUMBER_RE = new RegExp(
  String.raw`(?<![A-Za-z\d.,^_{]|[+*/^×·]\s*|\d\s*-\s*)-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?![\d,])|\d+(?:\.\d+)?)` +
    String.raw`(?:\s*\/\s*\d+)?(?:\s*(?:%|percent\b))?` +
    String.raw`(?!(?!${UNIT_AFTER})[A-Za-z]|[\d^_}]|,\d|\s*[+\-*/^×·(])|(?<![A-Za-z\d])-?\.\d+(?![A-Za-z\d])`,
  'g',
);

/** The last number in `text` outside LaTeX regions. */
export function lastNumber(text: string): string | undefined {
  const parts: string[] = [];
  let pos = 0;
  for (const r of mathRegions(text).regions) {
    parts.push(text.slice(pos, r.start), ' '.repeat(r.end - r.start));
    pos = r.end;
  }
  parts.push(text.slice(pos));
  let found: string | undefined;
  for (const m of parts.join('').matchAll(NUMBER_RE)) found = m[0];
  return found?.replace(/,(?=\d{3})/g, '');
}

/** The last sentence or line of a text (where a last number would be taken from). */
export function lastSentence(text: string): string {
  const parts = text.trimEnd().split(/\n|(?<=[^\d\s])\.\s|(?<=\d)\.\s+(?=[A-Z])/);
  return parts[parts.length - 1] ?? '';
}

/** "3 or 4", "either 2 or 5": two values offered, so none of them is the answer. (Linear scan.) */
export function isHedged(text: string): boolean {
  for (const sentence of text.split(/[.\n]/)) {
    const parts = sentence.split(/\b(?:and\/or|or)\b/);
    if (parts.length < 2 || !/[\d$}]/.test(parts[0])) continue;
    if (parts.slice(1).some((p) => /[\d$]/.test(p))) return true;
  }
  return false;
}

/** The last LaTeX region's body, if any. */
export function lastLatex(text: string): string | undefined {
  const { regions } = mathRegions(text);
  const body = regions.length > 0 ? regions[regions.length - 1].body.trim() : undefined;
  return body && body.length > 0 ? body : undefined;
}

const TRAILING_OPERATOR_RE = /(?:[+\-*/^=_({[]|\\frac|\\sqrt|\\cdot|\\times|\\left)\s*$/;

/** Cut off mid-expression: an operator, an open brace or an unclosed $ at the very end. */
export function isTruncated(text: string): boolean {
  const t = text.trimEnd();
  if (TRAILING_OPERATOR_RE.test(t)) return true;
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '\\' && (t[i + 1] === '{' || t[i + 1] === '}')) i++;
    else if (t[i] === '{') depth++;
    else if (t[i] === '}') depth--;
  }
  return depth > 0 || mathRegions(t).open;
}

function choiceCandidate(text: string): string | undefined {
  const patterns = [
    /\b(?:[Aa]nswer|[Oo]ption|[Cc]hoice)\s*(?:is|:)?\s*[:\s]*\(?\**([A-J])\**\)?(?![A-Za-z])/g,
    /\(([A-J])\)/g,
    /^\s*\**\(?([A-J])\)?[.)]?\**\s*$/gm,
  ];
  for (const re of patterns) {
    let found: string | undefined;
    for (const m of text.matchAll(re)) found = m[1];
    if (found) return found.toUpperCase();
  }
  return undefined;
}

/** Short, and one line or no prose (a matrix may span lines): the completion may be just an answer. */
function isWholeAnswer(t: string): boolean {
  if (t.length === 0 || t.length > 500) return false;
  return (
    (t.length <= 200 && !t.includes('\n')) ||
    !/[A-Za-z]{3,}/.test(t.replace(/\\(?:begin|end)\{[a-z*]*\}|\\[A-Za-z]+/g, ' '))
  );
}

/** The answer candidates of a completion in the documented order (or why it is malformed). */
export function extractCandidates(completion: string, ctx: ExtractContext = {}): Extraction {
  const tail =
    completion.length > MAX_COMPLETION_CHARS ? completion.slice(-MAX_COMPLETION_CHARS) : completion;
  const text = tail.replace(/−/g, '-');
  const out: Candidate[] = [];
  const boxed = findBoxed(text);
  if (boxed.unclosed) return { malformed: 'the last \\boxed{ is never closed (cut off?)' };
  if (boxed.contents.length > 0) {
    const all = ctx.goldIsList && boxed.contents.length > 1;
    out.push({
      answer: all ? distinct(boxed.contents).join(', ') : boxed.contents[boxed.contents.length - 1],
      step: 'boxed',
    });
  }
  const markers: Array<[RegExp, ExtractStep, boolean]> = [
    [/(?:final answer|the answer) is\s*:?/gi, 'final_answer', true],
    [/\banswer\s*\**\s*[:：]\s*\**/gi, 'answer_colon', false],
    [/####\s*/g, 'hashes', false],
  ];
  for (const [re, step, sentence] of markers) {
    const at = lastMatchEnd(text, re);
    if (at === undefined) continue;
    const raw = sentence ? toSentenceEnd(text, at) : (text.slice(at).split('\n')[0] ?? '');
    if (isTruncated(raw) && at + raw.length >= text.trimEnd().length - 1)
      return { malformed: `the answer after "${step.replace('_', ' ')}" is cut off` };
    const answer = cleanTail(raw.replace(/\s*I hope it is correct.*$/is, ''));
    if (answer) out.push({ answer, step });
  }
  const trimmed = text.trim();
  if (out.length === 0 && isTruncated(trimmed)) return { malformed: 'the completion ends mid-expression' };
  if (isWholeAnswer(trimmed)) out.push({ answer: trimmed, step: 'whole' });
  if (ctx.goldIsChoice) {
    const letter = choiceCandidate(text);
    if (letter) out.push({ answer: letter, step: 'choice' });
  }
  // "… is 3 or 4": neither the last expression nor the last number is the answer.
  if (isHedged(lastSentence(text))) return { candidates: out };
  const latex = lastLatex(text);
  if (latex) out.push({ answer: latex, step: 'last_latex' });
  const num = lastNumber(text);
  if (num) out.push({ answer: num, step: 'last_number' });
  return { candidates: out };
}
