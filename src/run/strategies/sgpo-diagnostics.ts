/**
 * What an sGPO step trained on, for the metrics row: the share of its rollouts from each class
 * (trivial / learnable / unsolved), from replay and from each home phase; groups with signal per
 * rollout by class; and how stale the estimate behind the plan is (its p̂ against the success rate
 * the step observed for the same prompts: `staleness.abs` the mean gap, `staleness.drift` the mean
 * signed gap, observed − planned, which is positive when the policy has improved since the profile).
 */
import type { PoolItem } from './sgpo-pool.js';
import { hasSignal } from './uniform.js';
import { successCount, type ScoredGroup } from './types.js';

export interface TrainedGroup {
  group: ScoredGroup;
  item: PoolItem;
  /** p̂ of the estimate the pool was built from. */
  plannedP: number;
}

export function stepDiagnostics(trained: readonly TrainedGroup[]): Record<string, number> {
  const total = trained.reduce((s, t) => s + t.group.rollouts.length, 0);
  if (total === 0) return {};
  const rollouts = new Map<string, number>();
  const signal = new Map<string, number>();
  const add = (m: Map<string, number>, key: string, x: number) => m.set(key, (m.get(key) ?? 0) + x);
  let absGap = 0;
  let drift = 0;
  for (const { group, item, plannedP } of trained) {
    const n = group.rollouts.length;
    add(rollouts, item.cls, n);
    add(rollouts, item.replay ? 'replay' : item.home >= 0 ? `phase${item.home + 1}` : 'unsolvedSubset', n);
    if (hasSignal(group)) add(signal, item.cls, 1);
    const observed = successCount(group) / n;
    absGap += Math.abs(observed - plannedP);
    drift += observed - plannedP;
  }
  const out: Record<string, number> = {};
  for (const [key, n] of [...rollouts].sort(([a], [b]) => a.localeCompare(b)))
    out[`share.${key}`] = n / total;
  for (const cls of ['trivial', 'learnable', 'unsolved']) {
    const n = rollouts.get(cls);
    if (n) out[`signalPerRollout.${cls}`] = (signal.get(cls) ?? 0) / n;
  }
  out['staleness.abs'] = absGap / trained.length;
  out['staleness.drift'] = drift / trained.length;
  return out;
}
