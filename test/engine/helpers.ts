import { Rng } from '../../src/engine/rng.js';
import { CharTokenizer, type Model } from '../../src/engine/index.js';
import { createPolicyLoss, type PolicyLossStats } from '../../src/algo/loss.js';

/** Overwrites every parameter with seeded random values of a moderate scale (so that every gradient
 * kind is non-trivial), then refreshes the transposed copies. */
export function randomizeParams(model: Model, seed: number, scale = 0.3): void {
  const rng = new Rng(seed);
  for (const t of model.tensors) {
    const v = model.paramView(t.name);
    for (let i = 0; i < v.length; i++)
      v[i] = t.name.endsWith('.g') ? 1 + 0.2 * rng.normal() : scale * rng.normal();
  }
  model.refreshTransposed();
}

export function randomSequences(rng: Rng, n: number, lengths: number[], vocab: number): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: lengths[i % lengths.length]! }, () => Math.floor(rng.uniform() * vocab)),
  );
}

/** The clipped policy-gradient objective of algo/loss (token-mean) through the engine's gradient entry point. */
export function accumulatePolicyGradient(
  model: Model,
  b: {
    sequences: number[][];
    lossMask: Uint8Array[];
    advantages: Float32Array[];
    oldLogprobs: Float32Array[];
    refLogprobs?: Float32Array[];
    klCoef?: number;
    clipLow: number;
    clipHigh: number;
  },
): PolicyLossStats & { flops: number } {
  const objective = createPolicyLoss(
    { mask: b.lossMask, advantage: b.advantages, oldLogp: b.oldLogprobs, refLogp: b.refLogprobs },
    { clipLow: b.clipLow, clipHigh: b.clipHigh, klCoef: b.klCoef ?? 0 },
  );
  const { flops } = model.accumulateGradient(b.sequences, objective.grad);
  return { ...objective.stats(), flops };
}

/** A two-layer toy model over the character vocabulary, one fixed batch of it, and an AdamW step on that batch. */
export const tinyTokenizer = new CharTokenizer();
export const tinyConfig = {
  vocabSize: tinyTokenizer.vocabSize,
  dModel: 16,
  nLayers: 2,
  nHeads: 2,
  contextLength: 10,
};
export const tinySequences = randomSequences(new Rng(1), 6, [10, 7], tinyConfig.vocabSize);
const tinyMask = tinySequences.map((s) => Uint8Array.from(s, (_, t) => (t > 0 ? 1 : 0)));

/** One cross-entropy AdamW step of a `tinyConfig` model on `tinySequences`; returns the loss. */
export function tinyTrainStep(m: Model): number {
  m.zeroGrad();
  const r = m.accumulateCrossEntropy({ sequences: tinySequences, lossMask: tinyMask, normaliser: 50 });
  m.optimizerStep({ lr: 1e-2, weightDecay: 0.1, gradClip: 1 });
  return r.loss;
}
