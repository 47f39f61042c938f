// Float64 reference forward pass of the engine's GPT (independent of the WebAssembly kernels), used
// by the gradient check: per-token log-probabilities and the engine's two losses.
import type { Model, ModelConfig } from '../../src/engine/index.js';

export type Params = Map<string, Float64Array>;

export function paramsOf(model: Model): Params {
  return new Map(model.tensors.map((t) => [t.name, Float64Array.from(model.paramView(t.name))]));
}

function ln(x: Float64Array, g: Float64Array, b: Float64Array): Float64Array {
  const C = x.length;
  let mu = 0;
  for (let c = 0; c < C; c++) mu += x[c]!;
  mu /= C;
  let v = 0;
  for (let c = 0; c < C; c++) v += (x[c]! - mu) ** 2;
  const rs = 1 / Math.sqrt(v / C + 1e-5);
  const y = new Float64Array(C);
  for (let c = 0; c < C; c++) y[c] = (x[c]! - mu) * rs * g[c]! + b[c]!;
  return y;
}

function linear(x: Float64Array, W: Float64Array, b: Float64Array | undefined, N: number): Float64Array {
  const K = x.length;
  const y = new Float64Array(N);
  for (let j = 0; j < N; j++) {
    let s = b ? b[j]! : 0;
    for (let k = 0; k < K; k++) s += x[k]! * W[k * N + j]!;
    y[j] = s;
  }
  return y;
}

function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

/** lp[t] = log p(seq[t] | seq[<t]) for t = 1 .. L−1 (lp[0] = 0). */
export function refLogprobs(cfg: ModelConfig, P: Params, seq: number[]): Float64Array {
  const { dModel: C, nHeads: NH, nLayers, vocabSize: V } = cfg;
  const hd = C / NH;
  const T = seq.length - 1;
  const g = (n: string) => P.get(n)!;
  let xs: Float64Array[] = [];
  for (let t = 0; t < T; t++) {
    const x = new Float64Array(C);
    for (let c = 0; c < C; c++) x[c] = g('wte')[seq[t]! * C + c]! + g('wpe')[t * C + c]!;
    xs.push(x);
  }
  for (let l = 0; l < nLayers; l++) {
    const h = `h.${l}.`;
    const qkv = xs.map((x) =>
      linear(ln(x, g(h + 'ln1.g'), g(h + 'ln1.b')), g(h + 'attn.qkv.w'), g(h + 'attn.qkv.b'), 3 * C),
    );
    const atty = xs.map(() => new Float64Array(C));
    for (let hh = 0; hh < NH; hh++) {
      for (let t = 0; t < T; t++) {
        const s: number[] = [];
        for (let t2 = 0; t2 <= t; t2++) {
          let d = 0;
          for (let i = 0; i < hd; i++) d += qkv[t]![hh * hd + i]! * qkv[t2]![C + hh * hd + i]!;
          s.push(d / Math.sqrt(hd));
        }
        const mx = Math.max(...s);
        const e = s.map((v) => Math.exp(v - mx));
        const z = e.reduce((a, b) => a + b, 0);
        for (let t2 = 0; t2 <= t; t2++) {
          for (let i = 0; i < hd; i++)
            atty[t]![hh * hd + i]! += (e[t2]! / z) * qkv[t2]![2 * C + hh * hd + i]!;
        }
      }
    }
    xs = xs.map((x, t) => {
      const a = linear(atty[t]!, g(h + 'attn.proj.w'), g(h + 'attn.proj.b'), C);
      const r = x.map((v, c) => v + a[c]!);
      const f = linear(
        ln(r, g(h + 'ln2.g'), g(h + 'ln2.b')),
        g(h + 'mlp.fc.w'),
        g(h + 'mlp.fc.b'),
        4 * C,
      ).map(gelu);
      const p = linear(f, g(h + 'mlp.proj.w'), g(h + 'mlp.proj.b'), C);
      return r.map((v, c) => v + p[c]!);
    });
  }
  const lp = new Float64Array(seq.length);
  xs.forEach((x, t) => {
    const z = linear(ln(x, g('lnf.g'), g('lnf.b')), g('head.w'), undefined, V);
    const mx = Math.max(...z);
    const lse = mx + Math.log(z.reduce((a, v) => a + Math.exp(v - mx), 0));
    lp[t + 1] = z[seq[t + 1]!]! - lse;
  });
  return lp;
}

export function refCrossEntropy(
  cfg: ModelConfig,
  P: Params,
  seqs: number[][],
  mask: Uint8Array[],
  normaliser: number,
): number {
  let loss = 0;
  seqs.forEach((s, i) => {
    const lp = refLogprobs(cfg, P, s);
    for (let t = 1; t < s.length; t++) if (mask[i]![t]) loss -= lp[t]!;
  });
  return loss / normaliser;
}

export interface RefPg {
  mask: Uint8Array[];
  adv: Float32Array[];
  old: Float32Array[];
  ref?: Float32Array[];
  beta: number;
  clipLow: number;
  clipHigh: number;
  normaliser: number;
}

export function refPolicyGradient(cfg: ModelConfig, P: Params, seqs: number[][], o: RefPg): number {
  let loss = 0;
  seqs.forEach((s, i) => {
    const lp = refLogprobs(cfg, P, s);
    for (let t = 1; t < s.length; t++) {
      if (!o.mask[i]![t]) continue;
      const A = o.adv[i]![t]!;
      const r = Math.exp(lp[t]! - o.old[i]![t]!);
      loss += Math.max(-A * r, -A * Math.min(1 + o.clipHigh, Math.max(1 - o.clipLow, r)));
      if (o.ref) {
        const d = o.ref[i]![t]! - lp[t]!;
        loss += o.beta * (Math.exp(d) - d - 1);
      }
    }
  });
  return loss / o.normaliser;
}
