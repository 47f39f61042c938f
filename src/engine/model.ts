// The embedded GPT: pre-LN transformer with an explicit forward and backward pass (llm.c style)
// over WebAssembly SIMD kernels (src/engine/kernels/), one bump-allocated memory plan and a
// worker_threads pool over the shared memory.
//
// Architecture: token + learned position embeddings; nLayers × [x += proj(attn(LN1(x))) ;
// x += W2·gelu(W1·LN2(x))] with causal multi-head attention, GELU (tanh form), MLP width 4·d, biases
// on every linear layer; final layer norm; UNTIED output head `head.w` [d, vocab] without bias.
// Weights are stored [in, out] (y = x·W + b), which is the transpose of PyTorch's nn.Linear layout.
//
// Indexing conventions (every per-token array of a sequence has the sequence's length L):
// - `sequences[i]` is a full token sequence (prompt + completion), 1 ≤ L ≤ contextLength.
// - `lossMask[i][t] = 1` means the token at position t is a target, predicted from positions < t.
//   Position 0 has nothing before it and is never a target (its mask entry is ignored).
// - `advantages[i][t]`, `oldLogprobs[i][t]`, `refLogprobs[i][t]` are indexed the same way (entries
//   where the mask is 0 are ignored).
// - `logprobs({ sequences, start })[i][j]` = log p(sequences[i][start[i] + j] | tokens before it),
//   for j = 0 .. L − start[i] − 1 (start[i] ≥ 1).
// - `sample(...)` returns per sequence the new tokens and, at the same index, the log-probability of
//   each under the UNTEMPERED model (temperature 1, no top-k/top-p), i.e. the value `logprobs()`
//   returns for that token, so that it can be the "old log-prob" of the PPO ratio.
import { Pool } from './pool.js';
import { Rng, hashUniform } from './rng.js';
import { WA, type WasmMemory } from './wasm.js';

export interface ModelConfig {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  contextLength: number;
}

export interface CreateModelOptions {
  seed: number;
  /** Threads (main thread included). 1 = main thread only. Default 1. */
  threads?: number;
  /** Sequences per micro-batch in the training and log-prob passes (bounds memory). Default 64. */
  microBatch?: number;
  /** Sequences decoded at once by `sample` (KV-cache slots; bounds memory). Default 512. */
  sampleBatch?: number;
}

export interface TensorInfo {
  name: string;
  shape: number[];
  /** Offset in floats from the start of the parameter block. */
  offset: number;
  size: number;
  /** AdamW weight decay applies (matrices only; not embeddings, layer norms or biases). */
  decay: boolean;
}

export interface FlopCounts {
  total: number;
  /** Forward passes of training calls (accumulateCrossEntropy / accumulatePolicyGradient). */
  forward: number;
  /** Backward passes (≈ 2× forward). */
  backward: number;
  /** Forward-only `logprobs` calls. */
  logprobs: number;
  /** `sample` (KV-cache decoding, prompt positions included). */
  sample: number;
}

export interface SampleOptions {
  prompts: number[][];
  maxNewTokens: number;
  /** 0 = greedy (argmax; ties go to the lowest id). */
  temperature: number;
  /** Keep the k most likely tokens (0 or undefined = all). */
  topK?: number;
  /** Nucleus: smallest set of most likely tokens with probability ≥ topP (1 or undefined = all). */
  topP?: number;
  /** Generation of a sequence ends after this token is produced (it is included in the output). */
  stopToken?: number;
  seed: number;
  /**
   * Per sequence: the seed and stream index its randomness is keyed by (default: `seed` and the
   * sequence's position), so a sequence samples the same whatever else shares the batch.
   */
  streams?: Array<{ seed: number; index: number }>;
}

export interface SampleResult {
  tokens: number[][];
  /** logprobs[i][j] = untempered log p(tokens[i][j]) (see the header comment). */
  logprobs: Float32Array[];
  /** true when the sequence ended with stopToken (false: maxNewTokens or the context length). */
  finished: boolean[];
  flops: number;
}

export interface CrossEntropyBatch {
  sequences: number[][];
  lossMask: Uint8Array[];
  /** The loss is Σ_masked −log p / normaliser (pass the step's total masked-token count). */
  normaliser: number;
}

export interface OptimizerStepOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay: number;
  /** Clip the global gradient norm to this value (0 = no clipping). */
  gradClip: number;
}

export interface ModelState {
  step: number;
  /** Parameter block (padded layout, see `tensors`). */
  params: Float32Array;
  adamM: Float32Array;
  adamV: Float32Array;
}

const BASE = 65536; // bytes reserved below the plan for the kernels' static data
const NORM_CHUNK = 16384;

class Arena {
  off: number;
  constructor(start: number) {
    this.off = start;
  }
  /** Allocates n floats (or i32), 64-byte aligned; returns a byte address. */
  f(n: number): number {
    const p = this.off;
    this.off += Math.ceil((n * 4) / 64) * 64;
    return p;
  }
}

