import { describe, expect, it } from 'vitest';
import { benchmarkTable, computeToTarget, markdownTable, meanCurve, meanStd, type MethodRuns } from '../../src/run/report.js';
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
    headline: 'sampled',
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

  it('mean curve: seeds averaged at matched FLOPs, each holding its latest evaluation', () => {
    const a = [
      { chargedFlops: 0, accuracy: 0.2 },
      { chargedFlops: 10, accuracy: 0.4 },
      { chargedFlops: 30, accuracy: 0.6 },
    ];
    const b = [
      { chargedFlops: 5, accuracy: 0.3 },
      { chargedFlops: 20, accuracy: 0.5 },
    ];
    // grid 0, 5, 10, 20 (b stops at 20); before its first point b counts its first accuracy
    expect(meanCurve([a, b])).toEqual([
      { chargedFlops: 0, accuracy: (0.2 + 0.3) / 2 },
      { chargedFlops: 5, accuracy: (0.2 + 0.3) / 2 },
      { chargedFlops: 10, accuracy: (0.4 + 0.3) / 2 },
      { chargedFlops: 20, accuracy: (0.4 + 0.5) / 2 },
    ]);
  });

  it('table: target = baseline final mean, compute to target read off each mean curve', () => {
    const counts = [{ generated: 100, trained: 50, groupsWithSignal: 5 }];
    const methods: MethodRuns[] = [
      {
        // final mean 0.45; mean curve: 0 → 0.2, 100 → 0.35, 200 → 0.45: reaches at 200
        method: 'grpo',
        description: 'baseline',
        runs: [run(1, [[0, 0.2], [100, 0.3], [200, 0.4]]), run(2, [[0, 0.2], [100, 0.4], [200, 0.5]])],
        counts: [...counts, ...counts],
      },
      {
        // mean curve: 20 → 0.2, 50 → 0.35, 100 → 0.475: reaches at 100 → saving 200/100 = 2
        method: 'fast',
        description: 'x',
        runs: [run(1, [[20, 0.2], [50, 0.5], [200, 0.6]], 20), run(2, [[20, 0.2], [100, 0.45], [200, 0.5]], 20)],
        counts: [...counts, ...counts],
      },
      {
        // mean curve ends at 0.4 < 0.45: not reached, although seed 2 alone reaches it
        method: 'never',
        description: 'y',
        runs: [run(1, [[0, 0.2], [200, 0.3]]), run(2, [[0, 0.2], [200, 0.5]])],
        counts: [...counts, ...counts],
      },
    ];
    const t = benchmarkTable(methods, 'grpo');
    expect(t.target).toBeCloseTo(0.45, 12);
    const [base, fast, never] = t.results;
    expect(base.computeToTarget).toEqual([null, 200]); // seed 1 alone never reaches the mean
    expect(base.meanComputeToTarget).toBe(200);
    expect(base.savingVsBaseline).toBe(1);
    expect(fast.computeToTarget).toEqual([50, 100]);
    expect(fast.meanComputeToTarget).toBe(100);
    expect(fast.savingVsBaseline).toBe(2);
    expect(fast.profileFlops).toBe(20);
    expect(never.meanComputeToTarget).toBeNull();
    expect(never.reached).toBe(1);
    expect(never.savingVsBaseline).toBeNull();
    expect(fast.groupsWithSignalPerRollout).toBeCloseTo(10 / 200, 12);
    const md = markdownTable(t, 'note');
    expect(md).toContain('| fast | 20.0 % | 55.0 ± 7.1 % | 0.0 (2/2) | 2.00× | 0.0 | 100 / 50 | 5.0 |');
    expect(md).toContain('| never | 20.0 % | 40.0 ± 14.1 % | not reached (1/2) | – |');
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
