import {
  answerUnits,
  choiceLetter,
  DECIMAL_COMMA_RE,
  parseAnswer,
  type ParseAnswerOptions,
} from './answer.js';
import type { Node } from './ast.js';
import { compareAnswers, type CompareOptions } from './compare.js';
import {
  distinct,
  extractCandidates,
  findBoxed,
  isHedged,
  lastLatex,
  lastNumber,
  type Candidate,
  type ExtractStep,
} from './extract.js';

export type VerifyReason = 'correct' | 'wrong' | 'no_answer' | 'malformed' | 'timeout' | 'error';

export interface VerifyResult {
  reward: 0 | 1;
  reason: VerifyReason;
  /** The answer taken from the completion, as written. */
  extracted?: string;
  /** Which extraction step found it. */
  step?: ExtractStep;
  /** Why a check failed (wrong, malformed, timeout, error), in words. */
  message?: string;
}

export type VerifyOptions = CompareOptions;

/** The answer inside a gold string: its \boxed{} (several: a list), the text after "####", or all of it. */
export function goldAnswer(gold: string): string {
  const boxes = distinct(findBoxed(gold).contents);
  if (boxes.length > 0) return boxes.join(', ');
  const hashes = gold.lastIndexOf('####');
  return hashes >= 0 ? gold.slice(hashes + 4).trim() : gold.trim();
}

/** A gold written as one capital choice letter: A, (A), \text{(A)}. */
function goldChoice(gold: string): string | undefined {
  const letter = choiceLetter(gold);
  return letter && /^[\s($\\{]*(?:text\{)?\(?[A-J]\)?[}$\s]*$/.test(gold.trim()) ? letter : undefined;
}

const isList = (n: Node) => n.t === 'seq' && (n.open === '' || n.open === '{') && n.items.length > 1;
const POINT_DECIMAL_RE = /^\s*\$?\s*-?\d*\.\d+\s*\$?\s*$/;

function predOptions(gold: Node, goldText: string): ParseAnswerOptions {
  return {
    commas: gold.t === 'seq' || gold.t === 'union' ? 'list' : 'thousands',
    decimalComma: gold.t === 'num' && gold.places > 0 && POINT_DECIMAL_RE.test(goldText),
  };
}

/**
 * In-process check of a completion against a gold answer: extraction (./extract.ts, in its
 * documented order), parsing (./parse.ts) and comparison (./compare.ts). Never throws on odd
 * input: a gold that cannot be read compares as text. No time limit here; use the VerifierPool.
 */
export function verifyAnswer(completion: string, gold: string, options: VerifyOptions = {}): VerifyResult {
  const goldText = goldAnswer(gold);
  if (goldText.length === 0) return { reward: 0, reason: 'error', message: 'the gold answer is empty' };
  const choice = goldChoice(goldText);
  const goldNode = parseAnswer(goldText);
  const extraction = extractCandidates(completion, { goldIsList: isList(goldNode), goldIsChoice: !!choice });
  if ('malformed' in extraction) return { reward: 0, reason: 'malformed', message: extraction.malformed };
  if (choice) return judgeChoice(extraction.candidates, choice);
  let skipped: Candidate | undefined;
  for (const c of extraction.candidates) {
    const predText = usableText(c.answer, c.step, goldNode);
    if (predText !== undefined) return judge(goldText, goldNode, predText, c.step, options);
    if (goldNode.t !== 'text' && c.step !== 'whole' && isHedged(c.answer))
      return noAnswer(c, 'more than one answer offered');
    // The box is where the answer was put: what it holds is not searched again for a number.
    if (c.step === 'boxed') return noAnswer(c, 'the boxed answer is not a value');
    skipped ??= c;
  }
  return skipped
    ? noAnswer(skipped, 'no value in the answer text')
    : { reward: 0, reason: 'no_answer', message: 'no answer found' };
}

/** The first candidate that names a choice letter decides. */
function judgeChoice(candidates: Candidate[], choice: string): VerifyResult {
  for (const c of candidates) {
    const letter = choiceLetter(c.answer);
    if (letter) return result(letter === choice, c.answer, c.step, `choice ${letter}, expected ${choice}`);
  }
  return { reward: 0, reason: 'no_answer', message: 'no choice letter found' };
}

/** Parses the predicted answer in the gold's light (commas, decimal comma) and compares. */
function judge(
  goldText: string,
  goldNode: Node,
  predText: string,
  step: ExtractStep,
  options: VerifyOptions,
): VerifyResult {
  if (DECIMAL_COMMA_RE.test(goldText.trim()) && POINT_DECIMAL_RE.test(predText))
    goldNode = parseAnswer(goldText, { decimalComma: true });
  const predNode = parseAnswer(predText, predOptions(goldNode, goldText));
  const [unitsGold, unitsPred] = [answerUnits(goldText), answerUnits(predText)];
  if (unitsGold && unitsPred && unitsGold !== unitsPred)
    return result(false, predText, step, `units differ: ${unitsPred} vs ${unitsGold}`);
  const cmp = compareAnswers(goldNode, predNode, options);
  return result(cmp.equal, predText, step, cmp.why);
}

function noAnswer(c: Candidate, message: string): VerifyResult {
  return { reward: 0, reason: 'no_answer', extracted: c.answer, step: c.step, message };
}

function result(ok: boolean, extracted: string, step: ExtractStep, why: string): VerifyResult {
  return ok
    ? { reward: 1, reason: 'correct', extracted, step }
    : { reward: 0, reason: 'wrong', extracted, step, message: why };
}

const MAX_NARROWED_WORDS = 12;

/**
 * The candidate itself when it reads as an answer of the gold's sort; else its last LaTeX
 * expression or last number ("the area is $12$ square feet" → 12); undefined when neither works.
 */
function usableText(candidate: string, step: ExtractStep, gold: Node): string | undefined {
  const node = parseAnswer(candidate, { commas: gold.t === 'seq' ? 'list' : 'thousands' });
  if (node.t !== 'text' || gold.t === 'text')
    return node.t === 'text' && node.text === '' ? undefined : candidate;
  // After a marker, only a short sentence ("The largest $n$ is 34.") is narrowed to its last value;
  // in a long one the last number is as likely an intermediate step as the answer.
  // A boxed answer, the whole completion, or anything that is not prose is never narrowed: "\pm 3" is not "3".
  if (
    step === 'boxed' ||
    step === 'whole' ||
    !/[A-Za-z]{3,}/.test(candidate.replace(/\\[A-Za-z]+|\$[^$]*\$/g, ' '))
  )
    return undefined;
  const marker = step === 'final_answer' || step === 'answer_colon' || step === 'hashes';
  if (marker && candidate.trim().split(/\s+/).length > MAX_NARROWED_WORDS) return undefined;
  if (isHedged(candidate)) return undefined;
  const options = [lastLatex(candidate), lastNumber(candidate)].filter(
    (x): x is string => x !== undefined && parseAnswer(x).t !== 'text',
  );
  // Prefer whichever of the two comes last in the candidate.
  return options.sort((a, b) => candidate.lastIndexOf(a) - candidate.lastIndexOf(b)).pop();
}
