/**
 * Phase end by the phase's own training signal: a phase ends when the windowed mean of its training
 * reward (or its share of groups with signal) has not beaten its best reading by `minDelta` for
 * `patience` steps. It sees only the rollouts the phase trained on, never held-out data.
 */
import { hasSignal } from './uniform.js';
import { successCount, type ScoredGroup } from './types.js';

export interface SignalRule {
  metric: 'reward' | 'signalRate';
  window: number;
  patience: number;
  minDelta: number;
}

export interface SignalTracker {
  recent: number[];
  /** Best windowed reading in this phase; null before the window first fills. */
  best: number | null;
  sinceBest: number;
}

export function freshTracker(): SignalTracker {
  return { recent: [], best: null, sinceBest: 0 };
}

/** The step's reading of the watched signal; null when the step trained no group. */
export function stepSignal(groups: readonly ScoredGroup[], metric: SignalRule['metric']): number | null {
  if (groups.length === 0) return null;
  if (metric === 'signalRate') return groups.filter(hasSignal).length / groups.length;
  const rollouts = groups.reduce((s, g) => s + g.rollouts.length, 0);
  return rollouts > 0 ? groups.reduce((s, g) => s + successCount(g), 0) / rollouts : null;
}

/** Feeds one step's reading; returns the new tracker and whether the phase has stopped improving. */
export function trackSignal(
  t: SignalTracker,
  value: number | null,
  rule: SignalRule,
): { tracker: SignalTracker; ended: boolean } {
  if (value === null) return { tracker: t, ended: false };
  const recent = [...t.recent, value].slice(-rule.window);
  if (recent.length < rule.window) return { tracker: { ...t, recent }, ended: false };
  const reading = recent.reduce((s, x) => s + x, 0) / recent.length;
  if (t.best === null || reading > t.best + rule.minDelta) {
    return { tracker: { recent, best: reading, sinceBest: 0 }, ended: false };
  }
  const sinceBest = t.sinceBest + 1;
  return { tracker: { recent, best: t.best, sinceBest }, ended: sinceBest >= rule.patience };
}
