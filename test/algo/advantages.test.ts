import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeAdvantages,
  drgrpoAdvantages,
  effectiveWeight,
  estimatorNames,
  getEstimator,
  grpoAdvantages,
  registerEstimator,
  rlooAdvantages,
} from '../../src/algo/advantages.js';
import { groupRollouts } from '../../src/algo/group.js';
import { createRng } from '../../src/tasks/rng.js';
import {
  asymmetricAdvantages,
  omegaTimesOneMinusP,
  omegaTimesP,
  WEIGHTING_NAMES,
  type WeightingName,
} from '../../src/algo/weights.js';

const close = (a: number[], b: number[], digits = 9) => {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(x).toBeCloseTo(b[i], digits));
};

describe('baseline estimators (hand-computed, rewards [1,0,0,0])', () => {
  // r̄ = 1/4, population std = √(1/4·3/4) = √3/4.
  it('GRPO uses the population std: (1 − 1/4)/(√3/4) = √3, (−1/4)/(√3/4) = −1/√3', () => {
    close(grpoAdvantages([1, 0, 0, 0], { eps: 0 }), [
      Math.sqrt(3),
      -1 / Math.sqrt(3),
      -1 / Math.sqrt(3),
      -1 / Math.sqrt(3),
    ]);
    close(
      grpoAdvantages([1, 0, 0, 0]),
      [Math.sqrt(3), -1 / Math.sqrt(3), -1 / Math.sqrt(3), -1 / Math.sqrt(3)],
      5,
    );
  });
  it('Dr.GRPO: r − r̄', () => close(drgrpoAdvantages([1, 0, 0, 0]), [0.75, -0.25, -0.25, -0.25]));
  it('RLOO: r_i − mean of the others', () => {
    close(rlooAdvantages([1, 0, 0, 0]), [1, -1 / 3, -1 / 3, -1 / 3]);
    // independent method: leave-one-out means
    const r = [0.2, 0.9, 0.4, 1, 0];
    const loo = r.map((x, i) => x - r.filter((_, j) => j !== i).reduce((s, y) => s + y, 0) / (r.length - 1));
    close(rlooAdvantages(r), loo, 12);
  });
  it('singleton and zero-variance groups give zeros for every estimator', () => {
    for (const name of ['grpo', 'drgrpo', 'rloo'] as const) {
      const est = getEstimator(name);
      expect(est([1])).toEqual([0]);
      expect(est([0])).toEqual([0]);
      expect(est([1, 1, 1])).toEqual([0, 0, 0]);
      expect(est([0, 0])).toEqual([0, 0]);
      expect(est([0.5, 0.5 + 1e-12, 0.5])).toEqual([0, 0, 0]);
    }
  });
  it('registry: unknown names list the known ones; custom estimators can be registered', () => {
    expect(() => getEstimator('nope')).toThrow(/known: grpo, drgrpo, rloo/);
    registerEstimator('double', (r) => r.map((x) => 2 * x));
    expect(getEstimator('double')([1, 2])).toEqual([2, 4]);
    expect(estimatorNames()).toContain('double');
  });
});

describe('computeAdvantages groups once, then maps', () => {
  it('handles groups of different sizes without reshaping', () => {
    const groups = groupRollouts([
      { promptId: 'a', reward: 1 },
      { promptId: 'b', reward: 0 },
      { promptId: 'a', reward: 0 },
      { promptId: 'c', reward: 1 },
      { promptId: 'b', reward: 1 },
      { promptId: 'b', reward: 1 },
    ]);
    expect(groups).toEqual([
      { promptId: 'a', rewards: [1, 0] },
      { promptId: 'b', rewards: [0, 1, 1] },
      { promptId: 'c', rewards: [1] },
    ]);
    const adv = computeAdvantages(groups, 'drgrpo');
    close(adv[0], [0.5, -0.5]);
    close(adv[1], [-2 / 3, 1 / 3, 1 / 3]);
    expect(adv[2]).toEqual([0]);
    expect(() => computeAdvantages([{ promptId: 'x', rewards: [] }], 'grpo')).toThrow(
      /x: needs at least one/,
    );
    expect(() => computeAdvantages([{ promptId: 'x', rewards: [NaN] }], 'grpo')).toThrow(/x: reward 0/);
  });
});

