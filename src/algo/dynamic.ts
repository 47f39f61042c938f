/**
 * DAPO dynamic-sampling filter: keep only groups that carry signal (0 < successes < n, i.e. rewards
 * not all equal within a tolerance), and count rollouts generated / kept / thrown away.
 */
import { type Group, isZeroVariance, ZERO_VARIANCE_TOL } from './group.js';

export interface DynamicSamplingResult {
  kept: Group[];
  dropped: Group[];
  counts: {
    groups: number;
    groupsKept: number;
    groupsDropped: number;
    rolloutsGenerated: number;
    rolloutsKept: number;
    rolloutsDropped: number;
  };
}

/** Does a group carry signal? (n ≥ 2 and not all rewards equal within tol.) */
export function hasSignal(g: Group, tol = ZERO_VARIANCE_TOL): boolean {
  return g.rewards.length >= 2 && !isZeroVariance(g.rewards, tol);
}

export function dynamicSamplingFilter(
  groups: readonly Group[],
  tol = ZERO_VARIANCE_TOL,
): DynamicSamplingResult {
  const kept: Group[] = [];
  const dropped: Group[] = [];
  for (const g of groups) (hasSignal(g, tol) ? kept : dropped).push(g);
  const count = (gs: Group[]) => gs.reduce((s, g) => s + g.rewards.length, 0);
  const rolloutsKept = count(kept);
  const rolloutsDropped = count(dropped);
  return {
    kept,
    dropped,
    counts: {
      groups: groups.length,
      groupsKept: kept.length,
      groupsDropped: dropped.length,
      rolloutsGenerated: rolloutsKept + rolloutsDropped,
      rolloutsKept,
      rolloutsDropped,
    },
  };
}
