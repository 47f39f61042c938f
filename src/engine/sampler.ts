// The sampler: batched autoregressive decoding with a KV cache over the shared memory plan, and the
// choice of each next token (greedy, temperature, top-k, top-p) from a counter-based uniform.
import { blockForward, headForward } from './block.js';
import { hashUniform } from './rng.js';
import type { Core } from './plan.js';
import type { SampleOptions, SampleResult } from './types.js';

export class Sampler {
  private pickW = new Float64Array(0);

  constructor(
    private readonly core: Core,
    private readonly sampleBatch: number,
  ) {}

  /** One decode step for rows 0..M−1 of the sample buffers: logits and log-sum-exp of the next token. */
  private decodeStep(M: number): void {
    const { pool, plan, weights: W } = this.core;
    const { dModel: C, nHeads: NH, vocabSize: V, contextLength: Tmax } = this.core.config;
    const s = plan.sample;
    pool.call('embed_fwd', M, 1, { out: s.x, tok: s.tok, pos: s.pos, wte: W.wte, wpe: W.wpe, C });
    // in place: both residual streams are s.x, both norms use s.ln
    const b = {
      inp: s.x,
      ln1: s.ln,
      ln1m: s.lnm,
      ln1r: s.lnr,
      qkv: s.qkv,
      atty: s.atty,
      mid: s.x,
      ln2: s.ln,
      ln2m: s.lnm,
      ln2r: s.lnr,
      fch: s.fch,
      fcg: s.fcg,
      out: s.x,
    };
    W.layers.forEach((P, l) => {
      blockForward(pool, M, C, P, b, () =>
        pool.call('attn_decode', M, 1, {
          out: s.atty,
          att: s.att,
          qkv: s.qkv,
          kcache: plan.kc[l]!,
          vcache: plan.vc[l]!,
          slots: s.slots,
          pos: s.pos,
          C,
          NH,
          Tmax,
        }),
      );
    });
    headForward(pool, M, C, V, W, {
      inp: s.x,
      ln: s.ln,
      lnm: s.lnm,
      lnr: s.lnr,
      logits: s.logits,
      lse: s.lse,
    });
  }

