import { describe, expect, it } from 'vitest';
import {
  aggregationNames,
  createPolicyLoss,
  klEstimatorNames,
  policyLoss,
  registerAggregation,
  type PolicyLossBatch,
} from '../../src/algo/loss.js';
import { createRng } from '../../src/tasks/rng.js';

/** Two sequences of different lengths; position 0 (the prompt) is masked out. */
function fixedBatch(): { logp: number[][]; batch: PolicyLossBatch } {
  const rng = createRng(5);
  const lengths = [5, 3];
  const logp = lengths.map((L) => Array.from({ length: L }, () => -0.2 - 2 * rng.next()));
  return {
    logp,
    batch: {
      mask: lengths.map((L) => Array.from({ length: L }, (_, t) => (t === 0 ? 0 : 1))),
      advantage: [Array(5).fill(0.7), Array(3).fill(-1.3)],
      // old log-probs perturbed so that some ratios leave [0.8, 1.28]
      oldLogp: logp.map((row) => row.map((v) => v + 1.6 * (rng.next() - 0.5))),
      refLogp: logp.map((row) => row.map((v) => v + 0.5 * (rng.next() - 0.5))),
    },
  };
}

describe('policy loss', () => {
  it('matches a hand-computed token-mean case (one unclipped and one clipped token, k3 KL)', () => {
    const logp = [[0, Math.log(0.5), Math.log(0.5)]];
    const batch = {
      mask: [[0, 1, 1]],
      advantage: [[0, 2, 2]],
      oldLogp: [[0, Math.log(0.5), Math.log(0.25)]], // ratios 1 and 2
      refLogp: [[0, Math.log(0.5), Math.log(0.5)]], // KL 0 at both tokens
    };
    const r = policyLoss(logp, batch, { clipLow: 0.2, clipHigh: 0.28, klCoef: 0.1 });
    // token 1: −A·r = −2; token 2: A > 0 and r = 2 > 1.28, so the clipped −2·1.28 = −2.56 is the max
    expect(r.loss).toBeCloseTo((-2 - 2.56) / 2, 12);
    expect(r.clipFraction).toBe(0.5);
    expect(r.meanRatio).toBeCloseTo(1.5, 12);
    // dLoss/dlogp: −A·r/N at the unclipped token (KL gradient 1 − e^0 = 0), 0 where clipped
    expect([...r.dLossDlogp[0]!]).toEqual([0, -1, 0]);
  });

  for (const aggregation of ['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'])
    for (const kl of ['k1', 'k3'])
      it(`gradient equals central finite differences (${aggregation}, ${kl})`, () => {
        const { logp, batch } = fixedBatch();
        const opts = { clipLow: 0.2, clipHigh: 0.28, klCoef: 0.3, kl, aggregation, tokenBudget: 6 };
        const { dLossDlogp, clipFraction } = policyLoss(logp, batch, opts);
        expect(clipFraction).toBeGreaterThan(0);
        expect(clipFraction).toBeLessThan(1);
        const h = 1e-6;
        logp.forEach((row, i) =>
          row.forEach((v, t) => {
            const at = (x: number) =>
              policyLoss(
                logp.map((r, j) => (j === i ? r.map((y, s) => (s === t ? x : y)) : r)),
                batch,
                opts,
              ).loss;
            expect(dLossDlogp[i]![t]!).toBeCloseTo((at(v + h) - at(v - h)) / (2 * h), 6);
          }),
        );
      });

  it('aggregations weigh sequences as documented', () => {
    // zero old log-probs and logp, A = 1: every masked token contributes −1 to the sum
    const batch = {
      mask: [
        [0, 1, 1, 1, 1],
        [0, 1],
      ],
      advantage: [
        [1, 1, 1, 1, 1],
        [1, 1],
      ],
      oldLogp: [Array(5).fill(0), [0, 0]],
    };
    const logp = [Array(5).fill(0), [0, 0]];
    const loss = (aggregation: string) =>
      policyLoss(logp, batch, { clipLow: 0.2, clipHigh: 0.2, klCoef: 0, aggregation, tokenBudget: 8 }).loss;
    expect(loss('token-mean')).toBeCloseTo(-5 / 5, 12);
    expect(loss('seq-mean-token-mean')).toBeCloseTo(-(4 / 4 + 1 / 1) / 2, 12);
    expect(loss('seq-mean-token-sum-norm')).toBeCloseTo(-(4 + 1) / (2 * 8), 12);
  });

  it('keeps the engine’s former per-token arithmetic bit for bit (token-mean, k3)', () => {
    const { logp, batch } = fixedBatch();
    const N = 6;
    const r = policyLoss(logp, batch, { clipLow: 0.2, clipHigh: 0.28, klCoef: 0.1 });
    // the formula as the engine computed it before it moved here
    let loss = 0;
    logp.forEach((row, i) =>
      row.forEach((lp, t) => {
        if (!batch.mask[i]![t]) return expect(r.dLossDlogp[i]![t]).toBe(0);
        const A = batch.advantage[i]![t]!;
        const ratio = Math.exp(lp - batch.oldLogp[i]![t]!);
        const l1 = -A * ratio;
        const l2 = -A * Math.min(1.28, Math.max(0.8, ratio));
        let g = l2 > l1 ? 0 : -A * ratio;
        loss += l2 > l1 ? l2 : l1;
        const d = batch.refLogp![i]![t]! - lp;
        loss += 0.1 * (Math.exp(d) - d - 1);
        g += 0.1 * (1 - Math.exp(d));
        expect(r.dLossDlogp[i]![t]).toBe(g / N);
      }),
    );
    expect(r.loss).toBe(loss / N);
  });

  it('names registered choices in its errors, and accepts new ones by name', () => {
    const { batch } = fixedBatch();
    expect(() =>
      createPolicyLoss(batch, { clipLow: 0.2, clipHigh: 0.2, klCoef: 0, aggregation: 'nope' }),
    ).toThrow(
      /unknown loss aggregation 'nope' \(registered: token-mean, seq-mean-token-mean, seq-mean-token-sum-norm/,
    );
    expect(klEstimatorNames()).toEqual(['k1', 'k3']);
    registerAggregation('test-seq-sum', (tokens) => tokens.map(() => 1));
    expect(aggregationNames()).toContain('test-seq-sum');
    expect(() => registerAggregation('token-mean', () => [])).toThrow(/already registered/);
    const { logp } = fixedBatch();
    const r = policyLoss(
      logp,
      { ...batch, refLogp: undefined },
      { clipLow: 9, clipHigh: 9, klCoef: 0, aggregation: 'test-seq-sum' },
    );
    // no clipping at these bounds: the loss is −Σ A·r over all masked tokens
    const expected = logp.reduce(
      (s, row, i) =>
        s +
        row.reduce(
          (a, lp, t) => a + (t ? -batch.advantage[i]![t]! * Math.exp(lp - batch.oldLogp[i]![t]!) : 0),
          0,
        ),
      0,
    );
    expect(r.loss).toBeCloseTo(expected, 12);
  });

  it('refuses a KL coefficient without reference log-probs', () => {
    const { batch } = fixedBatch();
    expect(() =>
      createPolicyLoss({ ...batch, refLogp: undefined }, { clipLow: 0.2, clipHigh: 0.2, klCoef: 0.1 }),
    ).toThrow(/needs refLogp/);
  });
});
