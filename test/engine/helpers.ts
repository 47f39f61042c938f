import { Rng } from '../../src/engine/rng.js';
import type { Model } from '../../src/engine/index.js';
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