  /**
   * Batched autoregressive sampling with a KV cache. Every sequence advances one position per
   * decode step (prompt tokens are fed one per step, so prompts of different lengths share steps).
   * Randomness: one counter-based uniform per generated token keyed by (seed, sequence index, token
   * index), so results do not depend on the thread count, on sampleBatch or on the other prompts.
   */
  sample(o: SampleOptions): SampleResult {
    const what = 'sample';
    const { prompts, maxNewTokens, temperature, seed } = o;
    const { vocabSize: V, contextLength: ctx } = this.core.config;
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0)
      throw new Error(`${what}: maxNewTokens must be a non-negative integer`);
    if (!(temperature >= 0)) throw new Error(`${what}: temperature must be ≥ 0, got ${temperature}`);
    const topK = o.topK ?? 0,
      topP = o.topP ?? 1;
    if (!(topP > 0 && topP <= 1)) throw new Error(`${what}: topP must be in (0, 1], got ${topP}`);
    prompts.forEach((p, i) => {
      if (!Array.isArray(p) || p.length < 1)
        throw new Error(`${what}: prompt ${i} is empty (start it with BOS)`);
      if (p.length > ctx)
        throw new Error(`${what}: prompt ${i} has ${p.length} tokens, more than contextLength ${ctx}`);
      for (const t of p)
        if (!(Number.isInteger(t) && t >= 0 && t < V))
          throw new Error(`${what}: prompt ${i} has token ${t} outside the vocabulary (size ${V})`);
    });
    const tokens: number[][] = prompts.map(() => []);
    const lps: number[][] = prompts.map(() => []);
    const finished = prompts.map(() => false);
    let flops = 0;
    const C = this.core.config.dModel,
      nL = this.core.config.nLayers;
    const s = this.core.plan.sample;
    const { i32, f32 } = this.core;
    for (let c0 = 0; c0 < prompts.length; c0 += this.sampleBatch) {
      const n = Math.min(this.sampleBatch, prompts.length - c0);
      let active: number[] = [];
      for (let i = 0; i < n; i++) if (maxNewTokens > 0 && prompts[c0 + i]!.length < ctx) active.push(i);
      const posOf = new Int32Array(n);
      while (active.length) {
        const M = active.length;
        for (let r = 0; r < M; r++) {
          const i = active[r]!,
            p = posOf[i]!,
            prompt = prompts[c0 + i]!;
          i32[s.tok / 4 + r] = p < prompt.length ? prompt[p]! : tokens[c0 + i]![p - prompt.length]!;
          i32[s.pos / 4 + r] = p;
          i32[s.slots / 4 + r] = i;
        }
        this.decodeStep(M);
        let f = 2 * M * C * V + nL * 24 * M * C * C;
        for (let r = 0; r < M; r++) f += nL * 4 * C * (posOf[active[r]!]! + 1);
        flops += f;
        const next: number[] = [];
        for (let r = 0; r < M; r++) {
          const i = active[r]!,
            gi = c0 + i,
            prompt = prompts[gi]!;
          const p = posOf[i]!;
          posOf[i] = p + 1;
          if (p < prompt.length - 1) {
            next.push(i);
            continue;
          }
          const gen = tokens[gi]!;
          const base = s.logits / 4 + r * V;
          const stream = o.streams?.[gi];
          const u = stream
            ? hashUniform(stream.seed, stream.index, gen.length)
            : hashUniform(seed, gi, gen.length);
          const tok = this.pick(f32, base, V, temperature, topK, topP, u);
          gen.push(tok);
          lps[gi]!.push(f32[base + tok]! - f32[s.lse / 4 + r]!);
          if (o.stopToken !== undefined && tok === o.stopToken) finished[gi] = true;
          else if (gen.length < maxNewTokens && prompt.length + gen.length < ctx) next.push(i);
        }
        active = next;
      }
    }
    return { tokens, logprobs: lps.map((a) => Float32Array.from(a)), finished, flops };
  }

  private pick(
    z: Float32Array,
    base: number,
    V: number,
    temperature: number,
    topK: number,
    topP: number,
    u: number,
  ): number {
    if (temperature === 0) {
      let best = 0;
      for (let v = 1; v < V; v++) if (z[base + v]! > z[base + best]!) best = v;
      return best;
    }
    // weights exp((z − max z)/T): relative to the max, so no underflow at small temperatures
    let zmax = -Infinity;
    for (let v = 0; v < V; v++) zmax = Math.max(zmax, z[base + v]!);
    const w = this.pickW.length === V ? this.pickW : (this.pickW = new Float64Array(V));
    for (let v = 0; v < V; v++) w[v] = Math.exp((z[base + v]! - zmax) / temperature);
    if (!((topK > 0 && topK < V) || topP < 1)) {
      let total = 0;
      for (let v = 0; v < V; v++) total += w[v]!;
      let x = u * total;
      for (let v = 0; v < V; v++) {
        x -= w[v]!;
        if (x < 0) return v;
      }
      return V - 1;
    }
    // top-k / top-p: most likely first (ties: lower id first)
    let ids = Array.from({ length: V }, (_, v) => v).sort((a, b) => z[base + b]! - z[base + a]! || a - b);
    if (topK > 0 && topK < V) ids = ids.slice(0, topK);
    let total = 0;
    for (const v of ids) total += w[v]!;
    if (topP < 1) {
      let acc = 0,
        k = 0;
      while (k < ids.length) {
        acc += w[ids[k]!]! / total;
        k++;
        if (acc >= topP) break;
      }
      ids = ids.slice(0, k);
      total = 0;
      for (const v of ids) total += w[v]!;
    }
    let x = u * total;
    for (const v of ids) {
      x -= w[v]!;
      if (x < 0) return v;
    }
    return ids[ids.length - 1]!;
  }
}
