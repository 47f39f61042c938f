import { describe, expect, it } from 'vitest';
import {
  attentionFlops,
  generationFlops,
  headFlops,
  logprobFlops,
  nonEmbeddingParams,
  tokenForwardFlops,
  trainFlops,
  type ModelShape,
} from '../../src/algo/flops.js';

// Hand count for a tiny model: V = 10, d = 4, L = 2, 2 heads, ctx 8, dFF = 16.
//   matrices per layer: Q,K,V,O 4·4·4 = 64; MLP 2·4·16 = 128           → 192 (= 12·d² = 192)
//   biases per layer: QKVO 4·4 = 16; MLP 16 + 4 = 20                      → 36
//   LayerNorms per layer: 2 × (4 gains + 4 biases) = 16                   → 16
//   per layer 192 + 36 + 16 = 244; 2 layers = 488; final LN 8             → N = 496
//   matrices only: 2 × 192 = 384.
const shape: ModelShape = { vocabSize: 10, dModel: 4, nLayers: 2, nHeads: 2, contextLength: 8 };

describe('FLOP formulas (hand count)', () => {
  it('non-embedding parameters', () => {
    expect(nonEmbeddingParams(shape)).toBe(496);
    expect(nonEmbeddingParams(shape, { biases: false, layerNorms: false })).toBe(384);
    expect(nonEmbeddingParams({ ...shape, dModel: 8, nHeads: 2 }, { biases: false, layerNorms: false })).toBe(
      12 * 2 * 64,
    );
  });
  it('per token: 2N + 4·L·t·d + 2·d·V', () => {
    // t = 3: attention 4·2·3·4 = 96; head 2·4·10 = 80; 2N = 992 → 1168.
    expect(attentionFlops(shape, 3)).toBe(96);
    expect(headFlops(shape)).toBe(80);
    expect(tokenForwardFlops(shape, 3)).toBe(1168);
    expect(tokenForwardFlops(shape, 3, { head: false })).toBe(1088);
  });
  it('generation: prompt 2, response 3 → forwards at t = 1..4, three heads', () => {
    // 4 × 992 + 32·(1+2+3+4) + 3 × 80 = 3968 + 320 + 240 = 4528
    expect(generationFlops(shape, 2, 3)).toBe(4528);
    expect(generationFlops(shape, 2, 0)).toBe(0);
  });
  it('log-prob forward: 5 tokens, heads on the 3 response positions; training = 3×', () => {
    // 5 × 992 + 32·(1+…+5) + 3 × 80 = 4960 + 480 + 240 = 5680
    expect(logprobFlops(shape, 2, 3)).toBe(5680);
    expect(trainFlops(shape, 2, 3)).toBe(3 * 5680);
    // 6N per token in training, head off: 3·(5·992 + 480) = 16320
    expect(trainFlops(shape, 2, 3, { head: false })).toBe(16320);
  });
  it('errors', () => {
    expect(() => logprobFlops(shape, 6, 3)).toThrow(/exceeds contextLength 8/);
    expect(() => nonEmbeddingParams({ ...shape, nHeads: 3 })).toThrow(/divisible/);
  });
});
