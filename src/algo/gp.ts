/**
 * VIP success predictor: p = sigmoid(g(x)), g a GP over prompt feature vectors with an RBF kernel
 * k(x, x') = exp(−‖x − x'‖² / (2h²)), h = median pairwise distance (or a fixed bandwidth).
 * Recursive mean update after a step with observed success rates y_B on batch B:
 *   g_B = logit(clip(y_B, ε, 1 − ε)),  α = (K_BB + σ²I)⁻¹ (g_B − m_B),  m ← m + K_·B α,  m_B ← g_B.
 * Defaults: bandwidth 'median' (pairs subsampled with a seed above 200,000 pairs; 1 if the median is 0),
 * noise σ² = 0.1, ε = 0.01 (observed 0/8 → logit 0.01 ≈ −4.6), prior mean 0 (p = 0.5) or a per-prompt array
 * (e.g. `logitPrior(profile p̂)`), predictions clipped to [1e−6, 1 − 1e−6].
 *
 * The checkpointable state is a plain object of arrays (`gpToState` / `gpFromState`); the model adds
 * derived caches (flat features, squared norms, lazily cached kernel columns, scratch buffers) so the
 * hot path allocates nothing. `gpUpdate` mutates the model's mean in place.
 */
import { choleskyInPlace, choleskySolveInPlace } from './linalg.js';
import { createRng } from '../tasks/rng.js';

export interface GpState {
  version: 1;
  ids: string[];
  features: number[][];
  /** Current latent mean g per prompt. */
  mean: number[];
  /** Prior latent mean per prompt. */
  prior: number[];
  bandwidth: number;
  noise: number;
  eps: number;
}

export interface GpOptions {
  bandwidth?: number | 'median';
  noise?: number;
  eps?: number;
  /** Constant or per-prompt prior mean of g (logit scale). Default 0. */
  priorMean?: number | ArrayLike<number>;
  /** Seed for the median-heuristic pair subsample. */
  seed?: number;
  /** Pairs used by the median heuristic before subsampling (default 200,000). */
  maxPairs?: number;
  /** Cache kernel columns when the number of prompts is at most this (default 4096). */
  cacheLimit?: number;
}

export const GP_DEFAULTS = {
  noise: 0.1,
  eps: 0.01,
  priorMean: 0,
  seed: 0,
  maxPairs: 200_000,
  cacheLimit: 4096,
};
export const PREDICTION_CLIP = 1e-6;

export interface GpModel {
  readonly ids: string[];
  readonly index: Map<string, number>;
  readonly P: number;
  readonly D: number;
  readonly X: Float64Array;
  readonly sqNorm: Float64Array;
  readonly m: Float64Array;
  readonly prior: Float64Array;
  readonly bandwidth: number;
  readonly noise: number;
  readonly eps: number;
  readonly cols: (Float64Array | undefined)[] | null;
  scratch: {
    K: Float64Array;
    r: Float64Array;
    t: Float64Array;
    cols: Float64Array;
    idx: Int32Array;
    colData: Float64Array[];
    colOff: Int32Array;
    cap: number;
  };
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** logit(clip(p, ε, 1 − ε)) elementwise: a prior mean from profile success rates. */
export function logitPrior(pHat: ArrayLike<number>, eps: number = GP_DEFAULTS.eps): number[] {
  return Array.from(pHat, (p) => logit(Math.min(1 - eps, Math.max(eps, p))));
}

/** Median of pairwise Euclidean distances (all pairs, or maxPairs seeded random pairs). */
export function medianPairwiseDistance(
  X: Float64Array,
  P: number,
  D: number,
  maxPairs: number = GP_DEFAULTS.maxPairs,
  seed: number = GP_DEFAULTS.seed,
): number {
  if (P < 2) return 1;
  const allPairs = (P * (P - 1)) / 2;
  const d: number[] = [];
  const dist = (i: number, j: number) => {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const t = X[i * D + k] - X[j * D + k];
      s += t * t;
    }
    return Math.sqrt(s);
  };
  if (allPairs <= maxPairs) {
    for (let i = 0; i < P; i++) for (let j = i + 1; j < P; j++) d.push(dist(i, j));
  } else {
    const rng = createRng(seed);
    while (d.length < maxPairs) {
      const i = rng.below(P);
      const j = rng.below(P);
      if (i !== j) d.push(dist(i, j));
    }
  }
  d.sort((a, b) => a - b);
  const h = d.length % 2 === 1 ? d[(d.length - 1) >> 1] : 0.5 * (d[d.length / 2 - 1] + d[d.length / 2]);
  return h > 0 ? h : 1;
}

