/**
 * VIP in the loop: a GP predicts each prompt's success probability from recent rollouts, and the
 * exact integer allocation splits a hard rollout budget across the step's prompts to minimise the
 * policy gradient's variance. The first step uses the prior (a constant, or a profile's p̂).
 */
import {
  allocateGreedy,
  bernoulliVariance,
  createGp,
  explorationFloor,
  gpFromState,
  gpPredict,
  gpToState,
  gpUpdate,
  hashedNgramFeatures,
  type FeatureFn,
  type GpModel,
  type GpState,
} from '../../algo/index.js';
import type { Problem } from '../../tasks/types.js';
import { PromptStream, type PromptStreamState } from './prompt-stream.js';
import {
  observedRates,
  successCount,
  type CollectContext,
  type CollectResult,
  type ScoredGroup,
  type Strategy,
} from './types.js';

export interface VipStrategyConfig {
  promptsPerStep: number;
  rolloutsPerStep: number;
  lower: number;
  upper: number;
  objective: 'drgrpo' | 'rloo';
  noise: number;
  floor: number;
  gamma: number;
}

/** Metadata the default features read: the family (one-hot) and the difficulty level scaled to ~[0, 1]. */
export function promptMeta(p: Problem): Record<string, string | number> {
  const level = typeof p.meta.level === 'number' ? p.meta.level : p.meta.difficulty;
  return { family: p.meta.family, level: level / 10 };
}

/** VIP's split of `budget` rollouts over prompts predicted to succeed with p: the exact integer optimum. */
export function vipSplit(
  p: number[],
  budget: number,
  cfg: Pick<VipStrategyConfig, 'lower' | 'upper' | 'objective' | 'floor' | 'gamma'>,
): number[] {
  return allocateGreedy({
    a: bernoulliVariance(p),
    budget,
    lower: explorationFloor(p, { lower: cfg.lower, minRollouts: cfg.floor }),
    upper: cfg.upper,
    objective: cfg.objective,
    gamma: cfg.gamma,
    p,
  }).n;
}

/** A GP over the prompts with the default features (hashed n-grams + family and level). */
export function promptGp(
  problems: readonly Problem[],
  prior: number | number[],
  noise: number,
  seed: number,
  features: FeatureFn = hashedNgramFeatures(),
): GpModel {
  return createGp(
    problems.map((p) => p.id),
    problems.map((p) => features({ id: p.id, text: p.prompt, meta: promptMeta(p) })),
    { priorMean: prior, noise, seed },
  );
}

export class VipStrategy implements Strategy {
  readonly name = 'vip';
  private gp: GpModel;
  private readonly stream: PromptStream;
  /** Predictions and allocation of the last step, for tests and reports. */
  last: { ids: string[]; p: number[]; n: number[] } | undefined;

  constructor(
    private readonly problems: Problem[],
    private readonly cfg: VipStrategyConfig,
    seed: number,
    prior: number | number[],
    features: FeatureFn = hashedNgramFeatures(),
  ) {
    const Q = Math.min(cfg.promptsPerStep, problems.length);
    if (cfg.rolloutsPerStep < Q * cfg.lower || cfg.rolloutsPerStep > Q * cfg.upper) {
      throw new Error(
        `vip: rolloutsPerStep ${cfg.rolloutsPerStep} cannot be split over ${Q} prompts with ` +
          `${cfg.lower} ≤ n ≤ ${cfg.upper} (needs ${Q * cfg.lower}..${Q * cfg.upper})`,
      );
    }
    this.gp = promptGp(problems, prior, cfg.noise, seed, features);
    this.stream = new PromptStream(problems.length, seed, 'vip');
  }

  async collect(ctx: CollectContext): Promise<CollectResult> {
    const batch = this.stream
      .take(Math.min(this.cfg.promptsPerStep, this.problems.length))
      .map((i) => this.problems[i]);
    const ids = batch.map((p) => p.id);
    const p = Array.from(gpPredict(this.gp, ids));
    const n = vipSplit(p, this.cfg.rolloutsPerStep, this.cfg);
    this.last = { ids, p, n };
    const groups = await ctx.sample(batch, n);
    return {
      groups,
      generated: this.cfg.rolloutsPerStep,
      discarded: 0,
      info: { budget: this.cfg.rolloutsPerStep, ...allocationInfo(p, n, groups) },
    };
  }

  observe(groups: ScoredGroup[]): void {
    const { ids, rates } = observedRates(groups);
    if (ids.length > 0) gpUpdate(this.gp, ids, rates);
  }

  predict(ids: string[]): number[] {
    return Array.from(gpPredict(this.gp, ids));
  }

  getState(): { gp: GpState; stream: PromptStreamState } {
    return { gp: gpToState(this.gp), stream: this.stream.getState() };
  }

  setState(raw: unknown): void {
    const s = raw as { gp: GpState; stream: PromptStreamState };
    this.gp = gpFromState(s.gp);
    this.stream.setState(s.stream);
  }
}

/**
 * For reports: the spread of rollouts per prompt this step, and the GP's mean predicted success
 * against the observed success rate of the same prompts (and their mean absolute gap).
 */
export function allocationInfo(p: number[], n: number[], groups: ScoredGroup[]): Record<string, number> {
  const sorted = [...n].sort((a, b) => a - b);
  // Prompts given no rollouts have nothing observed: they are left out of the comparison.
  const seen = groups.map((g, i) => ({ g, p: p[i] })).filter((x) => x.g.rollouts.length > 0);
  const observed = seen.map((x) => successCount(x.g) / x.g.rollouts.length);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  return {
    rolloutsPerPromptMin: sorted[0] ?? 0,
    rolloutsPerPromptMedian: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
    rolloutsPerPromptMax: sorted[sorted.length - 1] ?? 0,
    predictedSuccess: mean(seen.map((x) => x.p)),
    observedSuccess: mean(observed),
    predictionAbsError: mean(observed.map((o, i) => Math.abs(o - seen[i].p))),
  };
}
