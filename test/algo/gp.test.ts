import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { hashedNgramFeatures } from '../../src/algo/features.js';
import {
  createGp,
  gpFromState,
  gpKernel,
  gpPredict,
  gpToState,
  gpUpdate,
  logit,
  logitPrior,
  medianPairwiseDistance,
  sigmoid,
} from '../../src/algo/gp.js';
import { choleskyInPlace, choleskySolveInPlace, solveSpd } from '../../src/algo/linalg.js';
import { createRng } from '../../src/tasks/rng.js';

describe('Cholesky solve', () => {
  it('hand case: [[4,2],[2,3]] x = [2,1] → x = [0.5, 0]', () => {
    const x = solveSpd(
      [
        [4, 2],
        [2, 3],
      ],
      [2, 1],
    );
    expect(x[0]).toBeCloseTo(0.5, 14);
    expect(x[1]).toBeCloseTo(0, 14);
  });
  it('agrees with ml-matrix on random SPD systems', () => {
    const rng = createRng(1);
    for (const n of [1, 3, 10, 40]) {
      const A = Matrix.rand(n, n, { random: () => rng.next() });
      const S = A.mmul(A.transpose()).add(Matrix.eye(n).mul(0.5));
      const b = Array.from({ length: n }, () => rng.next());
      const ref = solve(S, Matrix.columnVector(b)).getColumn(0);
      const flat = Float64Array.from(S.to1DArray());
      const x = Float64Array.from(b);
      choleskyInPlace(flat, n);
      choleskySolveInPlace(flat, n, x);
      x.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 9));
    }
    expect(() => solveSpd([[-1]], [1])).toThrow(/not positive definite/);
  });
});

