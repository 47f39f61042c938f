import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateContinuous,
  allocateGreedy,
  allocateUniform,
  allocationObjective,
  bernoulliVariance,
  explorationFloor,
  minLowerBound,
  varianceFactor,
  type AllocateInput,
  type AllocObjective,
} from '../../src/algo/allocate.js';
import { createRng } from '../../src/tasks/rng.js';

/** Enumerate every feasible integer allocation (small instances only). */
function bruteForce(input: AllocateInput): number {
  const Q = input.a.length;
  const L = input.lower as number;
  const U = input.upper as number;
  let best = Infinity;
  const n = new Array<number>(Q).fill(L);
  const rec = (q: number, left: number) => {
    if (q === Q - 1) {
      if (left >= L && left <= U) {
        n[q] = left;
        best = Math.min(best, allocationObjective(input, n));
      }
      return;
    }
    for (let v = L; v <= U && v <= left; v++) {
      n[q] = v;
      rec(q + 1, left - v);
    }
  };
  rec(0, input.budget);
  return best;
}

function randomInstance(seed: number, objective: AllocObjective, gamma = 0): AllocateInput {
  const rng = createRng(seed);
  const Q = 2 + rng.below(3);
  const L = minLowerBound(objective) + rng.below(2);
  const U = L + 1 + rng.below(6);
  const p = Array.from({ length: Q }, () => rng.next());
  const a = Array.from(bernoulliVariance(p));
  const budget = Q * L + rng.below(Q * (U - L) + 1);
  return { a, budget, lower: L, upper: U, objective, gamma, p };
}

describe('variance factors', () => {
  it('f(n) by hand', () => {
    expect(varianceFactor('drgrpo', 4)).toBeCloseTo(3 / 16, 15);
    expect(varianceFactor('rloo', 5)).toBeCloseTo(1 / 4, 15);
    expect(varianceFactor('rloo', 1)).toBe(Infinity);
  });
});