describe('asymmetric prompt weights', () => {
  // p̂ = 1/4 for [1,0,0,0].
  it('Linear-R: correct (1−p̂)/p̂ = 3, wrong −1', () =>
    close(asymmetricAdvantages([1, 0, 0, 0], { kind: 'linear-r' }), [3, -1, -1, -1]));
  it('Sqrt-R: correct √(3/4)/(1/4), wrong −1/√(3/4)', () =>
    close(asymmetricAdvantages([1, 0, 0, 0], { kind: 'sqrt-r' }), [
      4 * Math.sqrt(0.75),
      ...Array(3).fill(-1 / Math.sqrt(0.75)),
    ]));
  it('Uniform-R: correct 1/p̂ = 4, wrong −1/(1−p̂) = −4/3', () =>
    close(asymmetricAdvantages([1, 0, 0, 0], { kind: 'uniform-r' }), [4, -4 / 3, -4 / 3, -4 / 3]));
  it('equals ω(p̂)·(r − p̂) computed directly for 0 < p̂ < 1', () => {
    const r = [1, 0, 1, 0, 0];
    const p = 0.4;
    const omegas: Record<WeightingName, number> = {
      'linear-r': 1 / p,
      'sqrt-r': 1 / (p * Math.sqrt(1 - p)),
      'uniform-r': 1 / (p * (1 - p)),
    };
    for (const kind of WEIGHTING_NAMES)
      close(
        asymmetricAdvantages(r, { kind }),
        r.map((x) => omegas[kind] * (x - p)),
        12,
      );
  });
  it('p̂ = 0: every wrong answer gets a finite −1 (limit of ω·p̂)', () => {
    for (const kind of WEIGHTING_NAMES)
      expect(asymmetricAdvantages([0, 0, 0], { kind })).toEqual([-1, -1, -1]);
    const adv = computeAdvantages([{ promptId: 'u', rewards: [0, 0] }], 'grpo', 'linear-r');
    expect(adv).toEqual([[-1, -1]]);
  });
  it('p̂ = 1: zeros by default, closed-form limit v(1) on request', () => {
    for (const kind of WEIGHTING_NAMES) expect(asymmetricAdvantages([1, 1], { kind })).toEqual([0, 0]);
    expect(asymmetricAdvantages([1, 1], { kind: 'uniform-r', onAllCorrect: 'limit' })).toEqual([1, 1]);
    expect(asymmetricAdvantages([1, 1], { kind: 'linear-r', onAllCorrect: 'limit' })).toEqual([0, 0]);
  });
  it('the cap bounds the weight for tiny p̂ (one success in 200: Linear-R 199 → 64)', () => {
    const r = [1, ...Array(199).fill(0)];
    const adv = asymmetricAdvantages(r, { kind: 'linear-r' });
    expect(adv[0]).toBe(64);
    expect(adv[1]).toBe(-1);
    expect(asymmetricAdvantages(r, { kind: 'linear-r', cap: 1000 })[0]).toBeCloseTo(199, 9);
  });
  it('property: finite and bounded by the cap for every p̂ in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom(...WEIGHTING_NAMES),
        (p, rewards, kind) => {
          for (const a of asymmetricAdvantages(rewards, { kind }, p)) {
            expect(Number.isFinite(a)).toBe(true);
            expect(Math.abs(a)).toBeLessThanOrEqual(64);
          }
          for (const a of asymmetricAdvantages(rewards, { kind })) expect(Number.isFinite(a)).toBe(true);
          if (p < 1) expect(Number.isFinite(omegaTimesP(kind, p))).toBe(true);
          if (p >= 1e-300) expect(Number.isFinite(omegaTimesOneMinusP(kind, p))).toBe(true);
        },
      ),
    );
  });
});

describe('sum to zero over a group (property)', () => {
  it('GRPO, Dr.GRPO and RLOO', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.constantFrom(0, 1), { minLength: 1, maxLength: 64 }),
          fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 64 }),
        ),
        (rewards) => {
          for (const name of ['grpo', 'drgrpo', 'rloo'] as const) {
            const adv = getEstimator(name)(rewards);
            expect(adv.length).toBe(rewards.length);
            const scale = name === 'grpo' ? rewards.length : rewards.length * 20;
            expect(Math.abs(adv.reduce((s, x) => s + x, 0))).toBeLessThan(1e-9 * scale);
          }
        },
      ),
    );
  });
});

