/**
 * Statistics for the benchmark: curves averaged over seeds, the crossing rule that reads "compute to
 * target" off a noisy accuracy curve, a monotone (isotonic) fit as a cross-check, and percentile
 * bootstrap intervals over seeds. Pure and deterministic: the bootstrap draws from a seeded RNG.
 *
 * The crossing rule (headline). Given the seed-mean curve (f_i, a_i), the target T and the noise
 * band b of one seed-mean evaluation, compute to target is the first f_i with
 *
 *     a_i ≥ T  and  a_{i+1} ≥ T − b  and  a_{i+2} ≥ T − b
 *
 * i.e. the curve reaches the target and the next two evaluations stay within the noise band below
 * it. Near the end of a curve only the evaluations that exist are asked (the last point confirms
 * itself), so a run whose final evaluation is the first to reach the target still counts. One lucky
 * evaluation followed by a fall back to the old level therefore does not count as a crossing.
 */
import { createRng } from '../tasks/rng.js';

export interface CurvePoint {
  chargedFlops: number;
  accuracy: number;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Mean and sample standard deviation (n − 1); std 0 for one value. */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  const m = mean(xs);
  const variance = xs.length > 1 ? xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1) : 0;
  return { mean: m, std: Math.sqrt(variance) };
}

/** First evaluation at or above the target (the old, noise-sensitive rule); null if never. */
export function firstTouch(curve: readonly CurvePoint[], target: number, tol = 1e-9): number | null {
  for (const p of curve) if (p.accuracy >= target - tol) return p.chargedFlops;
  return null;
}

/** The crossing rule of this module's header: reach the target, then stay within `band` below it. */
export function confirmedCrossing(
  curve: readonly CurvePoint[],
  target: number,
  band: number,
  confirmations = 2,
  tol = 1e-9,
): number | null {
  if (!(band >= 0)) throw new RangeError(`noise band must be ≥ 0, got ${band}`);
  for (let i = 0; i < curve.length; i++) {
    if (curve[i].accuracy < target - tol) continue;
    const next = curve.slice(i + 1, i + 1 + confirmations);
    if (next.every((p) => p.accuracy >= target - band - tol)) return curve[i].chargedFlops;
  }
  return null;
}

/**
 * Non-decreasing least-squares fit (pool adjacent violators). A lucky evaluation is pooled with the
 * lower ones after it, so it cannot lift the fit on its own.
 */
export function isotonicFit(ys: readonly number[]): number[] {
  const blocks: Array<{ sum: number; n: number }> = [];
  for (const y of ys) {
    blocks.push({ sum: y, n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.sum / a.n <= b.sum / b.n) break;
      blocks.splice(blocks.length - 2, 2, { sum: a.sum + b.sum, n: a.n + b.n });
    }
  }
  return blocks.flatMap((b) => new Array<number>(b.n).fill(b.sum / b.n));
}

/** FLOPs where the isotonic fit first reaches the target, interpolated linearly between evaluations. */
export function isotonicCrossing(curve: readonly CurvePoint[], target: number, tol = 1e-9): number | null {
  const fit = isotonicFit(curve.map((p) => p.accuracy));
  for (let i = 0; i < fit.length; i++) {
    if (fit[i] < target - tol) continue;
    if (i === 0 || fit[i] === fit[i - 1]) return curve[i].chargedFlops;
    const t = (target - fit[i - 1]) / (fit[i] - fit[i - 1]);
    const f0 = curve[i - 1].chargedFlops;
    return f0 + Math.min(1, Math.max(0, t)) * (curve[i].chargedFlops - f0);
  }
  return null;
}

/**
 * The seeds' curves averaged at matched FLOPs: at every FLOP value where some seed evaluated, each
 * seed contributes its latest evaluation at or before it (its first one before that). A run that
 * has ended holds its final evaluation up to where the longest run ends, so the last point is the
 * mean of the seeds' final evaluations: runs of one budget end a fraction of a step apart, and
 * stopping at the shortest would read the others at their evaluation before the final one.
 */
