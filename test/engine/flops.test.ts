// The engine counts its own FLOPs (the ledger charges those counts); the closed-form formulas of
// algo/flops check them, for the same conventions (no biases or LayerNorms in N, head on every position).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attentionFlopsRange,
  headFlops,
  nonEmbeddingParams,
  tokenForwardFlops,
} from '../../src/algo/flops.js';
import { createModel, type Model, type ModelConfig } from '../../src/engine/index.js';

const cfg: ModelConfig = { vocabSize: 13, dModel: 16, nLayers: 2, nHeads: 2, contextLength: 24 };
const shape = { ...cfg };
const asEngine = { biases: false, layerNorms: false } as const;
let model: Model;
beforeAll(async () => {
  model = await createModel(cfg, { seed: 1, threads: 1 });
});
afterAll(async () => model.dispose());

/** Forward FLOPs of one sequence of L tokens: positions 1..L−1 predict the next token. */
const sequenceForward = (L: number): number => {
  let f = 0;
  for (let t = 1; t < L; t++) f += tokenForwardFlops(shape, t, asEngine);
  return f;
};

describe('engine FLOP counts against the formulas', () => {
  it('log-prob forward of equal-length sequences: Σ over positions of 2N + 4·L·t·d + 2·d·V', () => {
    const seqs = [Array(9).fill(1), Array(9).fill(2), Array(9).fill(3)];
    const before = model.flops.logprobs;
    const { flops } = model.logprobs({ sequences: seqs, start: seqs.map(() => 1) });
    expect(flops).toBe(3 * sequenceForward(9));
    expect(model.flops.logprobs - before).toBe(flops);
    // the same in closed form
    const T = 8;
    expect(flops).toBe(
      3 *
        (2 * nonEmbeddingParams(shape, asEngine) * T +
          attentionFlopsRange(shape, 1, T) +
          headFlops(shape) * T),
    );
  });

  it('training forward + backward is 3 × the forward', () => {
    const seqs = [Array(7).fill(4), Array(7).fill(5)];
    const { flops } = model.accumulateGradient(seqs, () => 0);
    expect(flops).toBe(3 * 2 * sequenceForward(7));
  });
});
