/** Maps the run config's estimator and weighting onto the algorithm core's pure functions. */
import { computeAdvantages, grpoAdvantages, type Estimator, type Weighting } from '../algo/index.js';
import type { EstimatorConfig, WeightingConfig } from './config.js';
import type { ScoredGroup } from './strategies/types.js';

export function estimatorFor(cfg: EstimatorConfig): Estimator | EstimatorConfig['type'] {
  return cfg.type === 'grpo' ? (r) => grpoAdvantages(r, { eps: cfg.eps }) : cfg.type;
}

export function weightingFor(cfg: WeightingConfig): Weighting | undefined {
  return cfg.type === 'none' ? undefined : { kind: cfg.type, cap: cfg.cap };
}

/** Advantages of every group, one array per group in the same order. */
export function advantagesOf(
  groups: ScoredGroup[],
  estimator: EstimatorConfig,
  weighting: WeightingConfig,
): number[][] {
  return computeAdvantages(
    groups.map((g) => ({ promptId: g.problem.id, rewards: g.rollouts.map((r) => r.reward) })),
    estimatorFor(estimator),
    weightingFor(weighting),
  );
}
