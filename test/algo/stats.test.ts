import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/tasks/rng.js';
import {
  bootstrapInterval,
  confirmedCrossing,
  evalSamplesNeeded,
  firstTouch,
  isotonicCrossing,
  isotonicFit,
  mean,
  meanCurve,
  percentile,
  samplingStandardError,
  type CurvePoint,
} from '../../src/algo/stats.js';

const curveOf = (pts: Array<[number, number]>): CurvePoint[] =>
  pts.map(([chargedFlops, accuracy]) => ({ chargedFlops, accuracy }));

describe('crossing rules', () => {
  // One lucky evaluation at 10, back down at 20, then a lasting rise from 30.
  const lucky = curveOf([
    [0, 0.5],
    [10, 0.56],
    [20, 0.51],
    [30, 0.555],
    [40, 0.552],
    [50, 0.56],
  ]);

  it('first touch is moved by one lucky evaluation; the confirmed crossing is not', () => {
    expect(firstTouch(lucky, 0.55)).toBe(10);
    // at 10: the next evaluation 0.51 < 0.55 − 0.01; at 30: 0.552 and 0.56 ≥ 0.54
    expect(confirmedCrossing(lucky, 0.55, 0.01)).toBe(30);
  });

  it('confirmed crossing: the last evaluations confirm with what exists', () => {
    expect(
      confirmedCrossing(
        curveOf([
          [0, 0.5],
          [10, 0.52],
          [20, 0.55],
        ]),
        0.55,
        0.01,
      ),
    ).toBe(20);
    expect(
      confirmedCrossing(
        curveOf([
          [0, 0.5],
          [10, 0.55],
          [20, 0.53],
        ]),
        0.55,
        0.01,
      ),
    ).toBeNull();
    expect(
      confirmedCrossing(
        curveOf([
          [0, 0.5],
          [10, 0.55],
          [20, 0.545],
        ]),
        0.55,
        0.01,
      ),
    ).toBe(10);
    expect(() => confirmedCrossing(lucky, 0.55, -1)).toThrow(/band/);
  });

  it('isotonic fit pools adjacent violators (hand-computed)', () => {
    expect(isotonicFit([1, 3, 2, 4])).toEqual([1, 2.5, 2.5, 4]);
    expect(isotonicFit([3, 1, 2])).toEqual([2, 2, 2]);
    expect(isotonicFit([1, 2, 3])).toEqual([1, 2, 3]);
    expect(isotonicFit([])).toEqual([]);
  });

  it('isotonic crossing interpolates the fit between evaluations', () => {
    // fit: 0.5, 0.54, 0.54, 0.6; 0.55 lies 1/6 of the way from 20 (0.54) to 30 (0.6)
    const c = curveOf([
      [0, 0.5],
      [10, 0.56],
      [20, 0.52],
      [30, 0.6],
    ]);
    expect(isotonicCrossing(c, 0.55)).toBeCloseTo(20 + 10 / 6, 10);
    expect(isotonicCrossing(c, 0.5)).toBe(0);
    expect(isotonicCrossing(c, 0.61)).toBeNull();
    // the lucky curve: fit 0.5, 0.535, 0.535 (10, 20 pooled), 0.5535, 0.5535 (30, 40 pooled), 0.56
    expect(isotonicCrossing(lucky, 0.55)).toBeCloseTo(20 + ((0.55 - 0.535) / (0.5535 - 0.535)) * 10, 10);
  });

  it('on synthetic noisy curves, the isotonic crossing is nearly unbiased where first touch comes early', () => {
    // truth: a(f) = 0.5 + 0.1·(1 − e^(−f/300)); target 0.58 is reached at f* = 300·ln 5 ≈ 482.8
    const rng = createRng('synthetic-curves');
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const truth = 300 * Math.log(5);
    const err = { first: [] as number[], iso: [] as number[], confirmed: [] as number[] };
    for (let r = 0; r < 400; r++) {
      const curve: CurvePoint[] = [];
      for (let f = 0; f <= 1200; f += 25)
        curve.push({ chargedFlops: f, accuracy: 0.5 + 0.1 * (1 - Math.exp(-f / 300)) + 0.01 * gauss() });
      err.first.push((firstTouch(curve, 0.58) ?? 1200) - truth);
      err.iso.push((isotonicCrossing(curve, 0.58) ?? 1200) - truth);
      err.confirmed.push((confirmedCrossing(curve, 0.58, 0.01) ?? 1200) - truth);
    }
    const rmse = (e: number[]) => Math.sqrt(mean(e.map((x) => x * x)));
    expect(mean(err.first)).toBeLessThan(-50); // noise makes the first touch early
    expect(Math.abs(mean(err.iso))).toBeLessThan(20);
    expect(Math.abs(mean(err.confirmed))).toBeLessThan(Math.abs(mean(err.first)));
    expect(rmse(err.iso)).toBeLessThan(rmse(err.first));
    expect(rmse(err.confirmed)).toBeLessThan(rmse(err.first));
  });
});