describe('greedy allocation', () => {
  it('never worse than brute force on small random instances (both objectives, with and without γ)', () => {
    for (let seed = 0; seed < 150; seed++) {
      for (const obj of ['drgrpo', 'rloo'] as const) {
        for (const gamma of [0, 0.01]) {
          const inst = randomInstance(seed, obj, gamma);
          const g = allocateGreedy(inst);
          expect(g.objective).toBeLessThanOrEqual(bruteForce(inst) + 1e-12);
        }
      }
    }
  });

  it('hand case (RLOO): a = [0.25, 0.09], C = 10, L = 2 → the higher-variance prompt gets more', () => {
    // Marginals Δ(n) = −a/(n(n−1)). Prompt 0: −.125, −.0417, −.0208, −.0125, −.0083 …; prompt 1: −.045,
    // −.015, −.0075 …. The six most negative (C − 2L = 6 to place): 0, 1, 0, 0, 1, 0 → [2+4, 2+2] = [6, 4].
    const r = allocateGreedy({ a: [0.25, 0.09], budget: 10, lower: 2, upper: 20, objective: 'rloo' });
    expect(r.n).toEqual([6, 4]);
    expect(r.objective).toBeCloseTo(0.25 / 5 + 0.09 / 3, 15);
  });

  it('agrees with the continuous KKT optimum (|Δn| ≤ 1, objective above the relaxation by a small gap)', () => {
    for (const obj of ['drgrpo', 'rloo'] as const) {
      for (let seed = 0; seed < 10; seed++) {
        const rng = createRng(1000 + seed);
        const Q = 64;
        const p = Array.from({ length: Q }, () => rng.next());
        const input: AllocateInput = {
          a: Array.from(bernoulliVariance(p)),
          budget: 8 * Q,
          lower: minLowerBound(obj),
          upper: 32,
          objective: obj,
        };
        const g = allocateGreedy(input);
        const c = allocateContinuous(input);
        expect(c.n.reduce((s, x) => s + x, 0)).toBeCloseTo(input.budget, 6);
        for (let q = 0; q < Q; q++) expect(Math.abs(g.n[q] - c.n[q])).toBeLessThanOrEqual(1);
        expect(g.objective).toBeGreaterThanOrEqual(c.objective - 1e-12);
        expect(g.objective - c.objective).toBeLessThan(0.01 * c.objective);
      }
    }
  });

  it('RLOO continuous closed form n = clip(1 + √(a/λ), L, U)', () => {
    const input: AllocateInput = {
      a: [0.25, 0.16, 0.01],
      budget: 20,
      lower: 2,
      upper: 32,
      objective: 'rloo',
    };
    const c = allocateContinuous(input);
    c.n.forEach((n, q) =>
      expect(n).toBeCloseTo(Math.min(32, Math.max(2, 1 + Math.sqrt(input.a[q] / c.lambda))), 6),
    );
  });

  it('uniform split when all a are equal (remainder on the lowest indices), also for a = 0', () => {
    for (const a of [0.25, 0.09, 0]) {
      expect(
        allocateGreedy({ a: Array(5).fill(a), budget: 23, lower: 3, upper: 32, objective: 'drgrpo' }).n,
      ).toEqual([5, 5, 5, 4, 4]);
    }
    expect(allocateUniform(5, 23)).toEqual([5, 5, 5, 4, 4]);
  });

  it('deterministic ties by index', () => {
    const input: AllocateInput = {
      a: [0.1, 0.2, 0.1, 0.2],
      budget: 13,
      lower: 2,
      upper: 9,
      objective: 'rloo',
    };
    const r = allocateGreedy(input);
    expect(allocateGreedy(input).n).toEqual(r.n);
    expect(r.n[1]).toBeGreaterThanOrEqual(r.n[3]);
    expect(r.n[0]).toBeGreaterThanOrEqual(r.n[2]);
  });

  it('clear errors: infeasible budgets with the numbers, bounds below the convex domain', () => {
    const base = { a: [0.1, 0.2, 0.3], lower: 2, upper: 4, objective: 'rloo' as const };
    expect(() => allocateGreedy({ ...base, budget: 5 })).toThrow(
      'C = 5 rollouts for Q = 3 prompts needs Σ lower = 6 <= C <= Σ upper = 12',
    );
    expect(() => allocateGreedy({ ...base, budget: 13 })).toThrow(/C = 13 .* Σ upper = 12/);
    expect(() => allocateGreedy({ ...base, lower: 1, budget: 6 })).toThrow(/lower bound 1 < 2.*infinite/);
    expect(() => allocateGreedy({ ...base, objective: 'drgrpo', budget: 8 })).toThrow(
      /lower bound 2 < 3.*not convex/,
    );
    expect(() => allocateGreedy({ ...base, gamma: 0.1, budget: 8 })).toThrow(/needs p/);
  });

  it('γ·log(p)·n moves rollouts toward hard prompts (same a at p = 0.1 and p = 0.9)', () => {
    const input: AllocateInput = {
      a: [0.09, 0.09],
      p: [0.1, 0.9],
      budget: 16,
      lower: 2,
      upper: 32,
      objective: 'rloo',
    };
    expect(allocateGreedy(input).n).toEqual([8, 8]);
    const g = allocateGreedy({ ...input, gamma: 7e-4 });
    expect(g.n[0]).toBeGreaterThan(g.n[1]);
  });

  it('exploration floor raises the lower bound of prompts predicted near 0 or 1', () => {
    const p = [0.01, 0.5, 0.99, 0.2];
    const lower = explorationFloor(p, { lower: 2, minRollouts: 4, margin: 0.05 });
    expect(lower).toEqual([4, 2, 4, 2]);
    const r = allocateGreedy({
      a: Array.from(bernoulliVariance(p)),
      budget: 16,
      lower,
      upper: 32,
      objective: 'rloo',
    });
    expect(r.n[0]).toBeGreaterThanOrEqual(4);
    expect(r.n[2]).toBeGreaterThanOrEqual(4);
  });

  it('property: allocations meet the budget and the bounds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.constantFrom<AllocObjective>('drgrpo', 'rloo'),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p, objective, extraL, width, frac) => {
          const L = minLowerBound(objective) + extraL;
          const U = L + width;
          const Q = p.length;
          const budget = Q * L + Math.round(frac * Q * (U - L));
          const r = allocateGreedy({
            a: Array.from(bernoulliVariance(p)),
            budget,
            lower: L,
            upper: U,
            objective,
          });
          expect(r.n.reduce((s, x) => s + x, 0)).toBe(budget);
          for (const n of r.n) {
            expect(Number.isInteger(n)).toBe(true);
            expect(n).toBeGreaterThanOrEqual(L);
            expect(n).toBeLessThanOrEqual(U);
          }
        },
      ),
    );
  });
});
