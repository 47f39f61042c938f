/**
 * Extraction of the final answer from a free-form completion. Strategies are tried in order and
 * the first that finds something wins:
 *   - `boxed`:       the content of the LAST `\boxed{…}` / `\fbox{…}` (nested braces handled);
 *   - `answer_is`:   the text after the last "the answer is" / "answer:" (case-insensitive), to the
 *                    end of the line, without a trailing period;
 *   - `delimiter`:   the text after the last occurrence of a delimiter (e.g. "####" as in GSM8K,
 *                    or "=" for the procedural tasks), to the end of the line;
 *   - `last_number`: the last number in the text (sign, thousands separators, decimals, a/b);
 *   - `whole`:       the whole completion, trimmed.
 */
export type ExtractStrategy =
  | { kind: 'boxed' }
  | { kind: 'answer_is' }
  | { kind: 'delimiter'; delimiter: string }
  | { kind: 'last_number' }
  | { kind: 'whole' };

export interface ExtractConfig {
  strategies: ExtractStrategy[];
}

/** Default for math datasets: boxed, then "The answer is", then "####", then the last number. */
export const DEFAULT_EXTRACT: ExtractConfig = {
  strategies: [
    { kind: 'boxed' },
    { kind: 'answer_is' },
    { kind: 'delimiter', delimiter: '####' },
    { kind: 'last_number' },
  ],
};

export interface Extracted {
  answer: string;
  strategy: ExtractStrategy['kind'];
}

/** Content of the brace group that opens at `open` (text[open] === '{'); undefined when unbalanced. */
export function matchBraces(text: string, open: number): { content: string; end: number } | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && (text[i + 1] === '{' || text[i + 1] === '}')) {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return { content: text.slice(open + 1, i), end: i };
    }
  }
  return undefined;
}

/** The content of the last \boxed{…} (or \fbox{…}); `\boxed 5` takes the next token. */
export function extractBoxed(text: string): string | undefined {
  const re = /\\(?:boxed|fbox)\s*/g;
  let last: string | undefined;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const at = m.index + m[0].length;
    if (text[at] === '{') {
      const g = matchBraces(text, at);
      if (g) last = g.content.trim();
    } else {
      const tok = /^[^\s$]+/.exec(text.slice(at));
      if (tok) last = tok[0];
    }
  }
  return last;
}

function cleanTail(s: string): string {
  let t = s.trim();
  // Leading ':' and markdown bold; a trailing period/comma ends the sentence ("3." → "3").
  t = t
    .replace(/^[:*\s]+/, '')
    .replace(/[.;,*\s]+$/, '')
    .trim();
  const boxed = extractBoxed(t);
  if (boxed !== undefined) return boxed;
  return t;
}

function extractAnswerIs(text: string): string | undefined {
  const re = /(?:the\s+)?(?:final\s+)?answer\s*(?:is|:)\s*(?:=\s*)?/gi;
  let last: number | undefined;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) last = m.index + m[0].length;
  if (last === undefined) return undefined;
  const line = text.slice(last).split('\n')[0];
  const t = cleanTail(line);
  return t.length > 0 ? t : undefined;
}

function extractDelimiter(text: string, delimiter: string): string | undefined {
  if (delimiter.length === 0) return undefined;
  const at = text.lastIndexOf(delimiter);
  if (at < 0) return undefined;
  const t = cleanTail(text.slice(at + delimiter.length).split('\n')[0]);
  return t.length > 0 ? t : undefined;
}

const NUMBER_RE = /-?\d+(?:,\d{3})*(?:\.\d+)?(?:\/\d+)?%?|-?\.\d+%?/g;

function extractLastNumber(text: string): string | undefined {
  const all = text.match(NUMBER_RE);
  return all ? all[all.length - 1] : undefined;
}

/** Extracts the final answer by the configured strategies; undefined when none finds one. */
export function extractAnswer(text: string, config: ExtractConfig = DEFAULT_EXTRACT): Extracted | undefined {
  for (const s of config.strategies) {
    let a: string | undefined;
    switch (s.kind) {
      case 'boxed':
        a = extractBoxed(text);
        break;
      case 'answer_is':
        a = extractAnswerIs(text);
        break;
      case 'delimiter':
        a = extractDelimiter(text, s.delimiter);
        break;
      case 'last_number':
        a = extractLastNumber(text);
        break;
      case 'whole':
        a = text.trim() || undefined;
        break;
    }
    if (a !== undefined && a.length > 0) return { answer: a, strategy: s.kind };
  }
  return undefined;
}
