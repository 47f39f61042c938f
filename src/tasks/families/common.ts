import { z } from 'zod';
import { parseWith } from '../config.js';
import { extractCompletionAnswer } from '../format.js';
import type { Family, Problem, ScoreResult } from '../types.js';

/** Scores by exact string match after extraction; `shape` rejects malformed tokens. */
export function exactScore(problem: Problem, completion: string, shape: RegExp): ScoreResult {
  const extracted = extractCompletionAnswer(completion);
  if (extracted === undefined) return { reward: 0, reason: 'no_answer' };
  if (!shape.test(extracted)) return { reward: 0, reason: 'malformed', extracted };
  const norm = /^-?\d+$/.test(extracted) ? normalizeInt(extracted) : extracted;
  return norm === problem.answer
    ? { reward: 1, reason: 'correct', extracted }
    : { reward: 0, reason: 'wrong', extracted };
}

/** "007" → "7", "-0" → "0": integers compare by value. */
function normalizeInt(s: string): string {
  const neg = s.startsWith('-');
  const digits = (neg ? s.slice(1) : s).replace(/^0+(?=\d)/, '');
  return neg && digits !== '0' ? '-' + digits : digits;
}

export const INT_SHAPE = /^-?\d+$/;

/** Builds a family from its parts; parseConfig validates at the edge. */
export function defineFamily<S extends z.ZodType>(spec: {
  name: string;
  description: string;
  schema: S;
  levels: ReadonlyArray<z.input<S>>;
  generate(config: z.output<S>, seed: number, index: number): Problem;
  score(problem: Problem, completion: string): ScoreResult;
}): Family<z.output<S>> {
  const parseConfig = (input: unknown): z.output<S> =>
    parseWith(spec.schema, input, spec.name) as z.output<S>;
  return {
    name: spec.name,
    description: spec.description,
    schema: spec.schema as unknown as z.ZodType<z.output<S>>,
    parseConfig,
    maxLevel: spec.levels.length,
    levelConfig(level: number) {
      if (!Number.isInteger(level) || level < 1 || level > spec.levels.length) {
        throw new RangeError(
          `${spec.name}: level must be an integer in 1..${spec.levels.length}, got ${level}`,
        );
      }
      return parseConfig(spec.levels[level - 1]);
    },
    generate: spec.generate,
    score: spec.score,
  };
}

/** Alphabets for the string families. */
export const ALPHABETS = {
  digits: '0123456789',
  letters: 'abcdefghijklmnopqrstuvwxyz',
  mixed: '0123456789abcdefghijklmnopqrstuvwxyz',
} as const;
export type AlphabetName = keyof typeof ALPHABETS;
export const alphabetSchema = z.enum(['digits', 'letters', 'mixed']);
