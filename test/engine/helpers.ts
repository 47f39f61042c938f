import { Rng } from '../../src/engine/rng.js';
import type { Model } from '../../src/engine/index.js';

/** Overwrites every parameter with seeded random values of a moderate scale (so that every gradient
 * kind is non-trivial), then refreshes the transposed copies. */
export function randomizeParams(model: Model, seed: number, scale = 0.3): void {
  const rng = new Rng(seed);
  for (const t of model.tensors) {
    const v = model.paramView(t.name);
    for (let i = 0; i < v.length; i++) v[i] = t.name.endsWith('.g') ? 1 + 0.2 * rng.normal() : scale * rng.normal();
  }
  model.refreshTransposed();
}

export function randomSequences(rng: Rng, n: number, lengths: number[], vocab: number): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: lengths[i % lengths.length]! }, () => Math.floor(rng.uniform() * vocab)),
  );
}
