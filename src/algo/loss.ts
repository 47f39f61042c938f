/**
 * The clipped policy-gradient objective (PPO-clip with DAPO's asymmetric clip, plus an optional KL
 * penalty to a reference policy), as pure functions of per-token log-probs. The engine knows none of
 * this: it only turns dLoss/dlogp per token into parameter gradients.
 *
 * Per masked token t of sequence i, with r = exp(logp − oldLogp) and advantage A:
 *
 *   term_t = max(−A·r, −A·clip(r, 1 − clipLow, 1 + clipHigh)) + β·KL(logp, refLogp)
 *   loss   = Σ_i Σ_t term_t / D_i
 *
 * The aggregation chooses the divisors D_i (registry below): token-mean D = all masked tokens of the
 * batch; seq-mean-token-mean D_i = (sequences)·(masked tokens of i); seq-mean-token-sum-norm
 * (Dr.GRPO) D = (sequences)·(a constant token budget), so long and short answers weigh per token alike.
 * When the clipped branch is active the PPO term is constant in logp (gradient 0).
 */

/** Per-token values of a KL estimator of KL(π ‖ π_ref), and its derivative in logp. */
export interface KlEstimator {
  value(logp: number, refLogp: number): number;
  grad(logp: number, refLogp: number): number;
}

/** Divisor D_i of each sequence, from each sequence's masked-token count. */
export type Aggregation = (maskedTokens: readonly number[], opts: { tokenBudget?: number }) => number[];

const klEstimators = new Map<string, KlEstimator>([
  // k1 = logp − ref: unbiased, can be negative per token.
  ['k1', { value: (logp, ref) => logp - ref, grad: () => 1 }],
  // k3 = e^d − d − 1 with d = ref − logp: unbiased and never negative (Schulman's estimator).
  [
    'k3',
    {
      value: (logp, ref) => {
        const d = ref - logp;
        return Math.exp(d) - d - 1;
      },
      grad: (logp, ref) => 1 - Math.exp(ref - logp),
    },
  ],
]);

const aggregations = new Map<string, Aggregation>([
  [
    'token-mean',
    (tokens) => {
      const total = Math.max(
        1,
        tokens.reduce((a, b) => a + b, 0),
      );
      return tokens.map(() => total);
    },
  ],
  ['seq-mean-token-mean', (tokens) => tokens.map((n) => tokens.length * Math.max(1, n))],
  [
    'seq-mean-token-sum-norm',
    (tokens, { tokenBudget }) => {
      const budget = tokenBudget ?? Math.max(1, ...tokens);
      return tokens.map(() => tokens.length * budget);
    },
  ],
]);

export const DEFAULT_AGGREGATION = 'token-mean';
export const DEFAULT_KL_ESTIMATOR = 'k3';

export function registerKlEstimator(name: string, estimator: KlEstimator): void {
  if (klEstimators.has(name)) throw new Error(`KL estimator '${name}' is already registered`);
  klEstimators.set(name, estimator);
}

export function registerAggregation(name: string, aggregation: Aggregation): void {
  if (aggregations.has(name)) throw new Error(`loss aggregation '${name}' is already registered`);
  aggregations.set(name, aggregation);
}

export const klEstimatorNames = (): string[] => [...klEstimators.keys()];
export const aggregationNames = (): string[] => [...aggregations.keys()];

function lookup<T>(map: Map<string, T>, name: string, what: string): T {
  const found = map.get(name);
  if (!found) throw new Error(`unknown ${what} '${name}' (registered: ${[...map.keys()].join(', ')})`);
  return found;
}

export interface PolicyLossOptions {
  clipLow: number;
  clipHigh: number;
  /** β of the KL penalty; 0 leaves it out (refLogp then only feeds the meanKl statistic). */
  klCoef: number;
  /** Registered KL estimator name (default k3). */
  kl?: string;
  /** Registered aggregation name (default token-mean). */
  aggregation?: string;
  /** seq-mean-token-sum-norm: the constant per-sequence token count (default: longest in the batch). */
  tokenBudget?: number;
}

/** Per-token inputs of one batch; index [i][t] = token t of sequence i (mask 0 = not a loss token). */
export interface PolicyLossBatch {
  oldLogp: ArrayLike<number>[];
  refLogp?: ArrayLike<number>[];
  advantage: ArrayLike<number>[];
  mask: ArrayLike<number>[];
}