describe('effectiveWeight = ω·p(1−p)', () => {
  it('hand values at p = 1/4, n = 4', () => {
    const p = 0.25;
    expect(effectiveWeight('grpo', p, 4, { eps: 0 })).toBeCloseTo(Math.sqrt(0.1875), 12);
    expect(effectiveWeight('drgrpo', p, 4)).toBeCloseTo(0.1875, 12);
    expect(effectiveWeight('rloo', p, 4)).toBeCloseTo(0.25, 12);
    expect(effectiveWeight('linear-r', p, 4)).toBeCloseTo(0.75, 12);
    expect(effectiveWeight('sqrt-r', p, 4)).toBeCloseTo(Math.sqrt(0.75), 12);
    expect(effectiveWeight('uniform-r', p, 4)).toBe(1);
    for (const name of ['grpo', 'drgrpo', 'rloo', ...WEIGHTING_NAMES] as const) {
      expect(effectiveWeight(name, 0, 4)).toBe(0);
      expect(effectiveWeight(name, 1, 4)).toBe(0);
      expect(effectiveWeight(name, 0.5, 1)).toBe(0);
    }
  });

  const advFor = (name: string, rewards: number[]): number[] =>
    (WEIGHTING_NAMES as readonly string[]).includes(name)
      ? asymmetricAdvantages(rewards, { kind: name as WeightingName })
      : getEstimator(name)(rewards);

  it('identity: Σ A_i s_i = n·W(p̂)·(mean score of correct − mean score of wrong), random score vectors', () => {
    const rng = createRng(7);
    const dim = 3;
    for (const name of ['grpo', 'drgrpo', 'rloo', ...WEIGHTING_NAMES]) {
      for (let n = 2; n <= 9; n++) {
        for (let k = 1; k < n; k++) {
          const rewards = Array.from({ length: n }, (_, i) => (i < k ? 1 : 0));
          const scores = rewards.map(() => Array.from({ length: dim }, () => rng.next() * 2 - 1));
          const adv = advFor(name, rewards);
          const W = effectiveWeight(name as 'grpo', k / n, n);
          for (let d = 0; d < dim; d++) {
            const lhs = adv.reduce((s, a, i) => s + a * scores[i][d], 0);
            const mc = scores.slice(0, k).reduce((s, x) => s + x[d], 0) / k;
            const mw = scores.slice(k).reduce((s, x) => s + x[d], 0) / (n - k);
            expect(lhs).toBeCloseTo(n * W * (mc - mw), 9);
          }
        }
      }
    }
  });

  it('expected gradient coefficient under Bernoulli(p) sampling, by enumerating all 2^n outcomes', () => {
    // Score model: s₊ for a correct rollout, s₋ = −p/(1−p)·s₊ for a wrong one (zero-mean score).
    // Enumerate outcomes: E[Σ A_i s_i]; compare with Σ_k P(k)·n·W(k/n)·(s₊ − s₋) (+ the all-wrong term
    // of asymmetric weights, −n·u(0)·s₋·P(0)).
    for (const p of [0.1, 0.3, 0.6]) {
      const n = 6;
      const sPlus = 1;
      const sMinus = (-p / (1 - p)) * sPlus;
      for (const name of ['grpo', 'drgrpo', 'rloo', ...WEIGHTING_NAMES]) {
        let enumerated = 0;
        for (let mask = 0; mask < 1 << n; mask++) {
          const rewards = Array.from({ length: n }, (_, i) => (mask >> i) & 1);
          const k = rewards.reduce((s, x) => s + x, 0);
          const prob = p ** k * (1 - p) ** (n - k);
          const adv = advFor(name, rewards);
          enumerated += prob * adv.reduce((s, a, i) => s + a * (rewards[i] ? sPlus : sMinus), 0);
        }
        let predicted = 0;
        let binom = 1;
        for (let k = 0; k <= n; k++) {
          const prob = binom * p ** k * (1 - p) ** (n - k);
          predicted += prob * n * effectiveWeight(name as 'grpo', k / n, n) * (sPlus - sMinus);
          binom = (binom * (n - k)) / (k + 1);
        }
        if ((WEIGHTING_NAMES as readonly string[]).includes(name))
          predicted += (1 - p) ** n * n * -1 * sMinus;
        expect(enumerated).toBeCloseTo(predicted, 10);
      }
    }
  });
});

describe('GRPO std and singleton groups', () => {
  it('sample std divides by n − 1: rewards [1,0,0,0] give std √(3/16·4/3) = 1/2', () => {
    // deviations 3/4, −1/4 ×3; Σ squares = 9/16 + 3/16 = 3/4; ÷ 3 = 1/4 → std 1/2
    close(grpoAdvantages([1, 0, 0, 0], { eps: 0, std: 'sample' }), [1.5, -0.5, -0.5, -0.5]);
    // population: std = √3/4, larger advantages by √(4/3)
    close(grpoAdvantages([1, 0, 0, 0], { eps: 0, std: 'population' }), [
      Math.sqrt(3),
      -1 / Math.sqrt(3),
      -1 / Math.sqrt(3),
      -1 / Math.sqrt(3),
    ]);
  });

  it('a singleton gets 0 by default and its raw reward under singleton raw, whatever the estimator or weighting', () => {
    const groups = [
      { promptId: 'a', rewards: [1] },
      { promptId: 'b', rewards: [0] },
      { promptId: 'c', rewards: [1, 0] },
    ];
    for (const name of ['grpo', 'drgrpo', 'rloo'] as const) {
      expect(computeAdvantages(groups, name).slice(0, 2)).toEqual([[0], [0]]);
      expect(computeAdvantages(groups, name, undefined, { singleton: 'raw' }).slice(0, 2)).toEqual([
        [1],
        [0],
      ]);
    }
    // Sqrt-R would push a lone wrong answer down; a singleton has no contrast, so the policy decides
    expect(computeAdvantages(groups, 'drgrpo', 'sqrt-r').slice(0, 2)).toEqual([[0], [0]]);
    expect(computeAdvantages(groups, 'drgrpo', 'sqrt-r')[2]).toEqual(
      asymmetricAdvantages([1, 0], { kind: 'sqrt-r' }),
    );
  });
});
