import { describe, expect, it } from 'vitest';
import { passAtK } from '../../src/run/evaluator.js';

/** 1 − C(n−c, k)/C(n, k) computed directly with binomial coefficients. */
function direct(n: number, c: number, k: number): number {
  const choose = (a: number, b: number): number => {
    if (b < 0 || b > a) return 0;
    let r = 1;
    for (let i = 1; i <= b; i++) r = (r * (a - b + i)) / i;
    return r;
  };
  return 1 - choose(n - c, k) / choose(n, k);
}

describe('pass@k', () => {
  it('matches hand-computed values', () => {
    expect(passAtK(4, 1, 1)).toBeCloseTo(0.25, 12);
    expect(passAtK(4, 1, 2)).toBeCloseTo(0.5, 12); // 1 − C(3,2)/C(4,2) = 1 − 3/6
    expect(passAtK(5, 2, 2)).toBeCloseTo(0.7, 12); // 1 − C(3,2)/C(5,2) = 1 − 3/10
    expect(passAtK(8, 0, 4)).toBe(0);
    expect(passAtK(8, 5, 4)).toBe(1); // fewer than k wrong: every k-subset has a correct one
  });

  it('agrees with the binomial formula everywhere', () => {
    for (let n = 1; n <= 12; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) expect(passAtK(n, c, k)).toBeCloseTo(direct(n, c, k), 10);
  });

  it('rejects k > n', () => {
    expect(() => passAtK(2, 1, 3)).toThrow(/k ≤ n/);
  });
});