interface LayerParams {
  ln1g: number;
  ln1b: number;
  qkvw: number;
  qkvb: number;
  projw: number;
  projb: number;
  ln2g: number;
  ln2b: number;
  fcw: number;
  fcb: number;
  fpw: number;
  fpb: number;
  qkvT: number;
  projT: number;
  fcT: number;
  fpT: number;
}
interface LayerActs {
  ln1: number;
  ln1m: number;
  ln1r: number;
  qkv: number;
  atty: number;
  att: number;
  rmid: number;
  ln2: number;
  ln2m: number;
  ln2r: number;
  fch: number;
  fcg: number;
  rout: number;
}

export function validateConfig(c: ModelConfig): void {
  const ints: Array<keyof ModelConfig> = ['vocabSize', 'dModel', 'nLayers', 'nHeads', 'contextLength'];
  for (const k of ints) {
    if (!Number.isInteger(c[k]) || c[k] < 1)
      throw new Error(`ModelConfig.${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.dModel % c.nHeads !== 0)
    throw new Error(`ModelConfig: dModel (${c.dModel}) must be divisible by nHeads (${c.nHeads})`);
  if (c.dModel % 4 !== 0) throw new Error(`ModelConfig: dModel (${c.dModel}) must be a multiple of 4`);
  if ((c.dModel / c.nHeads) % 4 !== 0) {
    throw new Error(`ModelConfig: the head size dModel/nHeads (${c.dModel / c.nHeads}) must be a multiple of 4`);
  }
}

/** Parameter tensors in storage order: decayed matrices first, then the rest. */
export function parameterLayout(c: ModelConfig): TensorInfo[] {
  const C = c.dModel,
    V = c.vocabSize;
  const list: Array<[string, number[], boolean]> = [];
  for (let l = 0; l < c.nLayers; l++) {
    list.push([`h.${l}.attn.qkv.w`, [C, 3 * C], true]);
    list.push([`h.${l}.attn.proj.w`, [C, C], true]);
    list.push([`h.${l}.mlp.fc.w`, [C, 4 * C], true]);
    list.push([`h.${l}.mlp.proj.w`, [4 * C, C], true]);
  }
  list.push(['head.w', [C, V], true]);
  list.push(['wte', [V, C], false]);
  list.push(['wpe', [c.contextLength, C], false]);
  for (let l = 0; l < c.nLayers; l++) {
    list.push([`h.${l}.ln1.g`, [C], false]);
    list.push([`h.${l}.ln1.b`, [C], false]);
    list.push([`h.${l}.attn.qkv.b`, [3 * C], false]);
    list.push([`h.${l}.attn.proj.b`, [C], false]);
    list.push([`h.${l}.ln2.g`, [C], false]);
    list.push([`h.${l}.ln2.b`, [C], false]);
    list.push([`h.${l}.mlp.fc.b`, [4 * C], false]);
    list.push([`h.${l}.mlp.proj.b`, [C], false]);
  }
  list.push(['lnf.g', [C], false]);
  list.push(['lnf.b', [C], false]);
  let off = 0;
  return list.map(([name, shape, decay]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = { name, shape, offset: off, size, decay };
    off += Math.ceil(size / 16) * 16;
    return t;
  });
}

function paddedSize(layout: TensorInfo[]): number {
  const last = layout[layout.length - 1]!;
  return last.offset + Math.ceil(last.size / 16) * 16;
}


export class Model {
  readonly config: ModelConfig;
  readonly threads: number;
  readonly microBatch: number;
  readonly sampleBatch: number;
  readonly tensors: readonly TensorInfo[];
  /** Parameters (real, without alignment padding). */
  readonly paramCount: number;
  /** Parameters without the token and position embeddings (the output head is counted). */
  readonly nonEmbeddingParamCount: number;
  /** FLOPs computed by this model so far, by kind (matmuls + attention, as actually computed). */
  readonly flops: FlopCounts = { total: 0, forward: 0, backward: 0, logprobs: 0, sample: 0 };
  /** AdamW steps taken. */
  step = 0;

  private readonly pool: Pool;
  private readonly memory: WasmMemory;
  private readonly f32: Float32Array;
  private readonly i32: Int32Array;
  private readonly P: number; // padded parameter floats
  private readonly decayFloats: number;
  private readonly pParams: number;
  private readonly pGrads: number;
  private readonly pM: number;
  private readonly pV: number;
  private readonly pNorm: number;
  private readonly tensorByName: Map<string, TensorInfo>;
  private readonly L: LayerParams[] = [];
  private readonly wte: number;
  private readonly wpe: number;
  private readonly lnfg: number;
  private readonly lnfb: number;
  private readonly headw: number;
  private readonly headT: number;
  // training plan
  private readonly A: LayerActs[] = [];
  private readonly tr: Record<string, number>;
  // sampling plan
  private readonly sm: Record<string, number>;
  private readonly kc: number[] = [];
  private readonly vc: number[] = [];
  private disposed = false;
  private pickW = new Float64Array(0);

  private constructor(
    config: ModelConfig,
    opts: Required<Omit<CreateModelOptions, 'seed'>>,
    memory: WasmMemory,
    pool: Pool,
    plan: Plan,
  ) {
    this.config = { ...config };
    this.threads = opts.threads;
    this.microBatch = opts.microBatch;
    this.sampleBatch = opts.sampleBatch;
    this.memory = memory;
    this.pool = pool;
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.tensors = plan.layout;
    this.tensorByName = new Map(plan.layout.map((t) => [t.name, t]));
    this.P = plan.P;
    this.decayFloats = plan.decayFloats;
    this.pParams = plan.pParams;
    this.pGrads = plan.pGrads;
    this.pM = plan.pM;
    this.pV = plan.pV;
    this.pNorm = plan.pNorm;
    this.paramCount = plan.layout.reduce((a, t) => a + t.size, 0);
    this.nonEmbeddingParamCount =
      this.paramCount - this.tensorByName.get('wte')!.size - this.tensorByName.get('wpe')!.size;
    const p = (name: string) => this.pParams + this.tensorByName.get(name)!.offset * 4;
    for (let l = 0; l < config.nLayers; l++) {
      const h = `h.${l}.`;
      this.L.push({
        ln1g: p(h + 'ln1.g'),
        ln1b: p(h + 'ln1.b'),
        qkvw: p(h + 'attn.qkv.w'),
        qkvb: p(h + 'attn.qkv.b'),
        projw: p(h + 'attn.proj.w'),
        projb: p(h + 'attn.proj.b'),
        ln2g: p(h + 'ln2.g'),
        ln2b: p(h + 'ln2.b'),
        fcw: p(h + 'mlp.fc.w'),
        fcb: p(h + 'mlp.fc.b'),
        fpw: p(h + 'mlp.proj.w'),
        fpb: p(h + 'mlp.proj.b'),
        qkvT: plan.transposed[l]!.qkvT,
        projT: plan.transposed[l]!.projT,
        fcT: plan.transposed[l]!.fcT,
        fpT: plan.transposed[l]!.fpT,
      });
    }
    this.wte = p('wte');
    this.wpe = p('wpe');
    this.lnfg = p('lnf.g');
    this.lnfb = p('lnf.b');
    this.headw = p('head.w');
    this.headT = plan.headT;
    this.A = plan.acts;
    this.tr = plan.train;
    this.sm = plan.sample;
    this.kc = plan.kc;
    this.vc = plan.vc;
  }

  /** @internal */
  static async build(config: ModelConfig, opts: CreateModelOptions): Promise<Model> {
    validateConfig(config);
    const threads = opts.threads ?? 1;
    const microBatch = opts.microBatch ?? 64;
    const sampleBatch = opts.sampleBatch ?? 512;
    for (const [k, v] of [
      ['microBatch', microBatch],
      ['sampleBatch', sampleBatch],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new Error(`createModel: ${k} must be a positive integer, got ${v}`);
    }
    const plan = makePlan(config, microBatch, sampleBatch);
    const pages = Math.ceil(plan.bytes / 65536) + 1;
    if (pages > 65536) {
      throw new Error(
        `createModel: the memory plan needs ${(plan.bytes / 2 ** 30).toFixed(2)} GiB (> 4 GiB); lower microBatch or sampleBatch`,
      );
    }
    const memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
    const pool = await Pool.create(memory, threads);
    const model = new Model(config, { threads, microBatch, sampleBatch }, memory, pool, plan);
    model.initParams(opts.seed);
    return model;
  }

  // ------------------------------------------------------------------ parameters and state

  private initParams(seed: number): void {
    const rng = new Rng(seed);
    const f = this.f32;
    const base = this.pParams / 4;
    f.fill(0, base, base + this.P);
    const projStd = 0.02 / Math.sqrt(2 * this.config.nLayers);
    for (const t of this.tensors) {
      const o = base + t.offset;
      if (t.name.endsWith('.g')) f.fill(1, o, o + t.size);
      else if (t.name.endsWith('.b')) continue;
      else {
        const std = t.name.endsWith('proj.w') ? projStd : t.name === 'wpe' ? 0.01 : 0.02;
        for (let i = 0; i < t.size; i++) f[o + i] = rng.normal() * std;
      }
    }
    f.fill(0, this.pM / 4, this.pM / 4 + this.P);
    f.fill(0, this.pV / 4, this.pV / 4 + this.P);
    this.zeroGrad();
    this.step = 0;
    this.refreshTransposed();
  }

  /** Rebuilds the transposed weight copies used by the backward pass (after any parameter change). */
  refreshTransposed(): void {
    const C = this.config.dModel,
      V = this.config.vocabSize;
    const run = this.pool.run.bind(this.pool);
    for (const L of this.L) {
      run('transpose', 3 * C, 1, L.qkvT, L.qkvw, C, 3 * C);
      run('transpose', C, 1, L.projT, L.projw, C, C);
      run('transpose', 4 * C, 1, L.fcT, L.fcw, C, 4 * C);
      run('transpose', C, 1, L.fpT, L.fpw, 4 * C, C);
    }
    run('transpose', V, 1, this.headT, this.headw, C, V);
  }

  private tensor(name: string): TensorInfo {
    const t = this.tensorByName.get(name);
    if (!t) throw new Error(`engine: no parameter tensor named ${JSON.stringify(name)}`);
    return t;
  }

  /** Live view of a parameter tensor (call refreshTransposed() after writing into it). */
  paramView(name: string): Float32Array {
    const t = this.tensor(name);
    return this.f32.subarray(this.pParams / 4 + t.offset, this.pParams / 4 + t.offset + t.size);
  }
  /** Live view of a gradient tensor. */
  gradView(name: string): Float32Array {
    const t = this.tensor(name);
    return this.f32.subarray(this.pGrads / 4 + t.offset, this.pGrads / 4 + t.offset + t.size);
  }
  /** @internal Live views of the Adam moments of a tensor. */
  adamViews(name: string): { m: Float32Array; v: Float32Array } {
    const t = this.tensor(name);
    return {
      m: this.f32.subarray(this.pM / 4 + t.offset, this.pM / 4 + t.offset + t.size),
      v: this.f32.subarray(this.pV / 4 + t.offset, this.pV / 4 + t.offset + t.size),
    };
  }

  getState(): ModelState {
    const cp = (p: number) => this.f32.slice(p / 4, p / 4 + this.P);
    return { step: this.step, params: cp(this.pParams), adamM: cp(this.pM), adamV: cp(this.pV) };
  }

  setState(s: ModelState): void {
    for (const [k, p] of [
      ['params', this.pParams],
      ['adamM', this.pM],
      ['adamV', this.pV],
    ] as const) {
      if (s[k].length !== this.P)
        throw new Error(`Model.setState: ${k} has ${s[k].length} floats, expected ${this.P}`);
      this.f32.set(s[k], p / 4);
    }
    this.step = s.step;
    this.refreshTransposed();
  }

  zeroGrad(): void {
    this.f32.fill(0, this.pGrads / 4, this.pGrads / 4 + this.P);
  }

  // ------------------------------------------------------------------ forward / backward

  private count(kind: keyof Omit<FlopCounts, 'total'>, n: number): void {
    this.flops[kind] += n;
    this.flops.total += n;
  }

  private fwdFlops(B: number, T: number): number {
    const C = this.config.dModel,
      V = this.config.vocabSize,
      nL = this.config.nLayers;
    const BT = B * T;
    return nL * (24 * BT * C * C + 2 * B * T * (T + 1) * C) + 2 * BT * C * V;
  }
  private bwdFlops(B: number, T: number): number {
    const C = this.config.dModel,
      V = this.config.vocabSize,
      nL = this.config.nLayers;
    const BT = B * T;
    return nL * (48 * BT * C * C + 4 * B * T * (T + 1) * C) + 4 * BT * C * V;
  }

  /** Writes a micro-batch (inputs = positions 0..T−1 of each sequence, padded with 0) into the plan. */
  private loadBatch(seqs: number[][], T: number): void {
    const V = this.config.vocabSize;
    const tok = this.tr.tok! / 4,
      pos = this.tr.pos! / 4,
      tgt = this.tr.tgt! / 4;
    const i32 = this.i32;
    for (let b = 0; b < seqs.length; b++) {
      const s = seqs[b]!;
      for (let t = 0; t < T; t++) {
        const m = b * T + t;
        const x = t < s.length ? s[t]! : 0;
        const y = t + 1 < s.length ? s[t + 1]! : 0;
        if (!(x >= 0 && x < V && Number.isInteger(x)))
          throw new Error(
            `engine: token ${x} at sequence ${b}, position ${t} is outside the vocabulary (size ${V})`,
          );
        i32[tok + m] = x;
        i32[pos + m] = t;
        i32[tgt + m] = y;
      }
      if (s.length > T + 1) throw new Error('engine: internal: sequence longer than the micro-batch width');
    }
  }

  private forward(B: number, T: number): void {
    const run = this.pool.run.bind(this.pool);
    const { dModel: C, nHeads: NH, vocabSize: V } = this.config;
    const BT = B * T;
    const tr = this.tr;
    run('embed_fwd', BT, 1, tr.r0!, tr.tok!, tr.pos!, this.wte, this.wpe, C);
    let rin = tr.r0!;
    for (let l = 0; l < this.config.nLayers; l++) {
      const P = this.L[l]!,
        A = this.A[l]!;
      run('ln_fwd', BT, 1, A.ln1, A.ln1m, A.ln1r, rin, P.ln1g, P.ln1b, C);
      run('mm_nn', BT, 4, A.qkv, A.ln1, P.qkvw, P.qkvb, 0, C, 3 * C, 0, 0);
      run('attn_fwd', B * NH, 1, A.atty, A.att, A.qkv, T, C, NH);
      run('mm_nn', BT, 4, A.rmid, A.atty, P.projw, P.projb, rin, C, C, 0, 0);
      run('ln_fwd', BT, 1, A.ln2, A.ln2m, A.ln2r, A.rmid, P.ln2g, P.ln2b, C);
      run('mm_nn', BT, 4, A.fch, A.ln2, P.fcw, P.fcb, 0, C, 4 * C, 0, A.fcg); // fcg = gelu(fch), fused
      run('mm_nn', BT, 4, A.rout, A.fcg, P.fpw, P.fpb, A.rmid, 4 * C, C, 0, 0);
      rin = A.rout;
    }
    run('ln_fwd', BT, 1, tr.lnf!, tr.lnfm!, tr.lnfr!, rin, this.lnfg, this.lnfb, C);
    run('mm_nn', BT, 4, tr.logits!, tr.lnf!, this.headw, 0, 0, C, V, 0, 0);
    run('logsumexp_rows', BT, 1, tr.lse!, tr.logits!, V);
  }

  /** Backward from the per-row weights tr.w (dL/dlog p(target)); accumulates into the gradients. */
  private backward(B: number, T: number): void {
    const run = this.pool.run.bind(this.pool);
    const { dModel: C, nHeads: NH, vocabSize: V } = this.config;
    const BT = B * T;
    const tr = this.tr;
    const g = (p: number) => p - this.pParams + this.pGrads;
    run('logit_grad', BT, 1, tr.logits!, tr.lse!, tr.tgt!, tr.w!, V);
    run('mm_tn', C, 4, g(this.headw), tr.lnf!, tr.logits!, BT, C, V, 0);
    run('mm_nn', BT, 4, tr.dC!, tr.logits!, this.headT, 0, 0, V, C, 0, 0);
    this.f32.fill(0, tr.dres! / 4, tr.dres! / 4 + BT * C);
    const nL = this.config.nLayers;
    const lastOut = nL > 0 ? this.A[nL - 1]!.rout : tr.r0!;
    run('ln_bwd_dx', BT, 1, tr.dres!, tr.dC!, lastOut, tr.lnfm!, tr.lnfr!, this.lnfg, C);
    run('ln_bwd_params', C, 4, g(this.lnfg), g(this.lnfb), tr.dC!, lastOut, tr.lnfm!, tr.lnfr!, BT, C);
    for (let l = nL - 1; l >= 0; l--) {
      const P = this.L[l]!,
        A = this.A[l]!;
      const rin = l > 0 ? this.A[l - 1]!.rout : tr.r0!;
      // MLP: rout = rmid + fcg·Wfp + bfp
      run('mm_tn', 4 * C, 4, g(P.fpw), A.fcg, tr.dres!, BT, 4 * C, C, g(P.fpb));
      run('mm_nn', BT, 4, tr.dA!, tr.dres!, P.fpT, 0, 0, C, 4 * C, A.fch, 0); // × gelu'(fch), fused
      run('mm_tn', C, 4, g(P.fcw), A.ln2, tr.dA!, BT, C, 4 * C, g(P.fcb));
      run('mm_nn', BT, 4, tr.dC!, tr.dA!, P.fcT, 0, 0, 4 * C, C, 0, 0);
      run('ln_bwd_dx', BT, 1, tr.dres!, tr.dC!, A.rmid, A.ln2m, A.ln2r, P.ln2g, C);
      run('ln_bwd_params', C, 4, g(P.ln2g), g(P.ln2b), tr.dC!, A.rmid, A.ln2m, A.ln2r, BT, C);
      // attention: rmid = rin + atty·Wproj + bproj
      run('mm_tn', C, 4, g(P.projw), A.atty, tr.dres!, BT, C, C, g(P.projb));
      run('mm_nn', BT, 4, tr.dC!, tr.dres!, P.projT, 0, 0, C, C, 0, 0);
      run('attn_bwd', B * NH, 1, tr.dB!, tr.datt!, tr.dC!, A.qkv, A.att, T, C, NH);
      run('mm_tn', C, 4, g(P.qkvw), A.ln1, tr.dB!, BT, C, 3 * C, g(P.qkvb));
      run('mm_nn', BT, 4, tr.dC!, tr.dB!, P.qkvT, 0, 0, 3 * C, C, 0, 0);
      run('ln_bwd_dx', BT, 1, tr.dres!, tr.dC!, rin, A.ln1m, A.ln1r, P.ln1g, C);
      run('ln_bwd_params', C, 4, g(P.ln1g), g(P.ln1b), tr.dC!, rin, A.ln1m, A.ln1r, BT, C);
    }
    run('embed_bwd', C, 4, g(this.wte), g(this.wpe), tr.dres!, tr.tok!, tr.pos!, BT, C);
  }

  private checkSequences(seqs: number[][], what: string): void {
    if (!Array.isArray(seqs)) throw new Error(`${what}: sequences must be an array`);
    seqs.forEach((s, i) => {
      if (!Array.isArray(s) || s.length < 1) throw new Error(`${what}: sequence ${i} is empty`);
      if (s.length > this.config.contextLength) {
        throw new Error(
          `${what}: sequence ${i} has ${s.length} tokens, more than contextLength ${this.config.contextLength}`,
        );
      }
    });
  }

  private checkPerToken(
    arr: ArrayLike<number>[] | undefined,
    name: string,
    seqs: number[][],
    what: string,
  ): void {
    if (!arr) return;
    if (arr.length !== seqs.length)
      throw new Error(
        `${what}: ${name} has ${arr.length} entries, expected ${seqs.length} (one per sequence)`,
      );
    arr.forEach((a, i) => {
      if (!a || a.length !== seqs[i]!.length) {
        throw new Error(
          `${what}: ${name}[${i}] has length ${a?.length}, expected ${seqs[i]!.length} (the sequence length)`,
        );
      }
    });
  }

  /**
   * The one training entry point: adds to the gradients ∇_θ L for any loss L of the per-token
   * log-probs, given its derivative. For each micro-batch: forward, then `dLossDlogp(i, t, logp)`
   * gives dL/dlog p(sequences[i][t] | sequences[i][<t]) for every t ≥ 1 (0 = not a loss token), then
   * backward. Returns the FLOPs of the forward+backward. The engine knows no RL formula: the caller
   * (e.g. algo/loss) owns the objective.
   */
  accumulateGradient(
    seqs: number[][],
    dLossDlogp: (seqIndex: number, pos: number, logp: number) => number,
  ): { flops: number } {
    this.checkSequences(seqs, 'accumulateGradient');
    return { flops: this.trainPass(seqs, dLossDlogp) };
  }

  private trainPass(
    seqs: number[][],
    weigh: (seqIndex: number, pos: number, logp: number) => number,
  ): number {
    let flops = 0;
    const V = this.config.vocabSize;
    for (let s0 = 0; s0 < seqs.length; s0 += this.microBatch) {
      const batch = seqs.slice(s0, s0 + this.microBatch);
      const T = Math.max(1, Math.max(...batch.map((s) => s.length)) - 1);
      const B = batch.length;
      this.loadBatch(batch, T);
      this.forward(B, T);
      const w = this.tr.w! / 4,
        lse = this.tr.lse! / 4,
        logits = this.tr.logits! / 4,
        tgt = this.tr.tgt! / 4;
      for (let b = 0; b < B; b++) {
        const L = batch[b]!.length;
        for (let t = 0; t < T; t++) {
          const m = b * T + t;
          let wm = 0;
          if (t + 1 < L) {
            const logp = this.f32[logits + m * V + this.i32[tgt + m]!]! - this.f32[lse + m]!;
            wm = weigh(s0 + b, t + 1, logp);
          }
          this.f32[w + m] = wm;
        }
      }
      this.backward(B, T);
      const f = this.fwdFlops(B, T),
        bw = this.bwdFlops(B, T);
      this.count('forward', f);
      this.count('backward', bw);
      flops += f + bw;
    }
    return flops;
  }

  /** Token-level cross-entropy: adds ∇(Σ_masked −log p / normaliser) to the gradients. */
  accumulateCrossEntropy(batch: CrossEntropyBatch): { loss: number; tokens: number; flops: number } {
    const what = 'accumulateCrossEntropy';
    const { sequences, lossMask, normaliser } = batch;
    this.checkSequences(sequences, what);
    this.checkPerToken(lossMask, 'lossMask', sequences, what);
    if (!(normaliser > 0)) throw new Error(`${what}: normaliser must be > 0, got ${normaliser}`);
    let loss = 0,
      tokens = 0;
    const flops = this.trainPass(sequences, (i, t, logp) => {
      if (!lossMask[i]![t]) return 0;
      loss -= logp;
      tokens++;
      return -1 / normaliser;
    });
    return { loss: loss / normaliser, tokens, flops };
  }

  /** Per-token log-probabilities (forward only, no gradient); see the header for indexing. */
  logprobs(args: { sequences: number[][]; start: number[] }): { logprobs: Float32Array[]; flops: number } {
    const what = 'logprobs';
    const { sequences, start } = args;
    this.checkSequences(sequences, what);
    if (!Array.isArray(start) || start.length !== sequences.length) {
      throw new Error(`${what}: start must have one entry per sequence (${sequences.length})`);
    }
    const out: Float32Array[] = [];
    let flops = 0;
    const V = this.config.vocabSize;
    for (let s0 = 0; s0 < sequences.length; s0 += this.microBatch) {
      const batch = sequences.slice(s0, s0 + this.microBatch);
      const T = Math.max(1, Math.max(...batch.map((s) => s.length)) - 1);
      const B = batch.length;
      this.loadBatch(batch, T);
      this.forward(B, T);
      const lse = this.tr.lse! / 4,
        logits = this.tr.logits! / 4,
        tgt = this.tr.tgt! / 4;
      for (let b = 0; b < B; b++) {
        const L = batch[b]!.length;
        const st = start[s0 + b]!;
        if (!Number.isInteger(st) || st < 1 || st > L) {
          throw new Error(
            `${what}: start[${s0 + b}] = ${st} must be an integer in [1, ${L}] (sequence length ${L})`,
          );
        }
        const lp = new Float32Array(L - st);
        for (let t = st; t < L; t++) {
          const m = b * T + t - 1;
          lp[t - st] = this.f32[logits + m * V + this.i32[tgt + m]!]! - this.f32[lse + m]!;
        }
        out.push(lp);
      }
      const f = this.fwdFlops(B, T);
      this.count('logprobs', f);
      flops += f;
    }
    return { logprobs: out, flops };
  }

  // ------------------------------------------------------------------ optimizer

  /** Global gradient L2 norm (over all parameters), computed in fixed chunks (thread-count independent). */
  gradNorm(): number {
    const nChunks = Math.ceil(this.P / NORM_CHUNK);
    this.pool.run('sumsq_chunks', nChunks, 1, this.pNorm, this.pGrads, this.P, NORM_CHUNK);
    let s = 0;
    for (let c = 0; c < nChunks; c++) s += this.f32[this.pNorm / 4 + c]!;
    return Math.sqrt(s);
  }

  /**
   * AdamW with decoupled weight decay (p ← p − lr·(m̂/(√v̂ + eps) + wd·p)) on the weight matrices
   * (qkv, attention projection, MLP, head); embeddings, layer-norm gains/biases and biases are not
   * decayed. The gradient is first scaled so that its global norm is at most gradClip.
   * Gradients are left as they are (call zeroGrad() before the next accumulation).
   */
  optimizerStep(o: OptimizerStepOptions): { gradNorm: number; clipScale: number } {
    const b1 = o.beta1 ?? 0.9,
      b2 = o.beta2 ?? 0.95,
      eps = o.eps ?? 1e-8;
    const norm = this.gradNorm();
    if (!Number.isFinite(norm))
      throw new Error(`optimizerStep: gradient norm is ${norm}; parameters left unchanged`);
    const scale = o.gradClip > 0 && norm > o.gradClip ? o.gradClip / norm : 1;
    this.step++;
    const bc1 = 1 - Math.pow(b1, this.step),
      bc2 = 1 - Math.pow(b2, this.step);
    const D = this.decayFloats;
    const run = this.pool.run.bind(this.pool);
    run(
      'adamw',
      D,
      16,
      this.pParams,
      this.pGrads,
      this.pM,
      this.pV,
      o.lr,
      b1,
      b2,
      eps,
      o.weightDecay,
      bc1,
      bc2,
      scale,
    );
    const rest = this.P - D;
    run(
      'adamw',
      rest,
      16,
      this.pParams + D * 4,
      this.pGrads + D * 4,
      this.pM + D * 4,
      this.pV + D * 4,
      o.lr,
      b1,
      b2,
      eps,
      0,
      bc1,
      bc2,
      scale,
    );
    this.refreshTransposed();
    return { gradNorm: norm, clipScale: scale };
  }

  // ------------------------------------------------------------------ sampling

  private decodeStep(M: number): void {
    const run = this.pool.run.bind(this.pool);
    const { dModel: C, nHeads: NH, vocabSize: V, contextLength: Tmax } = this.config;
    const s = this.sm;
    run('embed_fwd', M, 1, s.x!, s.tok!, s.pos!, this.wte, this.wpe, C);
    for (let l = 0; l < this.config.nLayers; l++) {
      const P = this.L[l]!;
      run('ln_fwd', M, 1, s.ln!, s.lnm!, s.lnr!, s.x!, P.ln1g, P.ln1b, C);
      run('mm_nn', M, 4, s.qkv!, s.ln!, P.qkvw, P.qkvb, 0, C, 3 * C, 0, 0);
      run(
        'attn_decode',
        M,
        1,
        s.atty!,
        s.att!,
        s.qkv!,
        this.kc[l]!,
        this.vc[l]!,
        s.slots!,
        s.pos!,
        C,
        NH,
        Tmax,
      );
      run('mm_nn', M, 4, s.x!, s.atty!, P.projw, P.projb, s.x!, C, C, 0, 0);
      run('ln_fwd', M, 1, s.ln!, s.lnm!, s.lnr!, s.x!, P.ln2g, P.ln2b, C);
      run('mm_nn', M, 4, s.fch!, s.ln!, P.fcw, P.fcb, 0, C, 4 * C, 0, s.fcg!);
      run('mm_nn', M, 4, s.x!, s.fcg!, P.fpw, P.fpb, s.x!, 4 * C, C, 0, 0);
    }
    run('ln_fwd', M, 1, s.ln!, s.lnm!, s.lnr!, s.x!, this.lnfg, this.lnfb, C);
    run('mm_nn', M, 4, s.logits!, s.ln!, this.headw, 0, 0, C, V, 0, 0);
    run('logsumexp_rows', M, 1, s.lse!, s.logits!, V);
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
    const { vocabSize: V, contextLength: ctx } = this.config;
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
    const C = this.config.dModel,
      nL = this.config.nLayers;
    const s = this.sm;
    const i32 = this.i32,
      f32 = this.f32;
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
          i32[s.tok! / 4 + r] = p < prompt.length ? prompt[p]! : tokens[c0 + i]![p - prompt.length]!;
          i32[s.pos! / 4 + r] = p;
          i32[s.slots! / 4 + r] = i;
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
          const base = s.logits! / 4 + r * V;
          const stream = o.streams?.[gi];
          const u = stream
            ? hashUniform(stream.seed, stream.index, gen.length)
            : hashUniform(seed, gi, gen.length);
          const tok = this.pick(f32, base, V, temperature, topK, topP, u);
          gen.push(tok);
          lps[gi]!.push(f32[base + tok]! - f32[s.lse! / 4 + r]!);
          if (o.stopToken !== undefined && tok === o.stopToken) finished[gi] = true;
          else if (gen.length < maxNewTokens && prompt.length + gen.length < ctx) next.push(i);
        }
        active = next;
      }
    }
    this.count('sample', flops);
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

  /** Stops the worker threads. The model cannot be used afterwards. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.pool.dispose();
  }

  /** Starts (true) or stops (false) per-kernel timing; returns the table collected so far. */
  profileKernels(on: boolean): Map<string, { ms: number; calls: number }> | undefined {
    const prev = this.pool.profile;
    this.pool.profile = on ? (prev ?? new Map()) : undefined;
    return prev;
  }

  /** Bytes of the shared memory plan. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }
}

interface Plan {
  layout: TensorInfo[];
  P: number;
  decayFloats: number;
  pParams: number;
  pGrads: number;
  pM: number;
  pV: number;
  pNorm: number;
  transposed: Array<{ qkvT: number; projT: number; fcT: number; fpT: number }>;
  headT: number;
  acts: LayerActs[];
  train: Record<string, number>;
  sample: Record<string, number>;
  kc: number[];
  vc: number[];
  bytes: number;
}

function makePlan(c: ModelConfig, microBatch: number, sampleBatch: number): Plan {
  const layout = parameterLayout(c);
  const P = paddedSize(layout);
  const firstNoDecay = layout.find((t) => !t.decay)!;
  const decayFloats = firstNoDecay.offset;
  const C = c.dModel,
    V = c.vocabSize,
    NH = c.nHeads,
    T = c.contextLength;
  const a = new Arena(BASE);
  const pParams = a.f(P),
    pGrads = a.f(P),
    pM = a.f(P),
    pV = a.f(P);
  const pNorm = a.f(Math.ceil(P / NORM_CHUNK));
  const transposed = [];
  for (let l = 0; l < c.nLayers; l++) {
    transposed.push({ qkvT: a.f(3 * C * C), projT: a.f(C * C), fcT: a.f(4 * C * C), fpT: a.f(4 * C * C) });
  }
  const headT = a.f(V * C);
  const unionStart = a.off;
  // training / log-prob plan
  const BT = microBatch * T;
  const train: Record<string, number> = {
    tok: a.f(BT),
    pos: a.f(BT),
    tgt: a.f(BT),
    w: a.f(BT),
    lse: a.f(BT),
    r0: a.f(BT * C),
  };
  const acts: LayerActs[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    acts.push({
      ln1: a.f(BT * C),
      ln1m: a.f(BT),
      ln1r: a.f(BT),
      qkv: a.f(BT * 3 * C),
      atty: a.f(BT * C),
      att: a.f(microBatch * NH * T * T),
      rmid: a.f(BT * C),
      ln2: a.f(BT * C),
      ln2m: a.f(BT),
      ln2r: a.f(BT),
      fch: a.f(BT * 4 * C),
      fcg: a.f(BT * 4 * C),
      rout: a.f(BT * C),
    });
  }
  Object.assign(train, {
    lnf: a.f(BT * C),
    lnfm: a.f(BT),
    lnfr: a.f(BT),
    logits: a.f(BT * V),
    dres: a.f(BT * C),
    dA: a.f(BT * 4 * C),
    dB: a.f(BT * 3 * C),
    dC: a.f(BT * C),
    datt: a.f(microBatch * NH * T * T),
  });
  const trainEnd = a.off;
  // sampling plan (shares the region with the training plan)
  a.off = unionStart;
  const S = sampleBatch;
  const kc: number[] = [],
    vc: number[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    kc.push(a.f(S * T * C));
    vc.push(a.f(S * T * C));
  }
  const sample: Record<string, number> = {
    tok: a.f(S),
    pos: a.f(S),
    slots: a.f(S),
    x: a.f(S * C),
    ln: a.f(S * C),
    lnm: a.f(S),
    lnr: a.f(S),
    qkv: a.f(S * 3 * C),
    atty: a.f(S * C),
    att: a.f(S * NH * T),
    fch: a.f(S * 4 * C),
    fcg: a.f(S * 4 * C),
    logits: a.f(S * V),
    lse: a.f(S),
  };
  const bytes = Math.max(trainEnd, a.off);
  return {
    layout,
    P,
    decayFloats,
    pParams,
    pGrads,
    pM,
    pV,
    pNorm,
    transposed,
    headT,
    acts,
    train,
    sample,
    kc,
    vc,
    bytes,
  };
}

/** Creates a model with freshly initialised parameters (GPT-2 style: N(0, 0.02), residual projections
 * N(0, 0.02/√(2·nLayers)), position embeddings N(0, 0.01), layer-norm gains 1, biases 0). */
export async function createModel(config: ModelConfig, opts: CreateModelOptions): Promise<Model> {
  return Model.build(config, opts);
}
