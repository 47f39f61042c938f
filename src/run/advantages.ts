/** Maps the run config's estimator and weighting onto the algorithm core's pure functions. */
import { computeAdvantages, type Weighting } from '../algo/index.js';
import type { EstimatorConfig, WeightingConfig } from './config.js';
import type { ScoredGroup } from './strategies/types.js';

export function weightingFor(cfg: WeightingConfig): Weighting | undefined {
  return cfg.type === 'none' ? undefined : { kind: cfg.type, cap: cfg.cap };
}

/** The groups a step trains on: all of them, or all but the singletons under `singleton: drop`. */
export function groupsToTrain(groups: ScoredGroup[], estimator: EstimatorConfig): ScoredGroup[] {
  return estimator.singleton === 'drop' ? groups.filter((g) => g.rollouts.length > 1) : groups;
}

/** Advantages of every group, one array per group in the same order. */
export function advantagesOf(
  groups: ScoredGroup[],
  estimator: EstimatorConfig,
  weighting: WeightingConfig,
): number[][] {
  return computeAdvantages(
    groups.map((g) => ({ promptId: g.problem.id, rewards: g.rollouts.map((r) => r.reward) })),
    estimator.type,
    weightingFor(weighting),
    {
      eps: estimator.eps,
      std: estimator.std,
      singleton: estimator.singleton === 'drop' ? 'zero' : estimator.singleton,
    },
  );
}