/** Build a predictor for prompts `ids` with feature rows `features`. */
export function createGp(
  ids: readonly string[],
  features: readonly (readonly number[])[],
  opts: GpOptions = {},
): GpModel {
  const o = { ...GP_DEFAULTS, ...opts };
  const P = ids.length;
  if (features.length !== P) throw new Error(`GP: ${P} ids but ${features.length} feature rows`);
  const D = P > 0 ? features[0].length : 0;
  const X = new Float64Array(P * D);
  for (let i = 0; i < P; i++) {
    if (features[i].length !== D)
      throw new Error(`GP: feature row ${i} (${ids[i]}) has ${features[i].length} dims, expected ${D}`);
    for (let k = 0; k < D; k++) {
      const v = features[i][k];
      if (!Number.isFinite(v)) throw new Error(`GP: feature row ${i} (${ids[i]}) dim ${k} is not finite`);
      X[i * D + k] = v;
    }
  }
  const bw =
    o.bandwidth === undefined || o.bandwidth === 'median'
      ? medianPairwiseDistance(X, P, D, o.maxPairs, o.seed)
      : o.bandwidth;
  const prior = new Float64Array(P);
  if (typeof o.priorMean === 'number') prior.fill(o.priorMean);
  else {
    if (o.priorMean.length !== P)
      throw new Error(`GP: prior mean has ${o.priorMean.length} entries for ${P} prompts`);
    for (let i = 0; i < P; i++) prior[i] = o.priorMean[i];
  }
  return buildModel([...ids], X, D, prior, Float64Array.from(prior), bw, o.noise, o.eps, o.cacheLimit);
}

function buildModel(
  ids: string[],
  X: Float64Array,
  D: number,
  prior: Float64Array,
  m: Float64Array,
  bandwidth: number,
  noise: number,
  eps: number,
  cacheLimit: number,
): GpModel {
  if (!(bandwidth > 0)) throw new Error(`GP: bandwidth must be > 0, got ${bandwidth}`);
  if (!(noise >= 0)) throw new Error(`GP: noise must be >= 0, got ${noise}`);
  if (!(eps > 0 && eps < 0.5)) throw new Error(`GP: eps must be in (0, 0.5), got ${eps}`);
  const P = ids.length;
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    if (index.has(id)) throw new Error(`GP: duplicate prompt id '${id}'`);
    index.set(id, i);
  });
  const sqNorm = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    let s = 0;
    for (let k = 0; k < D; k++) s += X[i * D + k] * X[i * D + k];
    sqNorm[i] = s;
  }
  return {
    ids,
    index,
    P,
    D,
    X,
    sqNorm,
    m,
    prior,
    bandwidth,
    noise,
    eps,
    cols: P <= cacheLimit ? new Array<Float64Array | undefined>(P) : null,
    scratch: {
      K: new Float64Array(0),
      r: new Float64Array(0),
      t: new Float64Array(0),
      cols: new Float64Array(0),
      idx: new Int32Array(0),
      colData: [],
      colOff: new Int32Array(0),
      cap: 0,
    },
  };
}

/** Kernel value between prompts i and j. */
export function gpKernel(model: GpModel, i: number, j: number): number {
  const { X, D } = model;
  let dot = 0;
  for (let k = 0; k < D; k++) dot += X[i * D + k] * X[j * D + k];
  const sq = Math.max(0, model.sqNorm[i] + model.sqNorm[j] - 2 * dot);
  return Math.exp(-sq / (2 * model.bandwidth * model.bandwidth));
}

function computeColumn(model: GpModel, j: number, out: Float64Array, offset: number): void {
  const { X, D, P, sqNorm } = model;
  const inv = -1 / (2 * model.bandwidth * model.bandwidth);
  const jo = j * D;
  for (let i = 0; i < P; i++) {
    const io = i * D;
    let dot = 0;
    for (let k = 0; k < D; k++) dot += X[io + k] * X[jo + k];
    out[offset + i] = i === j ? 1 : Math.exp(Math.max(0, sqNorm[i] + sqNorm[j] - 2 * dot) * inv);
  }
}

/** The kernel column K_·j (cached when the model caches columns). */
function column(model: GpModel, j: number, slot: number): { data: Float64Array; offset: number } {
  if (model.cols) {
    let c = model.cols[j];
    if (!c) {
      c = new Float64Array(model.P);
      computeColumn(model, j, c, 0);
      model.cols[j] = c;
    }
    return { data: c, offset: 0 };
  }
  const s = model.scratch.cols;
  computeColumn(model, j, s, slot * model.P);
  return { data: s, offset: slot * model.P };
}

function ensureScratch(model: GpModel, B: number): void {
  if (model.scratch.cap >= B) return;
  model.scratch = {
    K: new Float64Array(B * B),
    r: new Float64Array(B),
    t: new Float64Array(B),
    colData: new Array<Float64Array>(B),
    colOff: new Int32Array(B),
    cols: model.cols ? new Float64Array(0) : new Float64Array(B * model.P),
    idx: new Int32Array(B),
    cap: B,
  };
}

/** Resolve prompt ids (or indices) to indices; throws on unknown ids. */
export function gpIndices(model: GpModel, ids: ArrayLike<string | number>): Int32Array {
  const out = new Int32Array(ids.length);
  for (let b = 0; b < ids.length; b++) {
    const id = ids[b];
    const i = typeof id === 'number' ? id : model.index.get(id);
    if (i === undefined || !(i >= 0 && i < model.P)) throw new Error(`GP: unknown prompt '${String(id)}'`);
    out[b] = i;
  }
  return out;
}

