import type { z } from 'zod';

/** One problem: a prompt, its reference answer, and metadata. */
export interface Problem {
  /** Stable and unique, e.g. `add-d3-s1-i17`. */
  id: string;
  prompt: string;
  /** Reference answer (for expression-scored families such as countdown: one valid answer). */
  answer: string;
  meta: {
    family: string;
    /** Orders problems within a family: larger is harder. */
    difficulty: number;
    [k: string]: unknown;
  };
}

export type ScoreReason = 'correct' | 'wrong' | 'no_answer' | 'malformed';

export interface ScoreResult {
  reward: 0 | 1;
  reason: ScoreReason;
  /** The answer extracted from the completion, when there was one. */
  extracted?: string;
}

/** A procedural task family. */
export interface Family<C = unknown> {
  name: string;
  description: string;
  /** zod schema for the config; every field has a default, so `{}` is valid. */
  schema: z.ZodType<C>;
  /** Validates a user config (throws `ConfigError` naming the field). */
  parseConfig(input: unknown): C;
  /** The config of difficulty level `level` (1 = easiest … maxLevel). */
  levelConfig(level: number): C;
  /** Highest level of the family's ladder. */
  maxLevel: number;
  /** Deterministic: same (config, seed, index) → same problem. */
  generate(config: C, seed: number, index: number): Problem;
  /** Scores a completion (text generated after the prompt, before the stop token). */
  score(problem: Problem, completion: string): ScoreResult;
}
