import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, type Model, type ModelConfig } from '../../src/engine/index.js';
import { Rng } from '../../src/engine/rng.js';
import { randomizeParams, randomSequences } from './helpers.js';

const cfg: ModelConfig = { vocabSize: 23, dModel: 32, nLayers: 2, nHeads: 4, contextLength: 24 };
let m1: Model;
let m2: Model;
let prompts: number[][];

beforeAll(async () => {
  m1 = await createModel(cfg, { seed: 5, threads: 1 });
  m2 = await createModel(cfg, { seed: 5, threads: 2, sampleBatch: 7 });
  randomizeParams(m1, 9, 0.15);
  randomizeParams(m2, 9, 0.15);
  prompts = randomSequences(new Rng(2), 13, [1, 4, 7, 2, 10], cfg.vocabSize);
});
afterAll(async () => {
  await m1.dispose();
  await m2.dispose();
});

describe('sample', () => {
  const opts = { maxNewTokens: 9, temperature: 1, seed: 42 };

  it('is deterministic for a seed and differs across seeds', () => {
    const a = m1.sample({ prompts, ...opts });
    const b = m1.sample({ prompts, ...opts });
    expect(b.tokens).toEqual(a.tokens);
    expect(b.logprobs).toEqual(a.logprobs);
    const c = m1.sample({ prompts, ...opts, seed: 43 });
    expect(c.tokens).not.toEqual(a.tokens);
    expect(a.tokens.every((t, i) => t.length === Math.min(9, cfg.contextLength - prompts[i]!.length))).toBe(
      true,
    );
    expect(a.logprobs.map((l) => l.length)).toEqual(a.tokens.map((t) => t.length));
    expect(a.flops).toBeGreaterThan(0);
  });

  it('gives identical samples with 1 and 2 threads (and a smaller sampleBatch)', () => {
    for (const o of [
      opts,
      { ...opts, topK: 5 },
      { ...opts, topP: 0.8, temperature: 0.7 },
      { ...opts, temperature: 0 },
    ]) {
      const a = m1.sample({ prompts, ...o });
      const b = m2.sample({ prompts, ...o });
      expect(b.tokens).toEqual(a.tokens);
      expect(b.logprobs).toEqual(a.logprobs);
      expect(b.flops).toBe(a.flops);
    }
  });

  it('returns untempered log-probs equal to a full forward logprobs() (KV cache vs no cache)', () => {
    for (const o of [opts, { ...opts, temperature: 0.5, topK: 3 }]) {
      const s = m1.sample({ prompts, ...o });
      const seqs = prompts.map((p, i) => [...p, ...s.tokens[i]!]);
      const full = m2.logprobs({ sequences: seqs, start: prompts.map((p) => p.length) });
      s.logprobs.forEach((lp, i) => {
        expect(full.logprobs[i]!.length).toBe(lp.length);
        lp.forEach((v, j) => expect(Math.abs(v - full.logprobs[i]![j]!)).toBeLessThan(1e-4));
      });
    }
  });

  it('greedy = temperature 0 = top-k 1, and stops at the stop token', () => {
    const g = m1.sample({ prompts, ...opts, temperature: 0 });
    const k1 = m1.sample({ prompts, ...opts, topK: 1, seed: 99 });
    expect(k1.tokens).toEqual(g.tokens);
    // a tiny temperature is greedy too (weights are taken relative to the max: no underflow)
    expect(m1.sample({ prompts, ...opts, temperature: 1e-4 }).tokens).toEqual(g.tokens);
    // choose a stop token that greedy decoding produces somewhere
    const stop = g.tokens.find((t) => t.length > 2)![2]!;
    const s = m1.sample({ prompts, ...opts, temperature: 0, stopToken: stop });
    s.tokens.forEach((t, i) => {
      const k = g.tokens[i]!.indexOf(stop);
      if (k >= 0) {
        expect(t).toEqual(g.tokens[i]!.slice(0, k + 1));
        expect(s.finished[i]).toBe(true);
      } else {
        expect(t).toEqual(g.tokens[i]);
        expect(s.finished[i]).toBe(false);
      }
    });
  });

  it('top-p keeps only the nucleus (tiny p = greedy)', () => {
    const g = m1.sample({ prompts, ...opts, temperature: 0 });
    const p = m1.sample({ prompts, ...opts, topP: 1e-6 });
    expect(p.tokens).toEqual(g.tokens);
  });

  it('rejects bad prompts', () => {
    expect(() => m1.sample({ prompts: [[]], ...opts })).toThrow(/prompt 0 is empty/);
    expect(() => m1.sample({ prompts: [[1, 99]], ...opts })).toThrow(/outside the vocabulary/);
  });
});