describe('seed-mean curve', () => {
  it('averages at matched FLOPs, each seed holding its latest evaluation; ends at the mean of the finals (hand-computed)', () => {
    // two runs of one budget that end a fraction of a step apart
    const a = curveOf([
      [0, 0.2],
      [50, 0.3],
      [100, 0.5],
    ]);
    const b = curveOf([
      [0, 0.2],
      [50, 0.4],
      [102, 0.7],
    ]);
    const c = meanCurve([a, b]);
    expect(c.map((p) => p.chargedFlops)).toEqual([0, 50, 100, 102]);
    expect(c[0]!.accuracy).toBeCloseTo(0.2, 12);
    expect(c[1]!.accuracy).toBeCloseTo(0.35, 12);
    expect(c[2]!.accuracy).toBeCloseTo(0.45, 12); // b still at its evaluation from 50
    expect(c[3]!.accuracy).toBeCloseTo(0.6, 12); // the mean of the two finals, not 0.45
    expect(meanCurve([])).toEqual([]);
  });
});

describe('bootstrap intervals', () => {
  it('percentile interpolates linearly', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(percentile([1, 2, 3, 4], 1)).toBe(4);
  });

  it('matches the exact resampling distribution of a three-seed mean', () => {
    // seeds [0, 0, 1]: a resample's mean is k/3, k ~ Binomial(3, 1/3): P(0) = 8/27 ≈ 0.296 > 2.5 %,
    // so the interval starts at 0; P(k ≥ 2) = 7/27 > 2.5 %, so it ends at 2/3 or above. With a mean
    // of 0 declared undefined, the undefined share estimates 8/27.
    const data = [[0, 0, 1]];
    const ci = bootstrapInterval(data, ([g]) => mean(g), { resamples: 4000, seed: 3 });
    expect(ci.lo).toBe(0);
    expect(ci.hi).toBeGreaterThanOrEqual(2 / 3);
    const undef = bootstrapInterval(data, ([g]) => (mean(g) === 0 ? null : mean(g)), {
      resamples: 4000,
      seed: 3,
    });
    expect(undef.undefinedShare).toBeGreaterThan(8 / 27 - 0.025);
    expect(undef.undefinedShare).toBeLessThan(8 / 27 + 0.025);
    // dropped resamples: the smallest defined mean is 1/3
    expect(undef.lo).toBeCloseTo(1 / 3, 12);
    const zeroed = bootstrapInterval(data, ([g]) => (mean(g) === 0 ? null : mean(g)), {
      resamples: 4000,
      seed: 3,
      whenUndefined: 0,
    });
    expect(zeroed.lo).toBe(0);
  });

  it('is deterministic for a seed and collapses on identical seeds', () => {
    const data = [
      [0.5, 0.52, 0.55, 0.49, 0.51],
      [0.6, 0.58, 0.61],
    ];
    const diff = (g: number[][]) => mean(g[1]) - mean(g[0]);
    const a = bootstrapInterval(data, diff, { seed: 11 });
    expect(bootstrapInterval(data, diff, { seed: 11 })).toEqual(a);
    expect(a.lo).toBeLessThan(diff(data));
    expect(a.hi).toBeGreaterThan(diff(data));
    const flat = bootstrapInterval([[0.4, 0.4, 0.4]], ([g]) => mean(g), { seed: 1 });
    expect(flat.lo).toBeCloseTo(0.4, 12);
    expect(flat.hi).toBeCloseTo(0.4, 12);
  });
});

describe('evaluation noise', () => {
  it('sampling standard error from per-prompt successes (hand-computed)', () => {
    // prompt 1: 2/4 → c(s−c)/(s(s−1)) = 4/12 = 1/3; prompt 2: 4/4 → 0; SE = sqrt((1/3)/4) / 2
    expect(samplingStandardError([2, 4], 4)).toBeCloseTo(Math.sqrt(1 / 12) / 2, 12);
    expect(samplingStandardError([1], 1)).toBeNaN();
  });

  it('agrees with the spread of simulated repeated evaluations', () => {
    const rng = createRng('repeat-evals');
    const p = Array.from({ length: 200 }, (_, i) => (i % 10) / 9); // 0, 1/9, …, 1
    const s = 4;
    const evalOnce = () =>
      p.map((q) =>
        Array.from({ length: s }, () => (rng.next() < q ? 1 : 0)).reduce((a: number, b) => a + b, 0),
      );
    const accs: number[] = [];
    const ses: number[] = [];
    for (let r = 0; r < 400; r++) {
      const c = evalOnce();
      accs.push(mean(c) / s);
      ses.push(samplingStandardError(c, s));
    }
    const m = mean(accs);
    const sd = Math.sqrt(accs.reduce((a, x) => a + (x - m) ** 2, 0) / (accs.length - 1));
    const exact = Math.sqrt(p.reduce((a, q) => a + (q * (1 - q)) / s, 0)) / p.length;
    expect(sd / exact).toBeGreaterThan(0.85);
    expect(sd / exact).toBeLessThan(1.15);
    expect(mean(ses) / exact).toBeGreaterThan(0.95);
    expect(mean(ses) / exact).toBeLessThan(1.05);
  });

  it('sizes the evaluation for a target standard error', () => {
    // v̄ = 0.1, SE 0.003: P·s ≥ 0.1 / 9e-6 = 11,112 (ceil)
    expect(evalSamplesNeeded(0.1, 0.003)).toBe(11112);
    expect(() => evalSamplesNeeded(0.1, 0)).toThrow();
  });
});
