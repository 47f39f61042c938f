// FLOPWISE_CHECK_WEIGHTS=1: a parameter written by anything but the optimizer is caught at the next
// optimizer step, naming the tensor and element (the signature of an out-of-bounds write).
import { afterEach, describe, expect, it } from 'vitest';
import { CharTokenizer, createModel, Rng, type Model } from '../../src/engine/index.js';
import { randomSequences } from './helpers.js';

const tok = new CharTokenizer();
const cfg = { vocabSize: tok.vocabSize, dModel: 16, nLayers: 2, nHeads: 2, contextLength: 10 };
const seqs = randomSequences(new Rng(1), 6, [10, 7], cfg.vocabSize);
const mask = seqs.map((s) => Uint8Array.from(s, (_, t) => (t > 0 ? 1 : 0)));

function trainStep(m: Model): void {
  m.zeroGrad();
  m.accumulateCrossEntropy({ sequences: seqs, lossMask: mask, normaliser: 50 });
  m.optimizerStep({ lr: 1e-2, weightDecay: 0.1, gradClip: 1 });
}

let model: Model | undefined;
afterEach(async () => {
  await model?.dispose();
  model = undefined;
  delete process.env.FLOPWISE_CHECK_WEIGHTS;
});

describe('weight guard', () => {
  it('passes ordinary training and stops at a weight written outside the optimizer', async () => {
    process.env.FLOPWISE_CHECK_WEIGHTS = '1';
    model = await createModel(cfg, { seed: 1 });
    for (let i = 0; i < 3; i++) trainStep(model); // the optimizer's own writes are not flagged
    const w = model.paramView('h.1.attn.qkv.w');
    w[59] = 20;
    w[60] = 21;
    expect(() => trainStep(model!)).toThrow(
      /engine: 2 parameter value\(s\) changed outside the optimizer before step 4; first at h\.1\.attn\.qkv\.w\[59\]: \S+ → 20/,
    );
  });

  it('is off unless asked for', async () => {
    model = await createModel(cfg, { seed: 1 });
    trainStep(model);
    model.paramView('h.0.mlp.fc.w')[0] = 5;
    expect(() => trainStep(model!)).not.toThrow();
  });
});
