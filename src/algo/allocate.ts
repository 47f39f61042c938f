/**
 * VIP allocation: split a budget of C rollouts over Q prompts, L_q ≤ n_q ≤ U_q, Σ n_q = C, minimising
 *   Σ_q a_q·f(n_q) [+ γ·log(p_q)·n_q]      a_q = p_q(1 − p_q)
 * with f(n) = (n − 1)/n² (Dr.GRPO) or 1/(n − 1) (RLOO).
 *
 * Domain: f must be convex on the integers in range for the greedy to be exact.
 *   RLOO: f(1) = ∞ (a singleton has no leave-one-out baseline) → lower ≥ 2 is required.
 *   Dr.GRPO: f(1) = 0 (a singleton carries no gradient, hence no variance), f(2) = 1/4 > f(3) = 2/9, and
 *   Δf(2) = −1/36 > Δf(3) = −5/144, so f is integer-convex only from n = 3 → lower ≥ 3 is required.
 * The γ term (off by default, γ = 0) is linear in n_q and keeps the problem separable convex; it
 * needs the probabilities p (clipped to [1e−6, 1 − 1e−6]) and moves rollouts toward hard prompts.
 *
 * Greedy: start at n = L, add one rollout at a time where the objective falls most (binary heap).
 * Ties are broken by fewer rollouts so far, then by lower index (so equal a gives a uniform split
 * with the remainder on the lowest indices). Separable convex ⇒ the result is the exact integer optimum.
 */

export type AllocObjective = 'drgrpo' | 'rloo';

export interface AllocateInput {
  /** a_q = p_q(1 − p_q) per prompt (≥ 0). */
  a: ArrayLike<number>;
  budget: number;
  /** Per-prompt or common bounds (integers). */
  lower: number | ArrayLike<number>;
  upper: number | ArrayLike<number>;
  objective: AllocObjective;
  /** Coefficient of the optional γ·log(p)·n term (default 0 = off). */
  gamma?: number;
  /** Success probabilities; required when gamma ≠ 0. */
  p?: ArrayLike<number>;
}

export interface Allocation {
  n: number[];
  objective: number;
}

export const P_CLIP = 1e-6;

/** Smallest lower bound at which f is integer-convex for the objective. */
export function minLowerBound(objective: AllocObjective): number {
  return objective === 'rloo' ? 2 : 3;
}

/** f(n): the per-prompt variance factor. */
export function varianceFactor(objective: AllocObjective, n: number): number {
  if (objective === 'rloo') return n <= 1 ? Infinity : 1 / (n - 1);
  return (n - 1) / (n * n);
}

/** f'(n) (continuous), used by the KKT cross-check. */
export function varianceFactorDerivative(objective: AllocObjective, n: number): number {
  if (objective === 'rloo') return -1 / ((n - 1) * (n - 1));
  return (2 - n) / (n * n * n);
}

/** Total objective Σ a_q f(n_q) + γ·Σ log(p_q)·n_q. */
export function allocationObjective(input: AllocateInput, n: ArrayLike<number>): number {
  const lin = linearTerms(input);
  let s = 0;
  for (let q = 0; q < n.length; q++) {
    s +=
      (input.a[q] === 0 ? 0 : input.a[q] * varianceFactor(input.objective, n[q])) + (lin ? lin[q] * n[q] : 0);
  }
  return s;
}

