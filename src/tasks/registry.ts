import { addFamily, modFamily, mulFamily } from './families/arith.js';
import { countdownFamily } from './families/countdown.js';
import { copyFamily, countFamily, revFamily, sortFamily } from './families/strings.js';
import type { Family, Problem, ScoreResult } from './types.js';

const FAMILIES: Record<string, Family<unknown>> = Object.fromEntries(
  [addFamily, mulFamily, modFamily, revFamily, sortFamily, copyFamily, countFamily, countdownFamily].map(
    (f) => [f.name, f as Family<unknown>],
  ),
);

/** Names of every registered family. */
export function familyNames(): string[] {
  return Object.keys(FAMILIES);
}

/** True when `name` is a registered family. */
export function hasFamily(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(FAMILIES, name);
}

/** The family registered under `name` (throws listing the known names otherwise). */
export function getFamily(name: string): Family<unknown> {
  if (!hasFamily(name)) throw new Error(`unknown task family "${name}" (known: ${familyNames().join(', ')})`);
  return FAMILIES[name];
}

/** Scores a completion in-process with the scorer of `problem.meta.family` (fast path). */
export function scoreProblem(problem: Problem, completion: string): ScoreResult {
  return getFamily(problem.meta.family).score(problem, completion);
}
