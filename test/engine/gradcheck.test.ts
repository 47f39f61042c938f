// Analytic gradients of every parameter tensor against float64 central finite differences of an
// independent reference forward pass (test/engine/reference.ts), for both losses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, type Model, type ModelConfig } from '../../src/engine/index.js';
import { Rng } from '../../src/engine/rng.js';
import { paramsOf, refCrossEntropy, refLogprobs, refPolicyGradient, type Params } from './reference.js';
import { accumulatePolicyGradient, randomSequences, randomizeParams } from './helpers.js';

const cfg: ModelConfig = { vocabSize: 11, dModel: 8, nLayers: 2, nHeads: 2, contextLength: 8 };
let model: Model;
let seqs: number[][];
let mask: Uint8Array[];

beforeAll(async () => {
  // microBatch 2 with 3 sequences of different lengths: padding and accumulation across micro-batches.
  model = await createModel(cfg, { seed: 1, microBatch: 2 });
  randomizeParams(model, 7);
  const rng = new Rng(3);
  seqs = randomSequences(rng, 3, [8, 5, 7], cfg.vocabSize);
  mask = seqs.map((s) => Uint8Array.from(s, (_, t) => (t >= 2 ? 1 : 0)));
  mask[1]![3] = 0;
});
afterAll(async () => model.dispose());

/** Compares the model's gradients with central differences of `loss` (float64), tensor by tensor. */
function compare(
  loss: (P: Params) => number,
): Map<string, { maxAbs: number; maxRel: number; scale: number }> {
  const P = paramsOf(model);
  const eps = 1e-5;
  const out = new Map<string, { maxAbs: number; maxRel: number; scale: number }>();
  for (const t of model.tensors) {
    const p = P.get(t.name)!;
    const g = model.gradView(t.name);
    const num = new Float64Array(t.size);
    for (let i = 0; i < t.size; i++) {
      const v = p[i]!;
      p[i] = v + eps;
      const lp = loss(P);
      p[i] = v - eps;
      const lm = loss(P);
      p[i] = v;
      num[i] = (lp - lm) / (2 * eps);
    }
    const scale = Math.max(...num.map(Math.abs));
    let maxAbs = 0,
      maxRel = 0;
    for (let i = 0; i < t.size; i++) {
      const d = Math.abs(g[i]! - num[i]!);
      maxAbs = Math.max(maxAbs, d);
      // tolerance: relative to the element, plus an absolute floor relative to the tensor's scale
      maxRel = Math.max(maxRel, d / (Math.abs(num[i]!) + 1e-3 * scale + 1e-7));
      if (!(d <= 1e-3 * Math.abs(num[i]!) + 2e-4 * scale + 1e-6)) {
        throw new Error(`${t.name}[${i}]: analytic ${g[i]} vs numeric ${num[i]} (tensor scale ${scale})`);
      }
    }
    out.set(t.name, { maxAbs, maxRel, scale });
  }
  return out;
}

const KINDS = [
  'wte',
  'wpe',
  'ln1.g',
  'ln1.b',
  'attn.qkv.w',
  'attn.qkv.b',
  'attn.proj.w',
  'attn.proj.b',
  'ln2.g',
  'ln2.b',
  'mlp.fc.w',
  'mlp.fc.b',
  'mlp.proj.w',
  'mlp.proj.b',
  'lnf.g',
  'lnf.b',
  'head.w',
];

describe('gradient check (float64 finite differences)', () => {
  it('forward log-probs match the float64 reference', () => {
    const P = paramsOf(model);
    const { logprobs } = model.logprobs({ sequences: seqs, start: seqs.map(() => 1) });
    seqs.forEach((s, i) => {
      const ref = refLogprobs(cfg, P, s);
      for (let t = 1; t < s.length; t++) expect(Math.abs(logprobs[i]![t - 1]! - ref[t]!)).toBeLessThan(1e-5);
    });
  });

  it('cross-entropy: every parameter kind', () => {
    model.zeroGrad();
    const n = mask.reduce((a, m) => a + m.reduce((x, y) => x + y, 0), 0);
    const r = model.accumulateCrossEntropy({ sequences: seqs, lossMask: mask, normaliser: n });
    const P = paramsOf(model);
    expect(r.loss).toBeCloseTo(refCrossEntropy(cfg, P, seqs, mask, n), 5);
    const res = compare((Q) => refCrossEntropy(cfg, Q, seqs, mask, n));
    for (const k of KINDS)
      expect([...res.keys()].some((name) => name === k || name.endsWith('.' + k))).toBe(true);
    for (const [, v] of res) expect(v.scale).toBeGreaterThan(0);
  });

  it('policy gradient (clipped ratio, KL k3): every parameter kind', () => {
    const P = paramsOf(model);
    const rng = new Rng(11);
    const lp = seqs.map((s) => refLogprobs(cfg, P, s));
    const adv = seqs.map((s) =>
      Float32Array.from(s, () => (rng.uniform() < 0.5 ? -1 : 1) * (0.5 + rng.uniform())),
    );
    // old log-probs perturbed so that some ratios fall outside [1 − 0.2, 1 + 0.28]
    const old = lp.map((l) => Float32Array.from(l, (v) => v + 1.2 * (rng.uniform() - 0.5)));
    const ref = lp.map((l) => Float32Array.from(l, (v) => v + 0.3 * (rng.uniform() - 0.5)));
    // token-mean: the divisor is the batch's masked-token count
    const n = mask.reduce((a, m) => a + m.reduce((x, y) => x + y, 0), 0);
    const o = { mask, adv, old, ref, beta: 0.1, clipLow: 0.2, clipHigh: 0.28, normaliser: n };
    model.zeroGrad();
    const r = accumulatePolicyGradient(model, {
      sequences: seqs,
      lossMask: mask,
      advantages: adv,
      oldLogprobs: old,
      refLogprobs: ref,
      klCoef: 0.1,
      clipLow: 0.2,
      clipHigh: 0.28,
    });
    expect(r.clipFraction).toBeGreaterThan(0);
    expect(r.clipFraction).toBeLessThan(1);
    expect(r.loss).toBeCloseTo(refPolicyGradient(cfg, P, seqs, o), 5);
    compare((Q) => refPolicyGradient(cfg, Q, seqs, o));
  });
});
