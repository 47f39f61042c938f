/**
 * Advantage estimators, registered by name (in the manner of verl's core_algos).
 * Each maps one group's rewards to one advantage per rollout; `computeAdvantages` maps over groups.
 *
 * Conventions (the same in every estimator):
 * - singleton group (n = 1): no baseline, no contrast. `singleton` chooses: 'zero' (default: all
 *   advantages 0, so it costs no training compute), 'raw' (A = r, REINFORCE without a baseline), or
 *   'drop' (the run leaves the group out of the batch and its statistics; see run/advantages);
 * - zero-variance group (max − min <= tol, default 1e-9): all advantages 0;
 * - GRPO's std: 'population' (default, divide by n) or 'sample' (divide by n − 1, as verl and TRL
 *   do). The default is population because for binary rewards it is exactly √(p̂(1−p̂)), so GRPO's
 *   implicit prompt weight is 1/(√(p̂(1−p̂)) + ε) (see effectiveWeight) and runs keep their numbers;
 *   the sample std is larger by √(n/(n−1)), which only rescales every advantage of a group.
 * - asymmetric prompt weights (weights.ts) scale the Dr.GRPO advantage: A = ω(p̂)·(r − p̂). They
 *   compose with 'drgrpo' only; the run config refuses them with another estimator.
 */
import {
  type Group,
  assertGroup,
  isZeroVariance,
  mean,
  populationStd,
  sampleStd,
  ZERO_VARIANCE_TOL,
} from './group.js';
import {
  type Weighting,
  type WeightingName,
  WEIGHTING_NAMES,
  asymmetricAdvantages,
  asymmetricEffectiveWeight,
} from './weights.js';

export type Estimator = (rewards: readonly number[], opts?: EstimatorOptions) => number[];
export type EstimatorName = 'grpo' | 'drgrpo' | 'rloo';

export interface EstimatorOptions {
  /** GRPO: added to the std in the denominator (default 1e-6). */
  eps?: number;
  /** Zero-variance tolerance (default 1e-9). */
  tol?: number;
  /** GRPO: population (÷ n, default) or sample (÷ n − 1) standard deviation. */
  std?: GrpoStd;
  /** Advantages of a one-rollout group: 'zero' (default) or 'raw' (A = r). */
  singleton?: 'zero' | 'raw';
}

export type GrpoStd = 'population' | 'sample';
export const GRPO_STD_CHOICES: readonly GrpoStd[] = ['population', 'sample'];
export const SINGLETON_POLICIES = ['zero', 'raw', 'drop'] as const;
export type SingletonPolicy = (typeof SINGLETON_POLICIES)[number];

export const DEFAULT_GRPO_EPS = 1e-6;

/** GRPO: (r − r̄)/(std + ε), std over the group (population by default, or sample). */
export function grpoAdvantages(rewards: readonly number[], opts: EstimatorOptions = {}): number[] {
  if (noSignal(rewards, opts.tol)) return noSignalAdvantages(rewards, opts);
  const m = mean(rewards);
  const std = opts.std === 'sample' ? sampleStd(rewards) : populationStd(rewards);
  const denom = std + (opts.eps ?? DEFAULT_GRPO_EPS);
  return rewards.map((r) => (r - m) / denom);
}

/** Dr.GRPO: r − r̄ (no std normalisation). */
export function drgrpoAdvantages(rewards: readonly number[], opts: EstimatorOptions = {}): number[] {
  if (noSignal(rewards, opts.tol)) return noSignalAdvantages(rewards, opts);
  const m = mean(rewards);
  return rewards.map((r) => r - m);
}

/** RLOO: r_i − mean of the others = n/(n−1)·(r_i − r̄). */
export function rlooAdvantages(rewards: readonly number[], opts: EstimatorOptions = {}): number[] {
  if (noSignal(rewards, opts.tol)) return noSignalAdvantages(rewards, opts);
  const n = rewards.length;
  const m = mean(rewards);
  return rewards.map((r) => (n / (n - 1)) * (r - m));
}

