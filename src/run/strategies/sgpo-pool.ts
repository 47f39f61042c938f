/**
 * The prompts an sGPO phase trains on, rebuilt from the current success estimates each time a phase
 * starts. With the initial profile as the estimates and no switch on, the pool of phase j is exactly
 * the plan's phase j: the learnable prompts whose G is the phase's G, plus the kept unsolved subset
 * at that G. The switches beyond the paper change it:
 *   cumulative  learnable prompts of phases 0..j, each at its own G (what was learned keeps training)
 *   replay      fixed seeded shares of the trivial prompts and of the unsolved ones left out by α,
 *               at a small G, in every phase
 * A re-profile changes the estimates, so a prompt moves to the phase of its new G, leaves when it has
 * become trivial, and joins when a prompt dropped before has become learnable.
 */
import {
  classify,
  groupSizeExact,
  groupSizePow2,
  subsampleUnsolved,
  type PromptClass,
  type SgpoPlan,
} from '../../algo/index.js';
import type { Problem } from '../../tasks/types.js';

export interface Estimate {
  successes: number;
  trials: number;
}

export interface PoolItem {
  problem: Problem;
  G: number;
  /** Class under the estimate the pool was built from. */
  cls: PromptClass;
  /** The phase whose G this prompt's G falls in; -1 for a replayed or unsolved-subset prompt. */
  home: number;
  /** In the pool as replay of a dropped prompt. */
  replay: boolean;
}

export interface PoolRules {
  tau: number;
  gMin: number;
  gMax: number;
  rounding: 'pow2' | 'exact';
  cumulative: boolean;
  replay: { trivial: number; unsolved: number; G: number };
}

/** Class and G of a prompt under an estimate (G is null for trivial and unsolved prompts). */
export function bucketOf(e: Estimate, rules: PoolRules): { cls: PromptClass; G: number | null } {
  const pHat = e.trials > 0 ? e.successes / e.trials : 0;
  const cls = classify(pHat, rules.tau);
  if (cls !== 'learnable') return { cls, G: null };
  const size = rules.rounding === 'exact' ? groupSizeExact : groupSizePow2;
  return { cls, G: size(pHat, rules.gMin, rules.gMax) };
}

/** The phase a G belongs to: the first phase whose G is at least it (phases ascend). */
export function homePhase(G: number, phaseGs: readonly number[]): number {
  const i = phaseGs.findIndex((g) => g >= G);
  return i === -1 ? phaseGs.length - 1 : i;
}

/**
 * The replay subsets, fixed for the run: seeded shares of the prompts the initial plan dropped as
 * trivial and of the unsolved prompts outside the α subsample.
 */
export function replaySubsets(
  plan: SgpoPlan,
  replay: PoolRules['replay'],
  seed: number,
): { trivial: Set<string>; unsolved: Set<string> } {
  const trivialIds = plan.prompts.filter((p) => p.cls === 'trivial').map((p) => p.id);
  const leftOut = plan.prompts.filter((p) => p.cls === 'unsolved' && !p.kept).map((p) => p.id);
  return {
    trivial: new Set(subsampleUnsolved(trivialIds, replay.trivial, `${seed}:replay-trivial`)),
    unsolved: new Set(subsampleUnsolved(leftOut, replay.unsolved, `${seed}:replay-unsolved`)),
  };
}

/** The pool of phase `j` (in the plan's prompt order; the phase's stream shuffles it). */
export function phasePool(args: {
  j: number;
  plan: SgpoPlan;
  problems: ReadonlyMap<string, Problem>;
  estimates: ReadonlyMap<string, Estimate>;
  rules: PoolRules;
  replayIds: { trivial: Set<string>; unsolved: Set<string> };
}): PoolItem[] {
  const { j, plan, rules, replayIds } = args;
  const phaseGs = plan.phases.map((ph) => ph.G);
  const learnableInPlan = new Set(plan.prompts.filter((p) => p.cls === 'learnable').map((p) => p.id));
  const unsolvedKept = new Set(plan.phases[j].promptIds.filter((id) => !learnableInPlan.has(id)));
  const out: PoolItem[] = [];
  for (const planned of plan.prompts) {
    const problem = args.problems.get(planned.id);
    if (!problem) continue;
    const { cls, G } = bucketOf(args.estimates.get(planned.id)!, rules);
    if (G !== null) {
      const home = homePhase(G, phaseGs);
      if (home === j || (rules.cumulative && home < j)) out.push({ problem, G, cls, home, replay: false });
    } else if (cls === 'unsolved' && unsolvedKept.has(planned.id)) {
      out.push({ problem, G: phaseGs[j], cls, home: -1, replay: false });
    } else if (replayIds.trivial.has(planned.id) || replayIds.unsolved.has(planned.id)) {
      out.push({ problem, G: rules.replay.G, cls, home: -1, replay: true });
    }
  }
  return out;
}
