// The embedded GPT: pre-LN transformer with an explicit forward and backward pass (llm.c style)
// over WebAssembly SIMD kernels (src/engine/kernels/), one bump-allocated memory plan (plan.ts) and
// a worker_threads pool over the shared memory (pool.ts). This file holds the model: parameters,
// forward, backward and the training / log-prob entry points; sampling is sampler.ts, AdamW is
// optimizer.ts.
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
// - `accumulateGradient(sequences, dLossDlogp)` calls dLossDlogp(i, t, logp) for every t ≥ 1 of
//   sequence i, with the same t.
// - `logprobs({ sequences, start })[i][j]` = log p(sequences[i][start[i] + j] | tokens before it),
//   for j = 0 .. L − start[i] − 1 (start[i] ≥ 1).
// - `sample(...)` returns per sequence the new tokens and, at the same index, the log-probability of
//   each under the UNTEMPERED model (temperature 1, no top-k/top-p), i.e. the value `logprobs()`
//   returns for that token, so that it can be the "old log-prob" of the PPO ratio.
import { blockForward, headForward } from './block.js';
import { adamwStep, gradNorm } from './optimizer.js';
import { makePlan, validateConfig, weightsOf, type Core, type Plan, type Weights } from './plan.js';
import { Pool } from './pool.js';
import { Rng } from './rng.js';
import { Sampler } from './sampler.js';
import type {
  CreateModelOptions,
  CrossEntropyBatch,
  FlopCounts,
  ModelConfig,
  ModelState,
  OptimizerStepOptions,
  SampleOptions,
  SampleResult,
  TensorInfo,
} from './types.js';
import { WA, type WasmMemory } from './wasm.js';

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

  private readonly core: Core;
  private readonly plan: Plan;
  private readonly W: Weights;
  private readonly pool: Pool;
  private readonly memory: WasmMemory;
  private readonly tensorByName: Map<string, TensorInfo>;
  private readonly sampler: Sampler;
  private disposed = false;
  /**
   * With FLOPWISE_CHECK_WEIGHTS=1, the parameters as the last optimizer step (or load) left them:
   * nothing else may write them, so any difference at the next step is an out-of-bounds write.
   * A diagnostic (one copy and one comparison of the parameters a step), off by default.
   */
  private weightSnapshot: Float32Array | undefined;
  private readonly checkWeights = process.env.FLOPWISE_CHECK_WEIGHTS === '1';

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
    this.plan = plan;
    this.W = weightsOf(plan, config);
    this.core = {
      config: this.config,
      pool,
      f32: new Float32Array(memory.buffer),
      i32: new Int32Array(memory.buffer),
      plan,
      weights: this.W,
    };
    this.sampler = new Sampler(this.core, opts.sampleBatch);
    this.tensors = plan.layout;
    this.tensorByName = new Map(plan.layout.map((t) => [t.name, t]));
    this.paramCount = plan.layout.reduce((a, t) => a + t.size, 0);
    this.nonEmbeddingParamCount =
      this.paramCount - this.tensorByName.get('wte')!.size - this.tensorByName.get('wpe')!.size;
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
    const f = this.core.f32;
    const base = this.plan.pParams / 4;
    f.fill(0, base, base + this.plan.P);
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
    f.fill(0, this.plan.pM / 4, this.plan.pM / 4 + this.plan.P);
    f.fill(0, this.plan.pV / 4, this.plan.pV / 4 + this.plan.P);
    this.zeroGrad();
    this.step = 0;
    this.refreshTransposed();
  }

  /** Rebuilds the transposed weight copies used by the backward pass (after any parameter change). */
  refreshTransposed(): void {
    const C = this.config.dModel,
      V = this.config.vocabSize;
    const t = (dst: number, src: number, rows: number, cols: number) =>
      this.pool.call('transpose', cols, 1, { dst, src, rows, cols });
    for (const L of this.W.layers) {
      t(L.qkvT, L.qkvw, C, 3 * C);
      t(L.projT, L.projw, C, C);
      t(L.fcT, L.fcw, C, 4 * C);
      t(L.fpT, L.fpw, 4 * C, C);
    }
    t(this.W.headT, this.W.headw, C, V);
  }

  private tensor(name: string): TensorInfo {
    const t = this.tensorByName.get(name);
    if (!t) throw new Error(`engine: no parameter tensor named ${JSON.stringify(name)}`);
    return t;
  }

  /** Live view of a parameter tensor (call refreshTransposed() after writing into it). */
  paramView(name: string): Float32Array {
    const t = this.tensor(name);
    return this.core.f32.subarray(
      this.plan.pParams / 4 + t.offset,
      this.plan.pParams / 4 + t.offset + t.size,
    );
  }
  /** Live view of a gradient tensor. */
  gradView(name: string): Float32Array {
    const t = this.tensor(name);
    return this.core.f32.subarray(this.plan.pGrads / 4 + t.offset, this.plan.pGrads / 4 + t.offset + t.size);
  }
  /** @internal Live views of the Adam moments of a tensor. */
  adamViews(name: string): { m: Float32Array; v: Float32Array } {
    const t = this.tensor(name);
    return {
      m: this.core.f32.subarray(this.plan.pM / 4 + t.offset, this.plan.pM / 4 + t.offset + t.size),
      v: this.core.f32.subarray(this.plan.pV / 4 + t.offset, this.plan.pV / 4 + t.offset + t.size),
    };
  }

  getState(): ModelState {
    const cp = (p: number) => this.core.f32.slice(p / 4, p / 4 + this.plan.P);
    return {
      step: this.step,
      params: cp(this.plan.pParams),
      adamM: cp(this.plan.pM),
      adamV: cp(this.plan.pV),
    };
  }

  setState(s: ModelState): void {
    for (const [k, p] of [
      ['params', this.plan.pParams],
      ['adamM', this.plan.pM],
      ['adamV', this.plan.pV],
    ] as const) {
      if (s[k].length !== this.plan.P)
        throw new Error(`Model.setState: ${k} has ${s[k].length} floats, expected ${this.plan.P}`);
      this.core.f32.set(s[k], p / 4);
    }
    this.step = s.step;
    this.refreshTransposed();
    if (this.checkWeights) this.snapshotWeights();
  }

  zeroGrad(): void {
    this.core.f32.fill(0, this.plan.pGrads / 4, this.plan.pGrads / 4 + this.plan.P);
  }

  // ------------------------------------------------------------------ forward / backward

  private count(kind: keyof Omit<FlopCounts, 'total'>, n: number): void {
    this.flops[kind] += n;
    this.flops.total += n;
  }

  /** Forward FLOPs of a B×T micro-batch: matmuls 2N per row, attention 4·L·t·d per row at position t, head 2·d·V. */
  private fwdFlops(B: number, T: number): number {
    const { dModel: C, vocabSize: V, nLayers: nL } = this.config;
    const BT = B * T;
    return nL * (24 * BT * C * C + 2 * B * T * (T + 1) * C) + 2 * BT * C * V;
  }

  /** The backward pass costs twice the forward (gradients with respect to inputs and to weights). */
  private bwdFlops(B: number, T: number): number {
    return 2 * this.fwdFlops(B, T);
  }

  /** Writes a micro-batch (inputs = positions 0..T−1 of each sequence, padded with 0) into the plan. */
  private loadBatch(seqs: number[][], T: number): void {
    const V = this.config.vocabSize;
    const tok = this.plan.train.tok / 4,
      pos = this.plan.train.pos / 4,
      tgt = this.plan.train.tgt / 4;
    const i32 = this.core.i32;
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

  /** What the forward and backward passes over a B×T micro-batch work with. */
  private passContext(B: number, T: number) {
    const { dModel: C, nHeads: NH, vocabSize: V } = this.config;
    return { pool: this.pool, C, NH, V, BT: B * T, tr: this.plan.train, W: this.W };
  }

  private forward(B: number, T: number): void {
    const { pool, C, NH, V, BT, tr, W } = this.passContext(B, T);
    pool.call('embed_fwd', BT, 1, { out: tr.r0, tok: tr.tok, pos: tr.pos, wte: W.wte, wpe: W.wpe, C });
    let inp = tr.r0;
    this.plan.acts.forEach((A, l) => {
      const b = { ...A, inp, mid: A.rmid, out: A.rout };
      blockForward(pool, BT, C, W.layers[l]!, b, () =>
        pool.call('attn_fwd', B * NH, 1, { out: A.atty, att: A.att, qkv: A.qkv, T, C, NH }),
      );
      inp = A.rout;
    });
    headForward(pool, BT, C, V, W, {
      inp,
      ln: tr.lnf,
      lnm: tr.lnfm,
      lnr: tr.lnfr,
      logits: tr.logits,
      lse: tr.lse,
    });
  }

  /** Backward from the per-row weights tr.w (dL/dlog p(target)); accumulates into the gradients. */
  private backward(B: number, T: number): void {
    const { pool, C, NH, V, BT, tr, W } = this.passContext(B, T);
    const g = (p: number) => p - this.plan.pParams + this.plan.pGrads;
    const normBack = (inp: number, mean: number, rstd: number, gain: number, bias: number) => {
      pool.call('ln_bwd_dx', BT, 1, { dinp: tr.dres, dout: tr.dC, inp, mean, rstd, gain, C });
      pool.call('ln_bwd_params', C, 4, {
        dgain: g(gain),
        dbias: g(bias),
        dout: tr.dC,
        inp,
        mean,
        rstd,
        M: BT,
        C,
      });
    };
    pool.call('logit_grad', BT, 1, { logits: tr.logits, lse: tr.lse, targets: tr.tgt, w: tr.w, V });
    pool.call('mm_tn', C, 4, { out: g(W.headw), a: tr.lnf, b: tr.logits, M: BT, K: C, N: V, biasGrad: 0 });
    pool.call('mm_nn', BT, 4, {
      out: tr.dC,
      a: tr.logits,
      w: W.headT,
      bias: 0,
      residual: 0,
      K: V,
      N: C,
      geluIn: 0,
      geluOut: 0,
    });
    this.core.f32.fill(0, tr.dres / 4, tr.dres / 4 + BT * C);
    const nL = this.config.nLayers;
    const lastOut = nL > 0 ? this.plan.acts[nL - 1]!.rout : tr.r0;
    normBack(lastOut, tr.lnfm, tr.lnfr, W.lnfg, W.lnfb);
    for (let l = nL - 1; l >= 0; l--) {
      const P = W.layers[l]!,
        A = this.plan.acts[l]!;
      const rin = l > 0 ? this.plan.acts[l - 1]!.rout : tr.r0;
      // MLP: rout = rmid + fcg·Wfp + bfp; geluIn: × gelu'(fch), fused
      pool.call('mm_tn', 4 * C, 4, {
        out: g(P.fpw),
        a: A.fcg,
        b: tr.dres,
        M: BT,
        K: 4 * C,
        N: C,
        biasGrad: g(P.fpb),
      });
      pool.call('mm_nn', BT, 4, {
        out: tr.dA,
        a: tr.dres,
        w: P.fpT,
        bias: 0,
        residual: 0,
        K: C,
        N: 4 * C,
        geluIn: A.fch,
        geluOut: 0,
      });
      pool.call('mm_tn', C, 4, {
        out: g(P.fcw),
        a: A.ln2,
        b: tr.dA,
        M: BT,
        K: C,
        N: 4 * C,
        biasGrad: g(P.fcb),
      });
      pool.call('mm_nn', BT, 4, {
        out: tr.dC,
        a: tr.dA,
        w: P.fcT,
        bias: 0,
        residual: 0,
        K: 4 * C,
        N: C,
        geluIn: 0,
        geluOut: 0,
      });
      normBack(A.rmid, A.ln2m, A.ln2r, P.ln2g, P.ln2b);
      // attention: rmid = rin + atty·Wproj + bproj
      pool.call('mm_tn', C, 4, {
        out: g(P.projw),
        a: A.atty,
        b: tr.dres,
        M: BT,
        K: C,
        N: C,
        biasGrad: g(P.projb),
      });
      pool.call('mm_nn', BT, 4, {
        out: tr.dC,
        a: tr.dres,
        w: P.projT,
        bias: 0,
        residual: 0,
        K: C,
        N: C,
        geluIn: 0,
        geluOut: 0,
      });
      pool.call('attn_bwd', B * NH, 1, {
        dqkv: tr.dB,
        datt: tr.datt,
        dout: tr.dC,
        qkv: A.qkv,
        att: A.att,
        T,
        C,
        NH,
      });
      pool.call('mm_tn', C, 4, {
        out: g(P.qkvw),
        a: A.ln1,
        b: tr.dB,
        M: BT,
        K: C,
        N: 3 * C,
        biasGrad: g(P.qkvb),
      });
      pool.call('mm_nn', BT, 4, {
        out: tr.dC,
        a: tr.dB,
        w: P.qkvT,
        bias: 0,
        residual: 0,
        K: 3 * C,
        N: C,
        geluIn: 0,
        geluOut: 0,
      });
      normBack(rin, A.ln1m, A.ln1r, P.ln1g, P.ln1b);
    }
    pool.call('embed_bwd', C, 4, {
      dwte: g(W.wte),
      dwpe: g(W.wpe),
      dout: tr.dres,
      tok: tr.tok,
      pos: tr.pos,
      M: BT,
      C,
    });
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

  /**
   * Runs the forward pass over `seqs` one micro-batch at a time; `after(batch, s0, T)` then reads
   * the outputs of that micro-batch (rows b·T + t, b < batch.length) and may run the backward.
   */
  private eachMicroBatch(seqs: number[][], after: (batch: number[][], s0: number, T: number) => void): void {
    for (let s0 = 0; s0 < seqs.length; s0 += this.microBatch) {
      const batch = seqs.slice(s0, s0 + this.microBatch);
      const T = Math.max(1, Math.max(...batch.map((s) => s.length)) - 1);
      this.loadBatch(batch, T);
      this.forward(batch.length, T);
      after(batch, s0, T);
    }
  }

  /** log p(target) at row m of the forward just run. */
  private targetLogp(m: number): number {
    const { f32, i32 } = this.core;
    const tr = this.plan.train;
    return f32[tr.logits / 4 + m * this.config.vocabSize + i32[tr.tgt / 4 + m]!]! - f32[tr.lse / 4 + m]!;
  }

  private trainPass(
    seqs: number[][],
    weigh: (seqIndex: number, pos: number, logp: number) => number,
  ): number {
    let flops = 0;
    const w = this.plan.train.w / 4;
    this.eachMicroBatch(seqs, (batch, s0, T) => {
      const B = batch.length;
      for (let b = 0; b < B; b++) {
        const L = batch[b]!.length;
        for (let t = 0; t < T; t++) {
          const m = b * T + t;
          this.core.f32[w + m] = t + 1 < L ? weigh(s0 + b, t + 1, this.targetLogp(m)) : 0;
        }
      }
      this.backward(B, T);
      const f = this.fwdFlops(B, T),
        bw = this.bwdFlops(B, T);
      this.count('forward', f);
      this.count('backward', bw);
      flops += f + bw;
    });
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
    this.eachMicroBatch(sequences, (batch, s0, T) => {
      batch.forEach((seq, b) => {
        const L = seq.length;
        const st = start[s0 + b]!;
        if (!Number.isInteger(st) || st < 1 || st > L) {
          throw new Error(
            `${what}: start[${s0 + b}] = ${st} must be an integer in [1, ${L}] (sequence length ${L})`,
          );
        }
        const lp = new Float32Array(L - st);
        for (let t = st; t < L; t++) lp[t - st] = this.targetLogp(b * T + t - 1);
        out.push(lp);
      });
      const f = this.fwdFlops(batch.length, T);
      this.count('logprobs', f);
      flops += f;
    });
    return { logprobs: out, flops };
  }

  // ------------------------------------------------------------------ optimizer and sampling

  /** Global gradient L2 norm (over all parameters), computed in fixed chunks (thread-count independent). */
  gradNorm(): number {
    return gradNorm(this.core);
  }

  /**
   * AdamW with decoupled weight decay (p ← p − lr·(m̂/(√v̂ + eps) + wd·p)) on the weight matrices
   * (qkv, attention projection, MLP, head); embeddings, layer-norm gains/biases and biases are not
   * decayed. The gradient is first scaled so that its global norm is at most gradClip.
   * Gradients are left as they are (call zeroGrad() before the next accumulation).
   */
  optimizerStep(o: OptimizerStepOptions): { gradNorm: number; clipScale: number } {
    if (this.checkWeights) this.checkWeightsUnchanged();
    const result = adamwStep(this.core, this.step + 1, o);
    this.step++;
    this.refreshTransposed();
    if (this.checkWeights) this.snapshotWeights();
    return result;
  }

  /** Takes the reference copy the next optimizer step compares with (see `weightSnapshot`). */
  private snapshotWeights(): void {
    const base = this.plan.pParams / 4;
    this.weightSnapshot = this.core.f32.slice(base, base + this.plan.P);
  }

  private checkWeightsUnchanged(): void {
    const snap = this.weightSnapshot;
    if (!snap) return;
    const f = this.core.f32;
    const base = this.plan.pParams / 4;
    let first = -1,
      count = 0;
    for (let i = 0; i < snap.length; i++) {
      if (!Object.is(f[base + i], snap[i])) {
        if (first < 0) first = i;
        count++;
      }
    }
    if (count === 0) return;
    const t = this.tensors.find((x) => first >= x.offset && first < x.offset + x.size);
    throw new Error(
      `engine: ${count} parameter value(s) changed outside the optimizer before step ${this.step + 1}; ` +
        `first at ${t ? `${t.name}[${first - t.offset}]` : `float ${first}`}: ` +
        `${snap[first]} → ${f[base + first]} (an out-of-bounds write into the weights)`,
    );
  }

  /**
   * Batched autoregressive sampling with a KV cache (see sampler.ts). Randomness: one counter-based
   * uniform per generated token keyed by (seed, sequence index, token index), so results do not
   * depend on the thread count, on sampleBatch or on the other prompts.
   */
  sample(o: SampleOptions): SampleResult {
    const result = this.sampler.sample(o);
    this.count('sample', result.flops);
    return result;
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

/** Creates a model with freshly initialised parameters (GPT-2 style: N(0, 0.02), residual projections
 * N(0, 0.02/√(2·nLayers)), position embeddings N(0, 0.01), layer-norm gains 1, biases 0). */
export async function createModel(config: ModelConfig, opts: CreateModelOptions): Promise<Model> {
  return Model.build(config, opts);
}