describe('GP success predictor', () => {
  it('median heuristic: points 0, 1, 3 on a line → distances 1, 3, 2 → h = 2', () => {
    expect(medianPairwiseDistance(Float64Array.from([0, 1, 3]), 3, 1)).toBe(2);
    const gp = createGp(['a', 'b', 'c'], [[0], [1], [3]]);
    expect(gp.bandwidth).toBe(2);
    expect(gpKernel(gp, 0, 2)).toBeCloseTo(Math.exp(-9 / 8), 14);
  });

  it('hand case: one observation moves its neighbour by k·α', () => {
    // features 0 and 1 with h = 1: k = e^{-1/2}; observe a at y = 0.9 with σ² = 0.1, prior 0:
    // g = logit(0.9) = ln 9, α = ln 9 / 1.1, m_b = e^{-1/2}·α, m_a = ln 9.
    const gp = createGp(['a', 'b'], [[0], [1]], { bandwidth: 1, noise: 0.1 });
    gpUpdate(gp, ['a'], [0.9]);
    expect(gp.m[0]).toBeCloseTo(Math.log(9), 12);
    expect(gp.m[1]).toBeCloseTo((Math.exp(-0.5) * Math.log(9)) / 1.1, 12);
    const p = gpPredict(gp, ['b']);
    expect(p[0]).toBeCloseTo(sigmoid((Math.exp(-0.5) * Math.log(9)) / 1.1), 12);
  });

  it('recursive update matches a direct ml-matrix computation, with ε-clipping and a per-prompt prior', () => {
    const rng = createRng(5);
    const P = 12;
    const feats = Array.from({ length: P }, () => Array.from({ length: 4 }, () => rng.next()));
    const ids = feats.map((_, i) => `p${i}`);
    const prior = Array.from({ length: P }, () => rng.next() * 2 - 1);
    const gp = createGp(ids, feats, { priorMean: prior, noise: 0.2, eps: 0.05 });
    const batch = [3, 7, 0, 11];
    const y = [0, 0.5, 1, 0.25];
    const K = (i: number, j: number) => {
      const d2 = feats[i].reduce((s, v, k) => s + (v - feats[j][k]) ** 2, 0);
      return Math.exp(-d2 / (2 * gp.bandwidth ** 2));
    };
    const g = y.map((v) => logit(Math.min(0.95, Math.max(0.05, v))));
    const KBB = new Matrix(batch.map((i) => batch.map((j) => K(i, j)))).add(Matrix.eye(4).mul(0.2));
    const alpha = solve(KBB, Matrix.columnVector(g.map((v, b) => v - prior[batch[b]]))).getColumn(0);
    const expected = prior.map((m, i) => m + batch.reduce((s, j, b) => s + K(i, j) * alpha[b], 0));
    batch.forEach((i, b) => (expected[i] = g[b]));
    gpUpdate(
      gp,
      batch.map((i) => ids[i]),
      y,
    );
    expected.forEach((v, i) => expect(gp.m[i]).toBeCloseTo(v, 10));
    // the uncached path (kernel columns computed on the fly) gives the same numbers
    const gp2 = createGp(ids, feats, { priorMean: prior, noise: 0.2, eps: 0.05, cacheLimit: 0 });
    gpUpdate(gp2, batch, y);
    expected.forEach((v, i) => expect(gp2.m[i]).toBeCloseTo(v, 10));
  });

  it('checkpoint: state is plain JSON; restore then continue gives the same predictions', () => {
    const f = hashedNgramFeatures({ dim: 32 });
    const texts = [
      'add 2 and 3',
      'add 4 and 5',
      'sort the list 3 1 2',
      'sort the list 9 8',
      'prime 17?',
      'prime 21?',
    ];
    const ids = texts.map((_, i) => `q${i}`);
    const gp = createGp(
      ids,
      texts.map((t, i) => f({ id: ids[i], text: t })),
      { priorMean: logitPrior([0.5, 0.5, 0.1, 0.1, 0.9, 0.9]) },
    );
    gpUpdate(gp, ['q0', 'q2'], [1, 0]);
    const state = JSON.parse(JSON.stringify(gpToState(gp)));
    const restored = gpFromState(state);
    gpUpdate(gp, ['q4'], [0.5]);
    gpUpdate(restored, ['q4'], [0.5]);
    expect(Array.from(gpPredict(restored))).toEqual(Array.from(gpPredict(gp)));
    // similar prompts move together: after q0 succeeds and q2 fails, q1 (add) is predicted above q3 (sort)
    const p = gpPredict(gp, ['q1', 'q3']);
    expect(p[0]).toBeGreaterThan(p[1]);
  });

  it('predictions are clipped to [1e-6, 1 − 1e-6]; bad input is named', () => {
    const gp = createGp(['a', 'b'], [[0], [1]], { priorMean: [-100, 100] });
    expect(Array.from(gpPredict(gp))).toEqual([1e-6, 1 - 1e-6]);
    expect(() => gpPredict(gp, ['zz'])).toThrow(/unknown prompt 'zz'/);
    expect(() => gpUpdate(gp, ['a', 'a'], [0, 1])).toThrow(/twice/);
    expect(() => gpUpdate(gp, ['a'], [2])).toThrow(/'a' must be in \[0, 1\]/);
    expect(() => createGp(['a', 'b'], [[0], [1, 2]])).toThrow(/row 1 \(b\)/);
  });
});

describe('default features', () => {
  it('deterministic, n-gram part L2-normalised, metadata hashed one-hot and numeric', () => {
    const f = hashedNgramFeatures({ dim: 64, metaDim: 8, metaWeight: 1 });
    const a = f({ id: 'a', text: 'What is 12 + 30?', meta: { family: 'arith', difficulty: 0.5 } });
    const b = f({ id: 'b', text: 'What is 12 + 30?', meta: { family: 'arith', difficulty: 0.5 } });
    expect(a).toEqual(b);
    expect(a.length).toBe(72);
    expect(Math.hypot(...a.slice(0, 64))).toBeCloseTo(1, 12);
    const meta = a.slice(64);
    expect(meta.reduce((s, x) => s + x, 0)).toBeCloseTo(1.5, 12);
    const dist = (x: number[], y: number[]) => Math.hypot(...x.map((v, i) => v - y[i]));
    const near = f({ id: 'c', text: 'What is 12 + 31?' });
    const far = f({ id: 'd', text: 'Sort these words alphabetically: pear, apple' });
    const base = f({ id: 'e', text: 'What is 12 + 30?' });
    expect(dist(base, near)).toBeLessThan(dist(base, far));
    expect(f({ id: 'x', text: '' }).every((v) => v === 0)).toBe(true);
  });
});
