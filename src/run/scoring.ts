import type { Problem } from '../tasks/types.js';
import type { ScoredRollout } from './strategies/types.js';

/** Scores one completion of one problem: reward in {0, 1} and why. */
export type Scorer = (
  problem: Problem,
  completion: string,
) => Promise<Pick<ScoredRollout, 'reward' | 'reason'>>;

/** How many scores ended with each reason (timeouts, crashes and malformed answers included). */
export type ScoreCounts = Record<ScoredRollout['reason'], number>;

export function emptyScoreCounts(): ScoreCounts {
  return { correct: 0, wrong: 0, no_answer: 0, malformed: 0, timeout: 0, error: 0 };
}

/** a + b, field by field (a missing `a`, e.g. from an older summary file, counts as zeros). */
export function addScoreCounts(a: ScoreCounts | undefined, b: ScoreCounts): ScoreCounts {
  const out = { ...emptyScoreCounts(), ...a };
  for (const k of Object.keys(b) as Array<keyof ScoreCounts>) out[k] += b[k];
  return out;
}

/**
 * Scores several completions at once, so that a verifier pool checks them in parallel, and tallies
 * their reasons into `counts`. Results in input order.
 */
export async function scoreAll(
  score: Scorer,
  items: ReadonlyArray<readonly [Problem, string]>,
  counts: ScoreCounts,
): Promise<Array<Pick<ScoredRollout, 'reward' | 'reason'>>> {
  const results = await Promise.all(items.map(([p, text]) => score(p, text)));
  for (const r of results) counts[r.reason]++;
  return results;
}

/** One line for summaries: "scoring: 950 correct, 40 wrong, 5 no answer, 3 malformed, 2 timed out, 0 crashed". */
export function formatScoreCounts(c: ScoreCounts): string {
  return (
    `scoring: ${c.correct} correct, ${c.wrong} wrong, ${c.no_answer} no answer, ` +
    `${c.malformed} malformed, ${c.timeout} timed out, ${c.error} crashed`
  );
}
