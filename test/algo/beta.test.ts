import { describe, expect, it } from 'vitest';
import {
  betaPosterior,
  inverseRegularizedIncompleteBeta,
  logGamma,
  regularizedIncompleteBeta,
} from '../../src/algo/beta.js';

/** P(Binomial(m, x) ≥ a): equals I_x(a, m − a + 1) for integer a, b (an independent method). */
function binomTail(a: number, b: number, x: number): number {
  const m = a + b - 1;
  let s = 0;
  let c = 1;
  for (let j = 0; j <= m; j++) {
    if (j >= a) s += c * x ** j * (1 - x) ** (m - j);
    c = (c * (m - j)) / (j + 1);
  }
  return s;
}

describe('incomplete beta', () => {
  it('logGamma at known points', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });
  it('hand value I_0.4(2, 3) = 6·0.4²·0.6² + 4·0.4³·0.6 + 0.4⁴ = 0.5248', () => {
    expect(regularizedIncompleteBeta(0.4, 2, 3)).toBeCloseTo(0.5248, 12);
  });
  it('closed forms: I_x(1,1) = x, I_x(a,1) = x^a, I_x(1,b) = 1 − (1−x)^b, I_x(½,½) = (2/π)·asin √x', () => {
    for (const x of [0.01, 0.2, 0.5, 0.77, 0.99]) {
      expect(regularizedIncompleteBeta(x, 1, 1)).toBeCloseTo(x, 12);
      expect(regularizedIncompleteBeta(x, 3.5, 1)).toBeCloseTo(x ** 3.5, 12);
      expect(regularizedIncompleteBeta(x, 1, 7)).toBeCloseTo(1 - (1 - x) ** 7, 12);
      expect(regularizedIncompleteBeta(x, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(x)), 10);
      expect(regularizedIncompleteBeta(x, 4, 4) + regularizedIncompleteBeta(1 - x, 4, 4)).toBeCloseTo(1, 12);
    }
    expect(regularizedIncompleteBeta(0.5, 6, 6)).toBeCloseTo(0.5, 12);
  });
  it('agrees with the binomial tail for integer parameters', () => {
    for (let a = 1; a <= 9; a++) {
      for (let b = 1; b <= 9; b++) {
        for (const x of [0.05, 0.3, 0.5, 0.8])
          expect(regularizedIncompleteBeta(x, a, b)).toBeCloseTo(binomTail(a, b, x), 11);
      }
    }
  });
  it('inverse: closed form for Beta(1, b) and round trip', () => {
    for (const q of [0.025, 0.5, 0.975]) {
      expect(inverseRegularizedIncompleteBeta(q, 1, 9)).toBeCloseTo(1 - (1 - q) ** (1 / 9), 10);
      expect(inverseRegularizedIncompleteBeta(q, 9, 1)).toBeCloseTo(q ** (1 / 9), 10);
      for (const [a, b] of [
        [2, 7],
        [0.7, 3.2],
        [8, 1.5],
      ]) {
        expect(regularizedIncompleteBeta(inverseRegularizedIncompleteBeta(q, a, b), a, b)).toBeCloseTo(q, 10);
      }
    }
  });
  it('posterior Beta(1 + s, 1 + k − s): mean and central interval', () => {
    const post = betaPosterior(0, 8, 0.95);
    expect(post.a).toBe(1);
    expect(post.b).toBe(9);
    expect(post.mean).toBeCloseTo(0.1, 12);
    expect(post.lower).toBeCloseTo(1 - 0.975 ** (1 / 9), 10);
    expect(post.upper).toBeCloseTo(1 - 0.025 ** (1 / 9), 10);
    const mid = betaPosterior(4, 8, 0.9);
    expect(mid.mean).toBeCloseTo(0.5, 12);
    expect(mid.lower + mid.upper).toBeCloseTo(1, 10);
    expect(() => betaPosterior(9, 8)).toThrow(/successes/);
  });
});
