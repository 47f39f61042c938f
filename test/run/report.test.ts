import { describe, expect, it } from 'vitest';
import {
  benchmarkTable,
  crossingsOf,
  methodResult,
  seedMeanStandardError,
  targetOf,
  type MethodRuns,
  type RunRecord,
} from '../../src/run/report.js';
import { markdownTable, methodRow, resolvedLines } from '../../src/run/bench/markdown.js';
import { countsByPhase, evalRecords, stepColumns } from '../../src/run/bench/records.js';

function run(
  seed: number,
  curve: Array<[number, number]>,
  opts: { se?: number; profile?: number } = {},
): RunRecord {
  return {
    seed,
    curve: curve.map(([chargedFlops, accuracy]) => ({ chargedFlops, accuracy })),
    standardErrors: curve.map(() => opts.se ?? null),
    chargedFlops: curve[curve.length - 1][0],
    profileFlops: opts.profile ?? 0,
    stoppedBy: 'flop-budget',
    rollouts: { generated: 100, trained: 50, discarded: 10, groupsWithSignal: 5 },
  };
}

const methodRuns = (method: string, runs: RunRecord[], baseline = 'grpo'): MethodRuns => ({
  method,
  description: method,
  baseline,
  protocol: 'budget',
  runs,
});

// baseline: mean curve 0 → 0.2, 100 → 0.35, 200 → 0.45
const grpo = methodRuns('grpo', [
  run(
    1,
    [
      [0, 0.2],
      [100, 0.3],
      [200, 0.4],
    ],
    { se: 0.01 },
  ),
  run(
    2,
    [
      [0, 0.2],
      [100, 0.4],
      [200, 0.5],
    ],
    { se: 0.01 },
  ),
]);
// mean curve 20 → 0.2, 50 → 0.35, 100 → 0.475, 200 → 0.55
const fast = methodRuns('fast', [
  run(
    1,
    [
      [20, 0.2],
      [50, 0.5],
      [200, 0.6],
    ],
    { se: 0.01, profile: 20 },
  ),
  run(
    2,
    [
      [20, 0.2],
      [100, 0.45],
      [200, 0.5],
    ],
    { se: 0.01, profile: 20 },
  ),
]);
// one lucky evaluation at 50, then back down: fit 0.2, then 0.37 from 50 on (all pooled), below
// every target a draw of the baseline can set (0.4 to 0.5)
const luckyCurve: Array<[number, number]> = [
  [0, 0.2],
  [50, 0.46],
  [100, 0.3],
  [150, 0.36],
  [200, 0.36],
];
const lucky = methodRuns(
  'lucky',
  [1, 2].map((seed) => run(seed, luckyCurve, { se: 0.01 })),
);

