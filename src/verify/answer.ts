import type { Node } from './ast.js';
import { cleanAnswer, stripUnits } from './normalize.js';
import { ParseError, parseMath } from './parse.js';

export interface ParseAnswerOptions {
  /** "1,234": 'thousands' reads 1234 (the default), 'list' reads the list 1, 234. */
  commas?: 'thousands' | 'list';
  /** Read a lone "2,5" as 2.5 (set when the other answer is a number written with a point). */
  decimalComma?: boolean;
}

/** A lone "a,b" that is no thousands grouping (or starts with 0): may be a decimal comma. */
export const DECIMAL_COMMA_RE = /^-?(?:\d+,(?:\d{1,2}|\d{4,})|0,\d+)$/;
const THOUSANDS_RE = /(?<![\d.,])(\d{1,3}(?:,\d{3})+)(?![\d,])/g;
const SPACED_THOUSANDS_RE = /^-?\d{1,3}(?: \d{3})+(?:\.\d+)?$/;
/** Longer answers are compared as text: no real final answer is this long, and parsing costs time. */
export const MAX_ANSWER_CHARS = 4000;
const INFINITY_RE = /^[-+]?\s*(?:infinity|infty|inf)$/i;
const WORDS_RE = /^[A-Za-z][A-Za-z\s'’.,!?()-]*$/;

/**
 * Parses one answer string into a Node; what cannot be read as math becomes `text` (compared as
 * normalised words, never as a number).
 */
export function parseAnswer(raw: string, options: ParseAnswerOptions = {}): Node {
  if (raw.length > MAX_ANSWER_CHARS)
    return { t: 'text', text: normalizeText(raw.slice(0, MAX_ANSWER_CHARS)) };
  let s = stripUnits(cleanAnswer(raw)).value;
  if (s.length === 0) return { t: 'text', text: '' };
  if (WORDS_RE.test(s) && /[A-Za-z]{2}/.test(s) && !INFINITY_RE.test(s))
    return { t: 'text', text: normalizeText(s) };
  if (SPACED_THOUSANDS_RE.test(s)) s = s.replace(/ /g, '');
  if (options.decimalComma && DECIMAL_COMMA_RE.test(s)) s = s.replace(',', '.');
  else if ((options.commas ?? 'thousands') === 'thousands')
    s = s.replace(THOUSANDS_RE, (m) => m.replace(/,/g, ''));
  try {
    return parseMath(s);
  } catch (e) {
    if (e instanceof ParseError) return { t: 'text', text: normalizeText(s) };
    throw e;
  }
}

/** The units written after an answer's value, normalised ("" when none): "5 \\text{ cm}" → "cm". */
export function answerUnits(raw: string): string {
  return raw.length > MAX_ANSWER_CHARS ? '' : stripUnits(cleanAnswer(raw)).units;
}

/** Case, spacing, TeX text wrappers and end punctuation do not matter in text answers. */
export function normalizeText(s: string): string {
  return s
    .replace(/\\(?:text|textbf|textit|mathrm|mbox)\s*\{([^{}]*)\}/g, '$1')
    .replace(/[{}]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s"'“”.,;:]+|[\s"'“”.,;:!]+$/g, '')
    .toLowerCase();
}

/** True for a text answer made of one choice letter, e.g. "B", "(B)", "\text{(B)}". */
export function choiceLetter(s: string): string | undefined {
  const t = cleanAnswer(s)
    .replace(/\\(?:text|textbf|mathrm|mbox)\s*\{([^{}]*)\}/g, '$1')
    .replace(/[{}\s]/g, '');
  const m = /^\(?([A-Ja-j])\)?$/.exec(t) ?? /^\(([A-Ja-j])\).*$/.exec(t);
  return m ? m[1].toUpperCase() : undefined;
}
