// FLOPWISE_CHECK_WEIGHTS=1: a parameter written by anything but the optimizer is caught at the next
// optimizer step, naming the tensor and element (the signature of an out-of-bounds write).
import { afterEach, describe, expect, it } from 'vitest';
import { createModel, type Model } from '../../src/engine/index.js';
import { tinyConfig as cfg, tinyTrainStep as trainStep } from './helpers.js';

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
