import type { Problem } from '../tasks/types.js';
import type { ScoredRollout } from './strategies/types.js';

/** Scores one completion of one problem: reward in {0, 1} and why. */
export type Scorer = (
  problem: Problem,
  completion: string,
) => Promise<Pick<ScoredRollout, 'reward' | 'reason'>>;
