/**
 * The group is the unit: one prompt with its own list of rollout rewards, of any size >= 1.
 * Rollouts are grouped once (by prompt id, first-appearance order); everything else maps over groups.
 */

export interface Group {
  promptId: string;
  rewards: number[];
}

/** Default tolerance under which all rewards of a group count as equal (zero variance). */
export const ZERO_VARIANCE_TOL = 1e-9;

/** Group flat rollouts by prompt id, preserving first-appearance order of prompts and rollouts. */
export function groupRollouts(rollouts: ReadonlyArray<{ promptId: string; reward: number }>): Group[] {
  const byId = new Map<string, Group>();
  for (const r of rollouts) {
    let g = byId.get(r.promptId);
    if (!g) {
      g = { promptId: r.promptId, rewards: [] };
      byId.set(r.promptId, g);
    }
    g.rewards.push(r.reward);
  }
  return [...byId.values()];
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('mean of an empty group');
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Population standard deviation (divides by n). */
export function populationStd(xs: readonly number[]): number {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / xs.length);
}

/** Sample standard deviation (divides by n − 1; 0 for a single reward). */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

/** True when all rewards are equal within `tol` (max − min <= tol): such a group carries no signal. */
export function isZeroVariance(rewards: readonly number[], tol = ZERO_VARIANCE_TOL): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rewards) {
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  return hi - lo <= tol;
}

/** Number of successes (rewards >= threshold, default 0.5) in a group. */
export function successes(rewards: readonly number[], threshold = 0.5): number {
  let k = 0;
  for (const r of rewards) if (r >= threshold) k++;
  return k;
}

/** Check a group: non-empty, finite rewards. Throws a clear error naming the prompt. */
export function assertGroup(g: Group): void {
  if (g.rewards.length < 1) throw new Error(`group ${g.promptId}: needs at least one rollout`);
  for (let i = 0; i < g.rewards.length; i++) {
    if (!Number.isFinite(g.rewards[i])) {
      throw new Error(`group ${g.promptId}: reward ${i} is not finite (${g.rewards[i]})`);
    }
  }
}