/** Per-prompt bounds after validation; throws on infeasible budgets with the numbers. */
export function resolveBounds(input: AllocateInput): { lo: Int32Array; hi: Int32Array } {
  const Q = input.a.length;
  const lo = new Int32Array(Q);
  const hi = new Int32Array(Q);
  const minL = minLowerBound(input.objective);
  let sumLo = 0;
  let sumHi = 0;
  for (let q = 0; q < Q; q++) {
    const l = typeof input.lower === 'number' ? input.lower : input.lower[q];
    const u = typeof input.upper === 'number' ? input.upper : input.upper[q];
    if (!Number.isInteger(l) || !Number.isInteger(u) || l > u) {
      throw new Error(`prompt ${q}: bounds must be integers with lower <= upper, got [${l}, ${u}]`);
    }
    if (l < minL) {
      throw new Error(
        `prompt ${q}: lower bound ${l} < ${minL}, below which the ${input.objective} variance factor is ` +
          (input.objective === 'rloo' ? 'infinite (f(1) = 1/0)' : 'not convex (f(1) = 0, f(2) > f(3))'),
      );
    }
    const a = input.a[q];
    if (!(a >= 0) || !Number.isFinite(a)) throw new Error(`prompt ${q}: a must be finite and >= 0, got ${a}`);
    lo[q] = l;
    hi[q] = u;
    sumLo += l;
    sumHi += u;
  }
  const C = input.budget;
  if (!Number.isInteger(C) || C < sumLo || C > sumHi) {
    throw new Error(
      `infeasible budget: C = ${C} rollouts for Q = ${Q} prompts needs Σ lower = ${sumLo} <= C <= Σ upper = ${sumHi}`,
    );
  }
  return { lo, hi };
}

function linearTerms(input: AllocateInput): Float64Array | null {
  const gamma = input.gamma ?? 0;
  if (gamma === 0) return null;
  if (!input.p || input.p.length !== input.a.length) throw new Error('gamma ≠ 0 needs p (one per prompt)');
  const out = new Float64Array(input.a.length);
  for (let q = 0; q < out.length; q++) {
    out[q] = gamma * Math.log(Math.min(1 - P_CLIP, Math.max(P_CLIP, input.p[q])));
  }
  return out;
}

/** Δf(m) = f(m + 1) − f(m), tabulated once for every m up to `maxHi` that the objective allows. */
function marginalFactors(objective: AllocateInput['objective'], maxHi: number): Float64Array {
  const df = new Float64Array(maxHi + 1);
  for (let m = minLowerBound(objective); m < maxHi; m++) {
    df[m] = varianceFactor(objective, m + 1) - varianceFactor(objective, m);
  }
  return df;
}

/** Exact integer allocation by greedy marginal allocation with a binary heap. */
export function allocateGreedy(input: AllocateInput): Allocation {
  const { lo, hi } = resolveBounds(input);
  const Q = lo.length;
  const n = new Int32Array(Q);
  let remaining = input.budget;
  let maxHi = 0;
  for (let q = 0; q < Q; q++) {
    n[q] = lo[q];
    remaining -= lo[q];
    if (hi[q] > maxHi) maxHi = hi[q];
  }
  const lin = linearTerms(input);
  const a = input.a;
  const df = marginalFactors(input.objective, maxHi);
  // Marginal change of adding one rollout to q at its current n (a = 0 contributes exactly 0).
  const gain = (q: number): number => (a[q] === 0 ? 0 : a[q] * df[n[q]]) + (lin ? lin[q] : 0);

  // Heap of prompt indices keyed by (gain, n, index).
  const key = new Float64Array(Q);
  const heap = new Int32Array(Q);
  let size = 0;
  const less = (i: number, j: number): boolean =>
    key[i] < key[j] || (key[i] === key[j] && (n[i] < n[j] || (n[i] === n[j] && i < j)));
  const siftDown = (pos: number): void => {
    const item = heap[pos];
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= size) break;
      const r = l + 1;
      const c = r < size && less(heap[r], heap[l]) ? r : l;
      if (!less(heap[c], item)) break;
      heap[pos] = heap[c];
      pos = c;
    }
    heap[pos] = item;
  };
  for (let q = 0; q < Q; q++) {
    if (n[q] < hi[q]) {
      key[q] = gain(q);
      heap[size++] = q;
    }
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i);
  while (remaining > 0) {
    const q = heap[0];
    n[q]++;
    remaining--;
    if (n[q] >= hi[q]) {
      heap[0] = heap[--size];
    } else {
      key[q] = gain(q);
    }
    if (size > 0) siftDown(0);
  }
  const out = Array.from(n);
  return { n: out, objective: allocationObjective(input, out) };
}

