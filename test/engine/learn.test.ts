import { afterAll, describe, expect, it } from 'vitest';
import { CharTokenizer, createModel, lrSchedule, type Model } from '../../src/engine/index.js';
import { Rng } from '../../src/engine/rng.js';
import { accumulatePolicyGradient } from './helpers.js';

const models: Model[] = [];
afterAll(async () => {
  for (const m of models) await m.dispose();
});

describe('learning', () => {
  it('learns to reverse a 4-character string (supervised, cross-entropy) to near-zero loss', async () => {
    const tok = new CharTokenizer();
    const model = await createModel(
      { vocabSize: tok.vocabSize, dModel: 48, nLayers: 2, nHeads: 4, contextLength: 12 },
      { seed: 1, threads: 2 },
    );
    models.push(model);
    const rng = new Rng(4);
    const letters = 'abcdef';
    const make = () => {
      const w = Array.from({ length: 4 }, () => letters[Math.floor(rng.uniform() * letters.length)]).join('');
      const seq = tok.encode(`${w}=${[...w].reverse().join('')}`, { bos: true, eos: true });
      const mask = Uint8Array.from(seq, (_, t) => (t >= 6 ? 1 : 0)); // the 4 reversed letters and EOS
      return { seq, mask };
    };
    const steps = 250;
    const lr = lrSchedule({ lr: 3e-3, warmupSteps: 20, totalSteps: steps, minLr: 3e-4 });
    let loss = Infinity;
    for (let step = 0; step < steps; step++) {
      const batch = Array.from({ length: 32 }, make);
      model.zeroGrad();
      const r = model.accumulateCrossEntropy({
        sequences: batch.map((b) => b.seq),
        lossMask: batch.map((b) => b.mask),
        normaliser: 32 * 5,
      });
      loss = r.loss;
      model.optimizerStep({ lr: lr(step), weightDecay: 0.01, gradClip: 1 });
    }
    expect(loss).toBeLessThan(0.05);
    // greedy decoding reverses unseen strings
    const prompts = ['abcd', 'fed', 'cafe', 'bead'].map((w) =>
      tok.encode(w.padEnd(4, 'a') + '=', { bos: true }),
    );
    const out = model.sample({ prompts, maxNewTokens: 5, temperature: 0, stopToken: tok.eosId, seed: 0 });
    out.tokens.forEach((t, i) => {
      const w = tok.decode(prompts[i]!).slice(0, 4);
      expect(tok.decode(t)).toBe([...w].reverse().join(''));
      expect(out.finished[i]).toBe(true);
    });
    expect(model.flops.forward).toBeGreaterThan(0);
    expect(model.flops.backward).toBeGreaterThan(model.flops.forward);
  });

  it('policy gradient raises the probability of a rewarded token', async () => {
    const V = 8;
    const model = await createModel(
      { vocabSize: V, dModel: 16, nLayers: 1, nHeads: 2, contextLength: 4 },
      { seed: 2 },
    );
    models.push(model);
    const target = 5;
    const prob = () => Math.exp(model.logprobs({ sequences: [[0, target]], start: [1] }).logprobs[0]![0]!);
    const p0 = prob();
    for (let step = 0; step < 30; step++) {
      const s = model.sample({
        prompts: Array.from({ length: 64 }, () => [0]),
        maxNewTokens: 1,
        temperature: 1,
        seed: step,
      });
      const rewards = s.tokens.map((t): number => (t[0] === target ? 1 : 0));
      const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
      const seqs = s.tokens.map((t) => [0, ...t]);
      model.zeroGrad();
      const r = accumulatePolicyGradient(model, {
        sequences: seqs,
        lossMask: seqs.map(() => Uint8Array.from([0, 1])),
        advantages: rewards.map((x) => Float32Array.from([0, x - mean])),
        oldLogprobs: s.logprobs.map((l) => Float32Array.from([0, l[0]!])),
        clipLow: 0.2,
        clipHigh: 0.28,
      });
      expect(r.meanRatio).toBeCloseTo(1, 5); // on-policy: the sampler's log-probs are the model's
      model.optimizerStep({ lr: 0.02, weightDecay: 0, gradClip: 1 });
    }
    const p1 = prob();
    expect(p0).toBeLessThan(0.3);
    expect(p1).toBeGreaterThan(0.8);
  });
});