export interface PolicyLossStats {
  loss: number;
  /** Fraction of masked tokens whose clipped branch was active. */
  clipFraction: number;
  /** Mean of r = exp(logp − oldLogp) over masked tokens. */
  meanRatio: number;
  /** Mean KL estimate over masked tokens (0 without refLogp). */
  meanKl: number;
  tokens: number;
}

/**
 * The objective over one batch, fed one token at a time in any order: `grad(i, t, logp)` returns
 * dLoss/dlogp for token t of sequence i and accumulates the statistics; `stats()` gives the totals.
 * This lets an engine compute log-probs and their gradient weights in one forward pass.
 */
export function createPolicyLoss(batch: PolicyLossBatch, opts: PolicyLossOptions) {
  const kl = lookup(klEstimators, opts.kl ?? DEFAULT_KL_ESTIMATOR, 'KL estimator');
  const maskedTokens = batch.mask.map((m) => countMasked(m));
  const divisor = lookup(
    aggregations,
    opts.aggregation ?? DEFAULT_AGGREGATION,
    'loss aggregation',
  )(maskedTokens, { tokenBudget: opts.tokenBudget });
  const beta = opts.klCoef;
  const lo = 1 - opts.clipLow;
  const hi = 1 + opts.clipHigh;
  const totals = emptyTotals();

  function grad(i: number, t: number, logp: number): number {
    if (!batch.mask[i]![t]) return 0;
    const A = batch.advantage[i]![t]!;
    const r = Math.exp(logp - batch.oldLogp[i]![t]!);
    const unclipped = -A * r;
    const clippedTerm = -A * Math.min(hi, Math.max(lo, r));
    let sum = totals.sums.get(divisor[i]!) ?? 0;
    let g: number;
    if (clippedTerm > unclipped) {
      totals.clipped++;
      sum += clippedTerm;
      g = 0;
    } else {
      sum += unclipped;
      g = -A * r;
    }
    const ref = batch.refLogp?.[i]![t];
    if (ref !== undefined) {
      const k = kl.value(logp, ref);
      totals.klSum += k;
      if (beta !== 0) {
        sum += beta * k;
        g += beta * kl.grad(logp, ref);
      }
    }
    totals.sums.set(divisor[i]!, sum);
    totals.ratioSum += r;
    totals.tokens++;
    return g / divisor[i]!;
  }

  if (beta !== 0 && !batch.refLogp) throw new Error(`policy loss: klCoef ${beta} needs refLogp`);
  return { grad, stats: () => statsOf(totals) };
}

interface LossTotals {
  /** Loss sums kept per divisor and divided once, so token-mean is one sum over the batch / N. */
  sums: Map<number, number>;
  tokens: number;
  clipped: number;
  ratioSum: number;
  klSum: number;
}

const emptyTotals = (): LossTotals => ({ sums: new Map(), tokens: 0, clipped: 0, ratioSum: 0, klSum: 0 });

function statsOf(t: LossTotals): PolicyLossStats {
  let loss = 0;
  for (const [d, s] of t.sums) loss += s / d;
  return {
    loss,
    clipFraction: t.tokens ? t.clipped / t.tokens : 0,
    meanRatio: t.tokens ? t.ratioSum / t.tokens : 0,
    meanKl: t.tokens ? t.klSum / t.tokens : 0,
    tokens: t.tokens,
  };
}

function countMasked(mask: ArrayLike<number>): number {
  let n = 0;
  for (let t = 0; t < mask.length; t++) if (mask[t]) n++;
  return n;
}

/** The whole objective at once: loss, dLoss/dlogp per token (0 off the mask) and clip statistics. */
export function policyLoss(
  logp: ArrayLike<number>[],
  batch: PolicyLossBatch,
  opts: PolicyLossOptions,
): PolicyLossStats & { dLossDlogp: Float64Array[] } {
  const objective = createPolicyLoss(batch, opts);
  const dLossDlogp = logp.map((row, i) => Float64Array.from(row, (lp, t) => objective.grad(i, t, lp)));
  return { ...objective.stats(), dLossDlogp };
}
