import { describe, expect, it } from 'vitest';
import { benchmarkTable, computeToTarget, markdownTable, meanStd, type MethodRuns } from '../../src/run/report.js';
import type { RunSummary } from '../../src/run/run.js';
import { Ledger } from '../../src/run/ledger.js';

function run(seed: number, curve: Array<[number, number]>, profileFlops = 0): RunSummary {
  const ledger = new Ledger();
  ledger.add('profile', profileFlops, 0, 0);
  return {
    runDir: '',
    allocator: 'x',
    estimator: 'grpo',
    weighting: 'none',
    seed,
    steps: curve.length,
    stoppedBy: 'flop-budget',
    initialAccuracy: curve[0][1],
    finalAccuracy: curve[curve.length - 1][1],
    curve: curve.map(([f, a], step) => ({ step, chargedFlops: f, accuracy: a, sampledAccuracy: null })),
    ledger: ledger.snapshot(),
    chargedFlops: curve[curve.length - 1][0],
    trainOnZeroAdvantage: false,
  };
}

describe('benchmark report', () => {
  it('compute to target is the FLOPs at the first evaluation reaching the target', () => {
    const curve = [
      { chargedFlops: 0, accuracy: 0.2 },
      { chargedFlops: 10, accuracy: 0.4 },
      { chargedFlops: 20, accuracy: 0.35 },
      { chargedFlops: 30, accuracy: 0.5 },
    ];
    expect(computeToTarget(curve, 0.4)).toBe(10);
    expect(computeToTarget(curve, 0.45)).toBe(30);
    expect(computeToTarget(curve, 0.6)).toBeNull();
  });

  it('mean ± sample std', () => {
    const { mean, std } = meanStd([0.3, 0.4, 0.5]);
    expect(mean).toBeCloseTo(0.4, 12);
    expect(std).toBeCloseTo(0.1, 12); // sqrt(((0.1)^2 + 0 + (0.1)^2) / 2)
  });

  it('table: target = baseline final mean, saving = baseline compute ÷ method compute', () => {
    const counts = [{ generated: 100, trained: 50, groupsWithSignal: 5 }];
    const methods: MethodRuns[] = [
      {
        method: 'grpo',
        description: 'baseline',
        runs: [run(1, [[0, 0.2], [100, 0.3], [200, 0.4]]), run(2, [[0, 0.2], [100, 0.4], [200, 0.5]])],
        counts: [...counts, ...counts],
      },
      {
        // reaches 0.45 at 50 and 100 FLOPs → mean 75
        method: 'fast',
        description: 'x',
        runs: [run(1, [[20, 0.2], [50, 0.5], [200, 0.6]], 20), run(2, [[20, 0.2], [100, 0.45], [200, 0.5]], 20)],
        counts: [...counts, ...counts],
      },
      {
        method: 'never',
        description: 'y',
        runs: [run(1, [[0, 0.2], [200, 0.3]]), run(2, [[0, 0.2], [200, 0.5]])],
        counts: [...counts, ...counts],
      },
    ];
    const t = benchmarkTable(methods, 'grpo');
    expect(t.target).toBeCloseTo(0.45, 12);
    const [base, fast, never] = t.results;
    // baseline: seed 1 never reaches 0.45 → no mean (one seed missing) → no saving figure
    expect(base.computeToTarget).toEqual([null, 200]);
    expect(base.meanComputeToTarget).toBeNull();
    expect(fast.computeToTarget).toEqual([50, 100]);
    expect(fast.meanComputeToTarget).toBe(75);
    expect(fast.savingVsBaseline).toBeNull(); // baseline's own compute to target is undefined
    expect(fast.profileFlops).toBe(20);
    expect(never.reached).toBe(1);
    expect(fast.groupsWithSignalPerRollout).toBeCloseTo(10 / 200, 12);
    expect(markdownTable(t, 'note')).toContain('| fast | 55.0 ± 7.1 % | 0.0 (2/2) | – | 0.0 | 100 / 50 | 5.0 |');
    expect(markdownTable(t, 'note')).toContain('| never | 40.0 ± 14.1 % | not reached (1/2) |');
  });

  it('saving vs baseline when both reach the target on every seed', () => {
    const counts = [{ generated: 1, trained: 1, groupsWithSignal: 1 }];
    const t = benchmarkTable(
      [
        { method: 'grpo', description: '', runs: [run(1, [[0, 0.1], [300, 0.5]])], counts },
        { method: 'sgpo', description: '', runs: [run(1, [[0, 0.1], [100, 0.5], [300, 0.6]])], counts },
      ],
      'grpo',
    );
    expect(t.results[1].savingVsBaseline).toBeCloseTo(3, 12);
  });
});