const registry = new Map<string, Estimator>([
  ['grpo', grpoAdvantages],
  ['drgrpo', drgrpoAdvantages],
  ['rloo', rlooAdvantages],
]);

/** Register (or replace) an estimator under a name. */
export function registerEstimator(name: string, fn: Estimator): void {
  registry.set(name, fn);
}

/** Look up an estimator by name; throws listing the known names. */
export function getEstimator(name: EstimatorName | (string & {})): Estimator {
  const fn = registry.get(name);
  if (!fn)
    throw new Error(`unknown advantage estimator '${name}'; known: ${[...registry.keys()].join(', ')}`);
  return fn;
}

export function estimatorNames(): string[] {
  return [...registry.keys()];
}

/**
 * Advantages for every group (one array per group, same order).
 * Without `weighting`: the estimator's advantages. With `weighting` (asymmetric prompt weights):
 * A_i = ω(p̂)·(r_i − p̂) with p̂ the group mean — the weighting sets the prompt weight itself, so it
 * replaces the estimator's normalisation (the estimator is not used for that call).
 */
export function computeAdvantages(
  groups: readonly Group[],
  estimator: EstimatorName | (string & {}) | Estimator,
  weighting?: Weighting | WeightingName,
  opts: EstimatorOptions = {},
): number[][] {
  const w: Weighting | undefined = typeof weighting === 'string' ? { kind: weighting } : weighting;
  const fn = typeof estimator === 'function' ? estimator : getEstimator(estimator);
  return groups.map((g) => {
    assertGroup(g);
    if (g.rewards.length === 1) return noSignalAdvantages(g.rewards, opts);
    return w ? asymmetricAdvantages(g.rewards, w) : fn(g.rewards, opts);
  });
}

/** Flatten per-group advantages back to rollout order (groups concatenated). */
export function flattenAdvantages(advantages: readonly number[][]): number[] {
  return advantages.flat();
}

/**
 * The implicit per-prompt gradient weight W(p, n) = ω·p(1−p): for a group of n binary rewards with
 * success rate p, Σ_i A_i·s_i = n·W·(mean score of correct − mean score of wrong) exactly.
 *   grpo: p(1−p)/(√(p(1−p)) + ε) (→ √(p(1−p)) as ε → 0), drgrpo: p(1−p), rloo: n/(n−1)·p(1−p),
 *   linear-r: 1−p, sqrt-r: √(1−p), uniform-r: 1 (uncapped). 0 when p ∈ {0, 1} or n = 1.
 * (An asymmetric weighting also pushes down all-wrong groups; that term is not a contrast and is
 * not part of W.)
 */
export function effectiveWeight(
  name: EstimatorName | WeightingName,
  p: number,
  n: number,
  opts: { eps?: number } = {},
): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`success rate must be in [0, 1], got ${p}`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`group size must be an integer >= 1, got ${n}`);
  if (n === 1 || p === 0 || p === 1) return 0;
  const v = p * (1 - p);
  switch (name) {
    case 'grpo':
      return v / (Math.sqrt(v) + (opts.eps ?? DEFAULT_GRPO_EPS));
    case 'drgrpo':
      return v;
    case 'rloo':
      return (n / (n - 1)) * v;
    default:
      if ((WEIGHTING_NAMES as readonly string[]).includes(name)) return asymmetricEffectiveWeight(name, p);
      throw new Error(`unknown estimator or weighting '${name}'`);
  }
}

function noSignal(rewards: readonly number[], tol = ZERO_VARIANCE_TOL): boolean {
  if (rewards.length === 0) throw new Error('empty group');
  return rewards.length === 1 || isZeroVariance(rewards, tol);
}

/** A singleton gets its raw reward under singleton 'raw'; every other group without signal gets zeros. */
function noSignalAdvantages(rewards: readonly number[], opts: EstimatorOptions): number[] {
  return rewards.length === 1 && opts.singleton === 'raw' ? [rewards[0]] : zeros(rewards.length);
}

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}