describe('benchmark arithmetic', () => {
  it('target: the last point of the baseline seed-mean curve', () => {
    expect(targetOf(grpo.runs)).toBeCloseTo(0.45, 12);
  });

  it('seed-mean standard error: sqrt(Σ SE²) / S', () => {
    expect(seedMeanStandardError(fast.runs)).toBeCloseTo(Math.sqrt(2 * 0.01 ** 2) / 2, 12);
    expect(seedMeanStandardError([run(1, [[0, 0.1]])])).toBeNull();
  });

  it('crossings: isotonic interpolates, confirmed and first touch sit on evaluations', () => {
    const c = crossingsOf(fast.runs, 0.45);
    // 0.45 is 0.8 of the way from 0.35 (at 50) to 0.475 (at 100): 50 + 0.8 · 50 = 90
    expect(c.isotonic).toBeCloseTo(90, 9);
    expect(c.confirmed).toBe(100);
    expect(c.firstTouch).toBe(100);
    expect(c.perSeed[0]).toBeCloseTo(20 + (0.25 / 0.3) * 30, 9); // seed 1: 0.2 → 0.5 between 20 and 50
    expect(c.perSeed[1]).toBe(100);
    const l = crossingsOf(lucky.runs, 0.45);
    expect(l.firstTouch).toBe(50); // the old rule is fooled by the lucky evaluation
    expect(l.isotonic).toBeNull();
    expect(l.confirmed).toBeNull();
  });

  it('saving and final-accuracy difference with bootstrap intervals', () => {
    const r = methodResult(fast, grpo);
    expect(r.target).toBeCloseTo(0.45, 12);
    expect(r.saving.value).toBeCloseTo(200 / 90, 9);
    expect(r.finalAccuracy.mean).toBeCloseTo(0.55, 12);
    expect(r.finalDelta!.mean).toBeCloseTo(0.1, 12);
    // two seeds each: a draw has both finals equal with probability 1/4, so the difference is 0
    // (base 0.5, fast 0.5) or 0.2 (base 0.4, fast 0.6) with probability 1/16 each, above 2.5 %
    expect(r.finalDelta!.ci.lo).toBeCloseTo(0, 12);
    expect(r.finalDelta!.ci.hi).toBeCloseTo(0.2, 12);
    expect(r.finalDelta!.resolved).toBe(false);
    expect(r.saving.ci!.lo).toBeLessThanOrEqual(r.saving.value!);
    expect(r.saving.ci!.hi).toBeGreaterThanOrEqual(r.saving.value!);
    expect(methodResult(fast, grpo)).toEqual(r); // seeded: the same intervals every time
    expect(r.profileFlops).toBe(20);
    expect(r.groupsWithSignalPerRollout).toBeCloseTo(10 / 200, 12);
    const l = methodResult(lucky, grpo);
    expect(l.saving.value).toBeNull();
    expect(l.saving.ci!.hi).toBe(0); // never reaches the target on any draw
    expect(l.saving.resolved).toBe('no'); // two seeds each: too few to resolve anything
    // with a third seed each (same means), the same shortfall is resolved
    const grpo3 = {
      ...grpo,
      runs: [
        ...grpo.runs,
        run(
          3,
          [
            [0, 0.2],
            [100, 0.35],
            [200, 0.45],
          ],
          { se: 0.01 },
        ),
      ],
    };
    const lucky3 = { ...lucky, runs: [...lucky.runs, { ...lucky.runs[0], seed: 3 }] };
    const l3 = methodResult(lucky3, grpo3);
    expect(l3.saving.resolved).toBe('costs');
    expect(l3.finalDelta!.mean).toBeCloseTo(-0.09, 12);
    expect(l3.finalDelta!.resolved).toBe(true);
    const b = methodResult(grpo, grpo);
    expect(b.saving.value).toBe(1);
    expect(b.finalDelta).toBeNull();
  });

  it('each method is compared with its own baseline and that baseline’s target', () => {
    const rloo = methodRuns(
      'rloo',
      [
        run(1, [
          [0, 0.2],
          [200, 0.3],
        ]),
      ],
      'rloo',
    );
    const vip = methodRuns(
      'vip-rloo',
      [
        run(1, [
          [0, 0.2],
          [100, 0.3],
          [200, 0.35],
        ]),
      ],
      'rloo',
    );
    const t = benchmarkTable([grpo, rloo, vip]);
    expect(t.map((r) => r.baseline)).toEqual(['grpo', 'rloo', 'rloo']);
    expect(t[2].target).toBeCloseTo(0.3, 12);
    expect(t[2].saving.value).toBeCloseTo(2, 9); // 200 / 100
    expect(() => benchmarkTable([vip])).toThrow(/rloo, which has no runs/);
  });

  it('markdown: one row per method, intervals, and what is resolved', () => {
    const results = benchmarkTable([grpo, fast, lucky]);
    const row = methodRow(results[1]);
    expect(row.startsWith('| fast | grpo | 20.0 % | 55.0 [')).toBe(true);
    expect(row).toContain('| 0 (2/2) | 2.22× [');
    expect(row).toContain('| 100 / 50 / 10 | 5.0 |');
    expect(methodRow(results[0])).toContain('| 1 (baseline) |');
    const lines = resolvedLines(results);
    expect(lines).toContain('- lucky vs grpo: too few seeds (2) to resolve anything');
    expect(markdownTable(results, 'note.')).toContain(
      "Target: each baseline's final seed-mean held-out accuracy (grpo 45.0 %). note.",
    );
  });
});

describe('run records', () => {
  const rows = [
    {
      step: 0,
      chargedFlops: 0,
      eval: {
        sampledAccuracy: 0.5,
        greedyAccuracy: 0.6,
        sampledStandardError: 0.01,
        byLevel: { 'add/1': { prompts: 2, accuracy: 1 } },
      },
    },
    {
      step: 1,
      chargedFlops: 10,
      rolloutsGenerated: 16,
      rolloutsTrained: 8,
      rolloutsDiscarded: 2,
      rolloutsZeroAdvantage: 6,
      groups: 4,
      groupsWithSignal: 2,
      reward: 0.5,
      info: { phase: 0 },
    },
    {
      step: 2,
      chargedFlops: 20,
      rolloutsGenerated: 32,
      rolloutsTrained: 16,
      rolloutsDiscarded: 0,
      rolloutsZeroAdvantage: 16,
      groups: 4,
      groupsWithSignal: 1,
      reward: 0.25,
      info: { phase: 1 },
      eval: { sampledAccuracy: 0.55, greedyAccuracy: 0.6 },
    },
  ];

  it('counts rollouts overall and by phase', () => {
    const c = countsByPhase(rows.filter((r) => r.rolloutsGenerated !== undefined));
    expect(c.all).toEqual({
      steps: 2,
      generated: 48,
      trained: 24,
      discarded: 2,
      zeroAdvantage: 22,
      groups: 8,
      groupsWithSignal: 3,
    });
    expect(c['phase 0'].generated).toBe(16);
    expect(c['phase 1'].groupsWithSignal).toBe(1);
  });

  it('evaluations carry their standard error and per-level accuracy', () => {
    const e = evalRecords(rows, 'sampled');
    expect(e.map((x) => [x.step, x.accuracy, x.standardError])).toEqual([
      [0, 0.5, 0.01],
      [2, 0.55, null],
    ]);
    expect(e[0].byLevel).toEqual({ 'add/1': { prompts: 2, accuracy: 1 } });
    expect(evalRecords(rows, 'greedy')[1].accuracy).toBe(0.6);
  });

  it('per-step columns', () => {
    const s = stepColumns(rows.slice(1));
    expect(s.step).toEqual([1, 2]);
    expect(s.phase).toEqual([0, 1]);
    expect(s.generated).toEqual([16, 32]);
  });
});
