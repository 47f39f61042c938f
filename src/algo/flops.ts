/**
 * FLOP formulas for a decoder-only transformer (counted as 2 FLOPs per multiply-add).
 *
 * Parameters N (non-embedding) for shape {vocabSize V, dModel d, nLayers L, nHeads, contextLength, dFF = 4d}:
 *   matrices per layer: attention Q, K, V, O = 4d², MLP up + down = 2·d·dFF      (= 12·L·d² when dFF = 4d)
 *   biases per layer (biases: true): 4d (QKVO) + dFF + d (MLP)
 *   LayerNorms (layerNorms: true): 2 per layer × (gain + bias) = 4d per layer, plus a final LN of 2d
 *   Token/position embeddings and the output head are NOT in N.
 * Per token at position t (t = number of keys it attends to, itself included, 1-based):
 *   forward = 2N + attention(t) + head
 *   attention(t) = 4·L·t·d: QKᵀ (t·d multiply-adds) + the weighted sum of V (t·d multiply-adds) per layer.
 *     (Kaplan et al. write 2·L·n_ctx·d: the same count averaged over a causal sequence, mean t ≈ n_ctx/2.)
 *     The attention count does not depend on nHeads (nHeads·d_head = d); softmax/LN/activations are ignored.
 *   head = 2·d·V for the output projection (counted by default wherever logits are needed: `head: false`
 *     to leave it out).
 * Phases:
 *   generation of G tokens after a P-token prompt (KV cache): forwards at positions 1..P+G−1 (the last
 *     sampled token is never fed back) and G heads (the logits that sample each new token);
 *   log-prob forward over a P + G sequence: forwards at positions 1..P+G, heads on the G response positions;
 *   training forward + backward: 3 × the log-prob forward (backward = 2 × forward, for the 2N, attention
 *     and head terms alike), i.e. 6N per token + 3 × attention + 3 × head.
 */

export interface ModelShape {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  contextLength: number;
  /** MLP hidden width (default 4·dModel). */
  dFF?: number;
}

export interface ParamCountOptions {
  biases?: boolean;
  layerNorms?: boolean;
}

export interface FlopOptions extends ParamCountOptions {
  /** Count the output head 2·d·V where logits are needed (default true). */
  head?: boolean;
}

function checkShape(s: ModelShape): void {
  for (const k of ['vocabSize', 'dModel', 'nLayers', 'nHeads', 'contextLength'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1)
      throw new Error(`model shape: ${k} must be an integer >= 1, got ${s[k]}`);
  }
  if (s.dModel % s.nHeads !== 0)
    throw new Error(`model shape: dModel ${s.dModel} not divisible by nHeads ${s.nHeads}`);
}

/** Non-embedding parameter count N (see the header for what is counted). */
export function nonEmbeddingParams(shape: ModelShape, opts: ParamCountOptions = {}): number {
  checkShape(shape);
  const d = shape.dModel;
  const L = shape.nLayers;
  const ff = shape.dFF ?? 4 * d;
  let perLayer = 4 * d * d + 2 * d * ff;
  if (opts.biases ?? true) perLayer += 4 * d + ff + d;
  if (opts.layerNorms ?? true) perLayer += 4 * d;
  return L * perLayer + ((opts.layerNorms ?? true) ? 2 * d : 0);
}

/** Attention FLOPs (forward) for one token at 1-based position t: 4·L·t·d. */
export function attentionFlops(shape: ModelShape, t: number): number {
  return 4 * shape.nLayers * t * shape.dModel;
}

/** Output head FLOPs for one token: 2·d·V. */
export function headFlops(shape: ModelShape): number {
  return 2 * shape.dModel * shape.vocabSize;
}

/** Σ_{t=from}^{to} attentionFlops(t), closed form. */
export function attentionFlopsRange(shape: ModelShape, from: number, to: number): number {
  if (to < from) return 0;
  const sumT = ((from + to) * (to - from + 1)) / 2;
  return 4 * shape.nLayers * shape.dModel * sumT;
}

/** Forward FLOPs for one token at position t: 2N + attention(t) + head (if counted). */
export function tokenForwardFlops(shape: ModelShape, t: number, opts: FlopOptions = {}): number {
  return (
    2 * nonEmbeddingParams(shape, opts) +
    attentionFlops(shape, t) +
    ((opts.head ?? true) ? headFlops(shape) : 0)
  );
}

function checkLengths(shape: ModelShape, promptLen: number, responseLen: number): void {
  if (!Number.isInteger(promptLen) || promptLen < 0 || !Number.isInteger(responseLen) || responseLen < 0) {
    throw new Error(`lengths must be integers >= 0, got prompt ${promptLen}, response ${responseLen}`);
  }
  if (promptLen + responseLen > shape.contextLength) {
    throw new Error(
      `sequence of ${promptLen + responseLen} tokens exceeds contextLength ${shape.contextLength}`,
    );
  }
}

/** Forwards at positions 1..`forwards` (each attending to all before it) plus `heads` output heads. */
function passFlops(shape: ModelShape, forwards: number, heads: number, opts: FlopOptions): number {
  return (
    2 * nonEmbeddingParams(shape, opts) * forwards +
    attentionFlopsRange(shape, 1, forwards) +
    ((opts.head ?? true) ? headFlops(shape) * heads : 0)
  );
}

/** FLOPs of one phase for a prompt of `promptLen` tokens and a response of `responseLen` tokens. */
export type PhaseFlops = (
  shape: ModelShape,
  promptLen: number,
  responseLen: number,
  opts?: FlopOptions,
) => number;

/** Generation of `responseLen` tokens after a `promptLen`-token prompt, with a KV cache. */
export const generationFlops: PhaseFlops = (shape, promptLen, responseLen, opts = {}) => {
  checkLengths(shape, promptLen, responseLen);
  if (responseLen === 0) return 0;
  // the last sampled token is never fed back
  return passFlops(shape, promptLen + responseLen - 1, responseLen, opts);
};

/** Log-prob forward over a prompt + response (heads on the response positions only). */
export const logprobFlops: PhaseFlops = (shape, promptLen, responseLen, opts = {}) => {
  checkLengths(shape, promptLen, responseLen);
  return passFlops(shape, promptLen + responseLen, responseLen, opts);
};

/** Training forward + backward over a prompt + response: 3 × the log-prob forward. */
export const trainFlops: PhaseFlops = (shape, promptLen, responseLen, opts = {}) =>
  3 * logprobFlops(shape, promptLen, responseLen, opts);