/**
 * Continuous KKT solution (cross-check): n_q(λ) solves a_q f'(n) + c_q = −λ clipped to [L_q, U_q]
 * (RLOO without γ: n = clip(1 + √(a/λ), L, U)); λ by bisection so that Σ n_q(λ) = C.
 */
export function allocateContinuous(input: AllocateInput): { n: number[]; lambda: number; objective: number } {
  const { lo, hi } = resolveBounds(input);
  const Q = lo.length;
  const lin = linearTerms(input);
  const obj = input.objective;
  // d/dn [a f(n) + c n] = a f'(n) + c, increasing in n on the convex domain; solve = −λ.
  const nAt = (q: number, lambda: number): number => {
    const a = input.a[q];
    const c = lin ? lin[q] : 0;
    const d = (x: number) => a * varianceFactorDerivative(obj, x) + c + lambda;
    if (d(lo[q]) >= 0) return lo[q];
    if (d(hi[q]) <= 0) return hi[q];
    if (obj === 'rloo' && c === 0) return Math.min(hi[q], Math.max(lo[q], 1 + Math.sqrt(a / lambda)));
    let l = lo[q];
    let h = hi[q];
    for (let i = 0; i < 100; i++) {
      const m = 0.5 * (l + h);
      if (d(m) < 0) l = m;
      else h = m;
    }
    return 0.5 * (l + h);
  };
  const total = (lambda: number): number => {
    let s = 0;
    for (let q = 0; q < Q; q++) s += nAt(q, lambda);
    return s;
  };
  // Σ n(λ) is non-increasing in λ. Bracket it.
  let lLo = -1;
  while (total(lLo) < input.budget && lLo > -1e12) lLo *= 2;
  let lHi = 1;
  while (total(lHi) > input.budget && lHi < 1e12) lHi *= 2;
  for (let i = 0; i < 200; i++) {
    const m = 0.5 * (lLo + lHi);
    if (total(m) > input.budget) lLo = m;
    else lHi = m;
  }
  const lambda = 0.5 * (lLo + lHi);
  const n = Array.from({ length: Q }, (_, q) => nAt(q, lambda));
  return { n, lambda, objective: allocationObjective(input, n) };
}

/** Uniform split: ⌊C/Q⌋ each, the remainder on the lowest indices. */
export function allocateUniform(Q: number, budget: number): number[] {
  if (!(Q > 0)) throw new Error(`need at least one prompt, got ${Q}`);
  const base = Math.floor(budget / Q);
  const extra = budget - base * Q;
  return Array.from({ length: Q }, (_, q) => base + (q < extra ? 1 : 0));
}

/**
 * Exploration floor: per-prompt lower bounds max(lower, minRollouts) for prompts predicted within
 * `margin` of 0 or 1 (a predictor can be wrong, and a prompt that gets nothing is never seen again).
 * Defaults: margin 0.05. Returns an array usable as `lower`.
 */
export function explorationFloor(
  p: ArrayLike<number>,
  opts: { lower: number; minRollouts: number; margin?: number },
): number[] {
  const margin = opts.margin ?? 0.05;
  const out = new Array<number>(p.length);
  for (let q = 0; q < p.length; q++) {
    const extreme = p[q] <= margin || p[q] >= 1 - margin;
    out[q] = extreme ? Math.max(opts.lower, opts.minRollouts) : opts.lower;
  }
  return out;
}

/** a_q = p(1 − p) with p clipped to [1e−6, 1 − 1e−6] (as VIP's released code). */
export function bernoulliVariance(p: ArrayLike<number>, out?: Float64Array): Float64Array {
  const a = out ?? new Float64Array(p.length);
  for (let q = 0; q < p.length; q++) {
    const x = Math.min(1 - P_CLIP, Math.max(P_CLIP, p[q]));
    a[q] = x * (1 - x);
  }
  return a;
}
