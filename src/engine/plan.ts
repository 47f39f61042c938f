// The memory plan of the embedded GPT: one bump-allocated layout of parameters, gradients, Adam
// moments, transposed weight copies, the training / log-prob activations and (sharing their region)
// the sampler's KV cache and buffers. Every buffer is a byte offset into the shared WebAssembly
// memory, named by a typed interface so a misspelt buffer is a compile error.
import type { Pool } from './pool.js';
import type { ModelConfig, TensorInfo } from './types.js';

export const BASE = 65536; // bytes reserved below the plan for the kernels' static data
/** Floats per chunk of the gradient-norm reduction (fixed, so the norm does not depend on threads). */
export const NORM_CHUNK = 16384;

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

/** Byte offsets of one layer's weights, and of the transposed copies the backward pass reads. */
export interface LayerParams {
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

/** Byte offsets of one layer's saved activations (training / log-prob pass). */
export interface LayerActs {
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

/** Buffers of the training / log-prob pass beyond the per-layer activations. */
export interface TrainBuffers {
  tok: number;
  pos: number;
  tgt: number;
  /** Per row: dLoss/dlog p(target), the seed of the backward pass. */
  w: number;
  lse: number;
  r0: number;
  lnf: number;
  lnfm: number;
  lnfr: number;
  logits: number;
  dres: number;
  dA: number;
  dB: number;
  dC: number;
  datt: number;
}

/** Buffers of one decode step of the sampler (rows = sequences being decoded). */
export interface SampleBuffers {
  tok: number;
  pos: number;
  slots: number;
  x: number;
  ln: number;
  lnm: number;
  lnr: number;
  qkv: number;
  atty: number;
  att: number;
  fch: number;
  fcg: number;
  logits: number;
  lse: number;
}

/** Where every weight lives: per layer, the embeddings, the final norm and the head. */
export interface Weights {
  layers: LayerParams[];
  wte: number;
  wpe: number;
  lnfg: number;
  lnfb: number;
  headw: number;
  headT: number;
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
    throw new Error(
      `ModelConfig: the head size dModel/nHeads (${c.dModel / c.nHeads}) must be a multiple of 4`,
    );
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

export interface Plan {
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
  train: TrainBuffers;
  sample: SampleBuffers;
  kc: number[];
  vc: number[];
  bytes: number;
}

export function makePlan(c: ModelConfig, microBatch: number, sampleBatch: number): Plan {
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
  const trainInputs = {
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
  const train: TrainBuffers = {
    ...trainInputs,
    lnf: a.f(BT * C),
    lnfm: a.f(BT),
    lnfr: a.f(BT),
    logits: a.f(BT * V),
    dres: a.f(BT * C),
    dA: a.f(BT * 4 * C),
    dB: a.f(BT * 3 * C),
    dC: a.f(BT * C),
    datt: a.f(microBatch * NH * T * T),
  };
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
  const sample: SampleBuffers = {
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

/** Each LayerParams weight field and the name of its tensor within layer h.<l>. */
const LAYER_TENSORS = {
  ln1g: 'ln1.g',
  ln1b: 'ln1.b',
  qkvw: 'attn.qkv.w',
  qkvb: 'attn.qkv.b',
  projw: 'attn.proj.w',
  projb: 'attn.proj.b',
  ln2g: 'ln2.g',
  ln2b: 'ln2.b',
  fcw: 'mlp.fc.w',
  fcb: 'mlp.fc.b',
  fpw: 'mlp.proj.w',
  fpb: 'mlp.proj.b',
} as const satisfies Record<Exclude<keyof LayerParams, 'qkvT' | 'projT' | 'fcT' | 'fpT'>, string>;

/** Byte offsets of every weight (and transposed copy) in a plan. */
export function weightsOf(plan: Plan, c: ModelConfig): Weights {
  const byName = new Map(plan.layout.map((t) => [t.name, t]));
  const p = (name: string) => plan.pParams + byName.get(name)!.offset * 4;
  const layers: LayerParams[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    const own = Object.entries(LAYER_TENSORS).map(([field, name]) => [field, p(`h.${l}.${name}`)]);
    layers.push({
      ...(Object.fromEntries(own) as Record<keyof typeof LAYER_TENSORS, number>),
      ...plan.transposed[l]!,
    });
  }
  return {
    layers,
    wte: p('wte'),
    wpe: p('wpe'),
    lnfg: p('lnf.g'),
    lnfb: p('lnf.b'),
    headw: p('head.w'),
    headT: plan.headT,
  };
}

/** The shared state the model, the sampler and the optimizer work on. */
export interface Core {
  config: ModelConfig;
  pool: Pool;
  f32: Float32Array;
  i32: Int32Array;
  plan: Plan;
  weights: Weights;
}
