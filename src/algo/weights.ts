/**
 * Asymmetric prompt weights ω(p̂), applied as A_i = ω(p̂)·(r_i − p̂) with p̂ the group's mean reward.
 *
 * Written per rollout as A = r·v(p̂) − (1 − r)·u(p̂) with the two closed forms
 *   v(p̂) = ω(p̂)·(1 − p̂)  (advantage of a correct answer)
 *   u(p̂) = ω(p̂)·p̂        (minus the advantage of a wrong answer)
 * which equals ω·(r − p̂) for any r in [0, 1] and stays finite at the ends:
 *
 * | weighting  | ω             | v (correct)    | u (wrong)     | u(0) | ω·p(1−p)  |
 * |------------|---------------|----------------|---------------|------|-----------|
 * | linear-r   | 1/p           | (1−p)/p        | 1             | 1    | 1−p       |
 * | sqrt-r     | 1/(p√(1−p))   | √(1−p)/p       | 1/√(1−p)      | 1    | √(1−p)    |
 * | uniform-r  | 1/(p(1−p))    | 1/p            | 1/(1−p)       | 1    | 1         |
 *
 * p̂ = 0 (no success): every wrong answer gets −u(0) = −1 (finite, negative).
 * p̂ = 1 (all correct): zero advantages by default (`onAllCorrect: 'zero'`, nothing to contrast);
 *   'limit' gives v(1) instead (0, 0, 1 for the three weightings).
 * Cap: each per-rollout advantage magnitude is bounded by `cap` (default 64). For tiny p̂ this bounds
 *   the correct-answer weight (v ≤ cap ⇔ ω ≤ cap/(1−p̂)); near p̂ → 1 it bounds u for sqrt-r/uniform-r.
 *   With the group mean as p̂ the cap never binds for groups of n ≤ 64 rollouts (v ≤ n, u ≤ n).
 */

export type WeightingName = 'linear-r' | 'sqrt-r' | 'uniform-r';
export const WEIGHTING_NAMES: readonly WeightingName[] = ['linear-r', 'sqrt-r', 'uniform-r'];

export interface WeightingOptions {
  /** Bound on |advantage| per rollout (default 64). */
  cap?: number;
  /** Behaviour for p̂ = 1: 'zero' (default) or 'limit' (closed-form v(1)). */
  onAllCorrect?: 'zero' | 'limit';
}

export interface Weighting extends WeightingOptions {
  kind: WeightingName;
}

export const DEFAULT_WEIGHT_CAP = 64;

/** ω(p) itself (Infinity at the ends where it diverges). */
export function omega(kind: WeightingName, p: number): number {
  checkP(p);
  switch (kind) {
    case 'linear-r':
      return 1 / p;
    case 'sqrt-r':
      return 1 / (p * Math.sqrt(1 - p));
    case 'uniform-r':
      return 1 / (p * (1 - p));
  }
}

/** u(p) = ω(p)·p in closed form (the magnitude of a wrong answer's advantage), uncapped. */
export function omegaTimesP(kind: WeightingName, p: number): number {
  checkP(p);
  switch (kind) {
    case 'linear-r':
      return 1;
    case 'sqrt-r':
      return 1 / Math.sqrt(1 - p);
    case 'uniform-r':
      return 1 / (1 - p);
  }
}

/** v(p) = ω(p)·(1 − p) in closed form (a correct answer's advantage), uncapped. */
export function omegaTimesOneMinusP(kind: WeightingName, p: number): number {
  checkP(p);
  switch (kind) {
    case 'linear-r':
      return (1 - p) / p;
    case 'sqrt-r':
      return Math.sqrt(1 - p) / p;
    case 'uniform-r':
      return 1 / p;
  }
}

/** ω(p)·p(1−p): the implicit per-prompt gradient weight of an asymmetric weighting (0 at p ∈ {0,1}). */
export function asymmetricEffectiveWeight(kind: WeightingName, p: number): number {
  checkP(p);
  if (p <= 0 || p >= 1) return 0;
  switch (kind) {
    case 'linear-r':
      return 1 - p;
    case 'sqrt-r':
      return Math.sqrt(1 - p);
    case 'uniform-r':
      return 1;
  }
}

/** Per-rollout advantages ω(p̂)·(r − p̂) for one group with mean reward p̂, capped and finite. */
export function asymmetricAdvantages(rewards: readonly number[], w: Weighting, pHat?: number): number[] {
  const cap = w.cap ?? DEFAULT_WEIGHT_CAP;
  if (!(cap > 0)) throw new Error(`weighting cap must be > 0, got ${cap}`);
  let p = pHat;
  if (p === undefined) {
    p = 0;
    for (const r of rewards) p += r;
    p /= rewards.length;
  }
  p = Math.min(1, Math.max(0, p));
  if (p >= 1 && (w.onAllCorrect ?? 'zero') === 'zero') return rewards.map(() => 0);
  const v = p > 0 ? Math.min(cap, omegaTimesOneMinusP(w.kind, p)) : cap;
  const u = p < 1 ? Math.min(cap, omegaTimesP(w.kind, p)) : 0;
  return rewards.map((r) => r * v - (1 - r) * u);
}

function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`success rate must be in [0, 1], got ${p}`);
}
