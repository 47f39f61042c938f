import { describe, expect, it } from 'vitest';
import { axisUnit, onRolloutAxis, profileRolloutsPerFlop } from '../../src/run/bench/axis.js';
import type { RunDetail } from '../../src/run/bench/records.js';

/** A run of 4 steps generating 10, 20, 30, 40 rollouts, evaluated at steps 0, 2 and 4. */
function run(profileFlops: number): RunDetail {
  const evals = [0, 2, 4].map((step, i) => ({
    step,
    chargedFlops: profileFlops + 1000 * step,
    accuracy: 0.1 * (i + 1),
    greedyAccuracy: 0,
    standardError: null,
    byLevel: null,
  }));
  return {
    method: 'm',
    runDir: 'x',
    seed: 1,
    steps: 4,
    stoppedBy: 'steps',
    curve: evals.map((e) => ({ chargedFlops: e.chargedFlops, accuracy: e.accuracy })),
    standardErrors: [null, null, null],
    chargedFlops: profileFlops + 4000,
    profileFlops,
    ledger: {} as RunDetail['ledger'],
    rollouts: { generated: 100, trained: 50, discarded: 0, groupsWithSignal: 5 },
    evals,
    byPhase: {},
    perStep: {
      step: [1, 2, 3, 4],
      phase: [null, null, null, null],
      chargedFlops: [1000, 2000, 3000, 4000],
      reward: [0, 0, 0, 0],
      groups: [1, 1, 1, 1],
      generated: [10, 20, 30, 40],
      trained: [5, 10, 15, 20],
      discarded: [0, 0, 0, 0],
      groupsWithSignal: [1, 1, 1, 2],
    },
  };
}

describe('bench axis', () => {
  it('reads a run against rollouts generated: each evaluation at the rollouts up to its step', () => {
    const r = onRolloutAxis(run(0), new Map());
    expect(r.curve).toEqual([
      { chargedFlops: 0, accuracy: 0.1 },
      { chargedFlops: 30, accuracy: 0.2 }, // 10 + 20
      { chargedFlops: 100, accuracy: 0.30000000000000004 },
    ]);
    expect(r.chargedFlops).toBe(100);
    expect(r.profileFlops).toBe(0);
  });

  it('counts a profile pass as prompts × k rollouts, and a run charged twice as much as twice that', () => {
    const profile = { path: 'p', prompts: 48, k: 8, histogram: [], classes: {} };
    const once = run(500);
    const twice = run(1000);
    const otherSeed = { ...run(520), seed: 2 };
    const per = profileRolloutsPerFlop(profile, [run(0), once, twice, otherSeed]);
    expect(per.get(1)).toBeCloseTo(384 / 500, 12);
    expect(onRolloutAxis(otherSeed, per).profileFlops).toBe(384); // its own seed's profile pass
    expect(onRolloutAxis(once, per).profileFlops).toBe(384);
    expect(onRolloutAxis(once, per).curve[0].chargedFlops).toBe(384);
    expect(onRolloutAxis(once, per).chargedFlops).toBe(484);
    expect(onRolloutAxis(twice, per).profileFlops).toBe(768);
    expect(profileRolloutsPerFlop(null, [once]).size).toBe(0);
  });

  it('labels the tables in the axis unit', () => {
    expect(axisUnit('flops')).toEqual({ axis: 'flops', label: 'GFLOP', scale: 1e9 });
    expect(axisUnit('rollouts').label).toBe('thousand rollouts');
  });
});
