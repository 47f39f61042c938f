/**
 * Allocation strategies: each step, a strategy decides which prompts get rollouts and how many.
 * It may sample more than once (dynamic sampling refills), so it receives the sampler rather than
 * returning a plan. The group (one prompt, its own rollouts, any size) is the unit throughout.
 */
import type { Rollout } from '../../policy/types.js';
import type { Problem, ScoreReason } from '../../tasks/types.js';

export interface ScoredRollout extends Rollout {
  reward: number;
  reason: ScoreReason | 'timeout' | 'error';
}

export interface ScoredGroup {
  problem: Problem;
  rollouts: ScoredRollout[];
}

export interface CollectContext {
  step: number;
  /** Total steps of the run. */
  totalSteps: number;
  /**
   * How far the run is, in [0, 1): the share of the FLOP budget spent when the run has one, else the
   * share of steps done. Phase schedules are shares of it.
   */
  progress: number;
  /** Samples `n[i]` rollouts of `problems[i]` and scores them; charges the ledger. */
  sample(problems: Problem[], n: number[]): Promise<ScoredGroup[]>;
}

export interface CollectResult {
  /** The groups to train on this step. */
  groups: ScoredGroup[];
  /** Rollouts generated this step, including any thrown away. */
  generated: number;
  /** Rollouts generated and then thrown away before training (e.g. groups without signal). */
  discarded: number;
  /** Strategy-specific numbers for the metrics row (phase, budget, …). */
  info?: Record<string, number | string>;
  /** The strategy's own schedule has ended (e.g. its last phase): the run stops after this step. */
  finished?: boolean;
}

export interface Strategy {
  readonly name: string;
  collect(ctx: CollectContext): Promise<CollectResult>;
  /** Called with every group sampled this step (kept or not), after collect. */
  observe?(groups: ScoredGroup[], step: number): void;
  /** Called after each evaluation with held-out greedy accuracy (plateau-ended phases use it). */
  onEval?(step: number, accuracy: number): void;
  /** Plain JSON state for checkpoints; `setState(getState())` must restore behaviour exactly. */
  getState(): unknown;
  setState(state: unknown): void;
}

export function successCount(group: ScoredGroup): number {
  return group.rollouts.reduce((s, r) => s + (r.reward > 0 ? 1 : 0), 0);
}

/**
 * Observed success rate per prompt, one entry per prompt even when a step drew a prompt twice (a
 * prompt stream crossing an epoch boundary): its groups are pooled.
 */
export function observedRates(groups: readonly ScoredGroup[]): { ids: string[]; rates: number[] } {
  const pooled = new Map<string, { successes: number; rollouts: number }>();
  for (const g of groups) {
    const c = pooled.get(g.problem.id) ?? { successes: 0, rollouts: 0 };
    c.successes += successCount(g);
    c.rollouts += g.rollouts.length;
    pooled.set(g.problem.id, c);
  }
  const ids = [...pooled.keys()].filter((id) => pooled.get(id)!.rollouts > 0);
  return { ids, rates: ids.map((id) => pooled.get(id)!.successes / pooled.get(id)!.rollouts) };
}
