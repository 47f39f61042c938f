import { addFamily, modFamily, mulFamily } from './families/arith.js';
import { countdownFamily } from './families/countdown.js';
import { copyFamily, countFamily, revFamily, sortFamily } from './families/strings.js';
import type { Family, Problem, ScoreResult } from './types.js';

const FAMILIES = new Map<string, Family<unknown>>();

/**
 * Adds a task family, so mixtures (and dataset rows with its name as data_source) can use it without
 * editing the library. Build it with `defineFamily`; its ids must be unique across its config space
 * (put every config field that changes the problems into the id).
 */
export function registerFamily<C>(family: Family<C>): void {
  if (!/^[a-z][a-z0-9_-]*$/.test(family.name))
    throw new Error(`task family name "${family.name}" must be lower-case letters, digits, - or _`);
  if (FAMILIES.has(family.name)) throw new Error(`task family "${family.name}" is already registered`);
  FAMILIES.set(family.name, family as Family<unknown>);
}

for (const f of [
  addFamily,
  mulFamily,
  modFamily,
  revFamily,
  sortFamily,
  copyFamily,
  countFamily,
  countdownFamily,
])
  registerFamily(f as Family<unknown>);

/** Names of every registered family. */
export function familyNames(): string[] {
  return [...FAMILIES.keys()];
}

/** True when `name` is a registered family. */
export function hasFamily(name: string): boolean {
  return FAMILIES.has(name);
}

/** The family registered under `name` (throws listing the known names otherwise). */
export function getFamily(name: string): Family<unknown> {
  if (!hasFamily(name)) throw new Error(`unknown task family "${name}" (known: ${familyNames().join(', ')})`);
  return FAMILIES.get(name)!;
}

/** Scores a completion in-process with the scorer of `problem.meta.family` (fast path). */
export function scoreProblem(problem: Problem, completion: string): ScoreResult {
  return getFamily(problem.meta.family).score(problem, completion);
}
