/**
 * What "compute" means in a benchmark's tables. The default is training-side FLOPs (what a method
 * spends, profiling included). `rollouts` reads the same runs against rollouts generated instead,
 * the unit papers count in when responses dominate the cost: a method that trains more of what it
 * generates buys fewer rollouts per FLOP, and this axis tells that apart from how much each rollout
 * teaches. Profiling samples count as rollouts: one profile pass exactly (prompts × k), re-profiling
 * at the same rollouts per profiling FLOP.
 */
import type { RunDetail } from './records.js';
import type { ProfileSummary } from './profiles.js';

export type BenchAxis = 'flops' | 'rollouts';
export const BENCH_AXES: readonly BenchAxis[] = ['flops', 'rollouts'];

/** How the tables print an amount on the axis. */
export interface AxisUnit {
  axis: BenchAxis;
  /** Column label, e.g. "GFLOP". */
  label: string;
  scale: number;
}

export function axisUnit(axis: BenchAxis): AxisUnit {
  return axis === 'flops'
    ? { axis, label: 'GFLOP', scale: 1e9 }
    : { axis, label: 'thousand rollouts', scale: 1e3 };
}

/**
 * Profiling rollouts per profiling FLOP, by seed (each seed has its own profile): one pass of the
 * profile (prompts × k) over the smallest profiling charge among that seed's runs (a run that
 * re-profiles is charged more, and counted in proportion). Empty without a profile.
 */
export function profileRolloutsPerFlop(
  profile: ProfileSummary | null,
  runs: readonly RunDetail[],
): Map<number, number> {
  const smallest = new Map<number, number>();
  for (const r of runs)
    if (r.profileFlops > 0) smallest.set(r.seed, Math.min(smallest.get(r.seed) ?? Infinity, r.profileFlops));
  const out = new Map<number, number>();
  if (profile) for (const [seed, f] of smallest) out.set(seed, (profile.prompts * profile.k) / f);
  return out;
}

/**
 * A run with its curve, total and profile charge expressed in rollouts generated (the x of each
 * evaluation: profiling rollouts plus those generated up to and including its step).
 */
export function onRolloutAxis(run: RunDetail, perProfileFlop: ReadonlyMap<number, number>): RunDetail {
  const profile = Math.round(run.profileFlops * (perProfileFlop.get(run.seed) ?? 0));
  const upTo = new Map<number, number>([[0, profile]]);
  let total = profile;
  run.perStep.step.forEach((step, i) => {
    total += run.perStep.generated[i];
    upTo.set(step, total);
  });
  return {
    ...run,
    curve: run.evals.map((e) => ({ chargedFlops: upTo.get(e.step) ?? total, accuracy: e.accuracy })),
    chargedFlops: total,
    profileFlops: profile,
  };
}
