import type { ScoredGroup, CollectContext } from '../../src/run/strategies/types.js';
import type { Problem } from '../../src/tasks/types.js';

/**
 * A collect context for strategy tests: it records what the strategy asked for (prompt ids and
 * rollouts per prompt) and answers each group with round(rate(p)·n) successes, the first ones.
 */
export function recordingContext(
  step: number,
  totalSteps: number,
  rate: (p: Problem) => number = () => 0.5,
): { ctx: CollectContext; calls: Array<{ ids: string[]; n: number[] }> } {
  const calls: Array<{ ids: string[]; n: number[] }> = [];
  const ctx: CollectContext = {
    step,
    totalSteps,
    progress: (step - 1) / totalSteps,
    sample: async (ps, n) => {
      calls.push({ ids: ps.map((p) => p.id), n });
      return ps.map((p, i): ScoredGroup => {
        const s = Math.round(rate(p) * n[i]);
        const rollouts = Array.from({ length: n[i] }, (_, j) => ({
          text: '',
          finished: true,
          reward: j < s ? 1 : 0,
          reason: 'wrong' as const,
        }));
        return { problem: p, rollouts };
      });
    },
  };
  return { ctx, calls };
}
