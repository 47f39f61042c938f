import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, type Model, type ModelConfig } from '../../src/engine/index.js';
import { Rng } from '../../src/engine/rng.js';
import { accumulatePolicyGradient, randomSequences } from './helpers.js';

const cfg: ModelConfig = { vocabSize: 29, dModel: 48, nLayers: 2, nHeads: 3, contextLength: 20 };
let m1: Model;
let m2: Model;

beforeAll(async () => {
  m1 = await createModel(cfg, { seed: 3, threads: 1, microBatch: 5 });
  m2 = await createModel(cfg, { seed: 3, threads: 2, microBatch: 5 });
});
afterAll(async () => {
  await m1.dispose();
  await m2.dispose();
});

describe('threads', () => {
  it('2 threads give the same losses, gradients and parameters as 1 thread', () => {
    const rng = new Rng(8);
    const seqs = randomSequences(rng, 11, [20, 13, 17, 6], cfg.vocabSize);
    const mask = seqs.map((s) => Uint8Array.from(s, (_, t) => (t > 0 ? 1 : 0)));
    const adv = seqs.map((s) => Float32Array.from(s, () => rng.uniform() - 0.5));
    for (let step = 0; step < 3; step++) {
      const res = [m1, m2].map((m) => {
        m.zeroGrad();
        const ce = m.accumulateCrossEntropy({ sequences: seqs, lossMask: mask, normaliser: 100 });
        const old = m
          .logprobs({ sequences: seqs, start: seqs.map(() => 1) })
          .logprobs.map((l) => Float32Array.from([0, ...l]));
        const pg = accumulatePolicyGradient(m, {
          sequences: seqs,
          lossMask: mask,
          advantages: adv,
          oldLogprobs: old,
          clipLow: 0.2,
          clipHigh: 0.2,
        });
        const grads = m.tensors.map((t) => m.gradView(t.name).slice());
        const opt = m.optimizerStep({ lr: 1e-2, weightDecay: 0.1, gradClip: 1 });
        return { ce, pg, grads, opt };
      });
      expect(res[1]!.ce.loss).toBe(res[0]!.ce.loss);
      expect(res[1]!.pg.loss).toBe(res[0]!.pg.loss);
      expect(res[1]!.opt.gradNorm).toBe(res[0]!.opt.gradNorm);
      res[0]!.grads.forEach((g, i) => expect(res[1]!.grads[i]).toEqual(g));
    }
    for (const t of m1.tensors) expect(m2.paramView(t.name)).toEqual(m1.paramView(t.name));
    expect(m2.flops).toEqual(m1.flops);
  });
});