/**
 * Recursive mean update with the observed success rates `y` of the prompts in `batch` (ids or indices,
 * no duplicates). Mutates model.m.
 */
export function gpUpdate(model: GpModel, batch: ArrayLike<string | number>, y: ArrayLike<number>): void {
  const B = batch.length;
  if (y.length !== B) throw new Error(`GP update: ${B} prompts but ${y.length} rates`);
  if (B === 0) return;
  ensureScratch(model, B);
  const { K, r, t, idx, colData, colOff } = model.scratch;
  for (let b = 0; b < B; b++) {
    const id = batch[b];
    const i = typeof id === 'number' ? id : model.index.get(id);
    if (i === undefined || !(i >= 0 && i < model.P))
      throw new Error(`GP update: unknown prompt '${String(id)}'`);
    for (let c = 0; c < b; c++) {
      if (idx[c] === i) throw new Error(`GP update: prompt '${model.ids[i]}' twice in one batch`);
    }
    idx[b] = i;
  }
  const m = model.m;
  const lo = model.eps;
  const hi = 1 - model.eps;
  for (let b = 0; b < B; b++) {
    const col = column(model, idx[b], b);
    colData[b] = col.data;
    colOff[b] = col.offset;
  }
  // g_B = logit(clip(y_B)), residual r = g_B − m_B, and K_BB + σ²I (column b of K is K_·B[b] at B).
  for (let b = 0; b < B; b++) {
    const yb = y[b];
    if (!(yb >= 0 && yb <= 1)) {
      throw new Error(`GP update: rate for '${model.ids[idx[b]]}' must be in [0, 1], got ${yb}`);
    }
    const c = Math.min(hi, Math.max(lo, yb));
    t[b] = Math.log(c / (1 - c));
    r[b] = t[b] - m[idx[b]];
    const data = colData[b];
    const off = colOff[b];
    for (let c2 = 0; c2 < B; c2++) K[c2 * B + b] = data[off + idx[c2]];
    K[b * B + b] += model.noise;
  }
  const KB = K.subarray(0, B * B);
  choleskyInPlace(KB, B);
  choleskySolveInPlace(KB, B, r); // r ← α
  const P = model.P;
  for (let b = 0; b < B; b++) {
    const a = r[b];
    const data = colData[b];
    const off = colOff[b];
    for (let i = 0; i < P; i++) m[i] += a * data[off + i];
  }
  for (let b = 0; b < B; b++) m[idx[b]] = t[b];
}

/** Predicted success probabilities sigmoid(m), clipped to [1e−6, 1 − 1e−6], for `ids` (default: all). */
export function gpPredict(
  model: GpModel,
  ids?: ArrayLike<string | number>,
  out?: Float64Array,
): Float64Array {
  const n = ids ? ids.length : model.P;
  const res = out ?? new Float64Array(n);
  if (res.length < n) throw new Error(`GP predict: output buffer has ${res.length} slots for ${n} prompts`);
  for (let b = 0; b < n; b++) {
    let i: number;
    if (!ids) i = b;
    else {
      const id = ids[b];
      const j = typeof id === 'number' ? id : model.index.get(id);
      if (j === undefined || !(j >= 0 && j < model.P))
        throw new Error(`GP predict: unknown prompt '${String(id)}'`);
      i = j;
    }
    res[b] = Math.min(1 - PREDICTION_CLIP, Math.max(PREDICTION_CLIP, sigmoid(model.m[i])));
  }
  return res;
}

/** Plain-object, JSON-safe state (deep copy). */
export function gpToState(model: GpModel): GpState {
  const features: number[][] = [];
  for (let i = 0; i < model.P; i++)
    features.push(Array.from(model.X.subarray(i * model.D, (i + 1) * model.D)));
  return {
    version: 1,
    ids: [...model.ids],
    features,
    mean: Array.from(model.m),
    prior: Array.from(model.prior),
    bandwidth: model.bandwidth,
    noise: model.noise,
    eps: model.eps,
  };
}

/** Rebuild a model from its state (caches are recomputed lazily). */
export function gpFromState(state: GpState, opts: { cacheLimit?: number } = {}): GpModel {
  if (state.version !== 1) throw new Error(`GP state: unsupported version ${String(state.version)}`);
  const P = state.ids.length;
  if (state.features.length !== P || state.mean.length !== P || state.prior.length !== P) {
    throw new Error(`GP state: ids, features, mean and prior must have the same length (${P})`);
  }
  const D = P > 0 ? state.features[0].length : 0;
  const X = new Float64Array(P * D);
  state.features.forEach((row, i) => {
    if (row.length !== D) throw new Error(`GP state: feature row ${i} has ${row.length} dims, expected ${D}`);
    X.set(row, i * D);
  });
  return buildModel(
    [...state.ids],
    X,
    D,
    Float64Array.from(state.prior),
    Float64Array.from(state.mean),
    state.bandwidth,
    state.noise,
    state.eps,
    opts.cacheLimit ?? GP_DEFAULTS.cacheLimit,
  );
}