export function meanCurve(curves: ReadonlyArray<readonly CurvePoint[]>): CurvePoint[] {
  if (curves.length === 0) return [];
  const grid = [...new Set(curves.flat().map((p) => p.chargedFlops))].sort((a, b) => a - b);
  // One pointer per curve walks forward with the grid (curves are in FLOP order).
  const at = curves.map(() => 0);
  return grid.map((f) => {
    let sum = 0;
    curves.forEach((c, k) => {
      while (at[k] + 1 < c.length && c[at[k] + 1].chargedFlops <= f) at[k]++;
      sum += c[at[k]].accuracy;
    });
    return { chargedFlops: f, accuracy: sum / curves.length };
  });
}

/** Linear-interpolation percentile (q in [0, 1]) of an ascending array. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

export interface Interval {
  lo: number;
  hi: number;
  level: number;
  resamples: number;
  /** Share of resamples where the statistic was undefined (e.g. the target never reached). */
  undefinedShare: number;
}

export interface BootstrapOptions {
  resamples?: number;
  level?: number;
  seed?: number | string;
  /** Value an undefined statistic counts as (default: the resample is dropped). */
  whenUndefined?: number;
}

/** Draws `n` indices in [0, n) with replacement. */
function resampleIndices(n: number, next: () => number): number[] {
  return Array.from({ length: n }, () => Math.floor(next() * n));
}

/**
 * Percentile bootstrap over independent groups (e.g. the seeds of each method): every resample
 * redraws each group's items with replacement and evaluates `statistic` on the redrawn groups.
 * `statistic` may return null (undefined on that resample); such resamples count as `whenUndefined`
 * when it is given, else they are dropped, and their share is reported either way.
 */
export function bootstrapInterval<T>(
  groups: ReadonlyArray<readonly T[]>,
  statistic: (groups: T[][]) => number | null,
  opts: BootstrapOptions = {},
): Interval {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const rng = createRng(opts.seed ?? 'bootstrap');
  const values: number[] = [];
  let undefinedCount = 0;
  for (let r = 0; r < resamples; r++) {
    const drawn = groups.map((g) => resampleIndices(g.length, () => rng.next()).map((i) => g[i]));
    const v = statistic(drawn);
    if (v === null || !Number.isFinite(v)) {
      undefinedCount++;
      if (opts.whenUndefined !== undefined) values.push(opts.whenUndefined);
      continue;
    }
    values.push(v);
  }
  values.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return {
    lo: percentile(values, tail),
    hi: percentile(values, 1 - tail),
    level,
    resamples,
    undefinedShare: undefinedCount / resamples,
  };
}

/**
 * Standard error of a mean accuracy over P prompts with s samples each, as seen by repeating the
 * evaluation of one checkpoint on the same prompts: sqrt(Σ_p p_p(1−p_p)/s) / P, with each p_p(1−p_p)
 * estimated without bias from c_p successes (c(s−c)/(s(s−1))).
 */
export function samplingStandardError(successes: readonly number[], samples: number): number {
  if (samples < 2) return NaN;
  const P = successes.length;
  let variance = 0;
  for (const c of successes) variance += (c * (samples - c)) / (samples * (samples - 1)) / samples;
  return Math.sqrt(variance) / P;
}

/**
 * Eval size (prompts × samples per prompt) that brings the sampling standard error down to
 * `targetSe`, from the measured mean per-prompt Bernoulli variance v̄: SE = sqrt(v̄ / (P·s)).
 */
export function evalSamplesNeeded(meanBernoulliVariance: number, targetSe: number): number {
  if (!(targetSe > 0)) throw new RangeError(`target standard error must be > 0, got ${targetSe}`);
  return Math.ceil(meanBernoulliVariance / targetSe ** 2);
}

/**
 * Spread of successive evaluations of one run, from second differences: for evaluations
 * a_i = trend_i + e_i with a locally linear trend and independent noise of standard deviation σ,
 * a_{i+1} − 2a_i + a_{i−1} has variance 6σ², so σ ≈ sqrt(mean(d²) / 6). It holds evaluation noise
 * and any real step-to-step jitter of the policy; null with fewer than three evaluations.
 */
export function consecutiveSpread(accuracies: readonly number[]): number | null {
  if (accuracies.length < 3) return null;
  let sum = 0;
  for (let i = 1; i < accuracies.length - 1; i++) {
    sum += (accuracies[i + 1] - 2 * accuracies[i] + accuracies[i - 1]) ** 2;
  }
  return Math.sqrt(sum / (accuracies.length - 2) / 6);
}
