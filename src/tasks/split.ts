import { hashString } from './rng.js';
import type { Problem } from './types.js';

export type Split = 'train' | 'eval';

/** Default fraction of the prompt space that belongs to the held-out evaluation split. */
export const DEFAULT_EVAL_FRACTION = 0.2;

/**
 * Which split a prompt belongs to: a hash of the prompt text alone (salted), so a prompt is in the
 * same split whatever family config, seed or index produced it — train and eval never share one.
 */
export function splitOf(
  prompt: string,
  evalFraction = DEFAULT_EVAL_FRACTION,
  salt = 'flopwise-split-v1',
): Split {
  if (!(evalFraction >= 0 && evalFraction <= 1))
    throw new RangeError(`evalFraction must be in [0, 1], got ${evalFraction}`);
  return hashString(salt + '\u0000' + prompt) / 4294967296 < evalFraction ? 'eval' : 'train';
}

/** Keeps the first problem of each prompt text. */
export function dedupeByPrompt<P extends { prompt: string }>(problems: readonly P[]): P[] {
  const seen = new Set<string>();
  const out: P[] = [];
  for (const p of problems) {
    if (seen.has(p.prompt)) continue;
    seen.add(p.prompt);
    out.push(p);
  }
  return out;
}

/** Problems of one split (by `splitOf`). */
export function filterSplit(
  problems: readonly Problem[],
  split: Split,
  evalFraction = DEFAULT_EVAL_FRACTION,
): Problem[] {
  return problems.filter((p) => splitOf(p.prompt, evalFraction) === split);
}
