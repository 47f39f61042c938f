// The forward computation of the architecture, written once for the training / log-prob pass and
// the sampler's decode step: one pre-LN transformer block, and the final norm + output head.
import type { LayerParams, Weights } from './plan.js';
import type { Pool } from './pool.js';

/** Buffers of one block's forward over `rows` rows (a buffer may repeat: the sampler works in place). */
export interface BlockBuffers {
  inp: number;
  ln1: number;
  ln1m: number;
  ln1r: number;
  qkv: number;
  atty: number;
  /** inp + attention output (the first residual). */
  mid: number;
  ln2: number;
  ln2m: number;
  ln2r: number;
  fch: number;
  fcg: number;
  /** mid + MLP output (the block's output). */
  out: number;
}

/**
 * x_mid = x + proj(attn(LN1(x))); x_out = x_mid + W2·gelu(W1·LN2(x_mid)). `attend` runs the
 * causal attention from b.qkv into b.atty (the full sequence when training, one position when decoding).
 */
export function blockForward(
  pool: Pool,
  rows: number,
  C: number,
  P: LayerParams,
  b: BlockBuffers,
  attend: () => void,
): void {
  pool.call('ln_fwd', rows, 1, {
    out: b.ln1,
    mean: b.ln1m,
    rstd: b.ln1r,
    inp: b.inp,
    gain: P.ln1g,
    bias: P.ln1b,
    C,
  });
  linear(pool, rows, b.qkv, b.ln1, P.qkvw, P.qkvb, 0, C, 3 * C, 0);
  attend();
  linear(pool, rows, b.mid, b.atty, P.projw, P.projb, b.inp, C, C, 0);
  pool.call('ln_fwd', rows, 1, {
    out: b.ln2,
    mean: b.ln2m,
    rstd: b.ln2r,
    inp: b.mid,
    gain: P.ln2g,
    bias: P.ln2b,
    C,
  });
  linear(pool, rows, b.fch, b.ln2, P.fcw, P.fcb, 0, C, 4 * C, b.fcg); // fcg = gelu(fch), fused
  linear(pool, rows, b.out, b.fcg, P.fpw, P.fpb, b.mid, 4 * C, C, 0);
}

/** Final layer norm, logits and their log-sum-exp per row. */
export function headForward(
  pool: Pool,
  rows: number,
  C: number,
  V: number,
  W: Weights,
  b: { inp: number; ln: number; lnm: number; lnr: number; logits: number; lse: number },
): void {
  pool.call('ln_fwd', rows, 1, {
    out: b.ln,
    mean: b.lnm,
    rstd: b.lnr,
    inp: b.inp,
    gain: W.lnfg,
    bias: W.lnfb,
    C,
  });
  linear(pool, rows, b.logits, b.ln, W.headw, 0, 0, C, V, 0);
  pool.call('logsumexp_rows', rows, 1, { lse: b.lse, logits: b.logits, V });
}

/** out[rows×N] = a[rows×K]·w (+ bias) (+ residual); geluOut ≠ 0 also stores gelu(out) there. */
function linear(
  pool: Pool,
  rows: number,
  out: number,
  a: number,
  w: number,
  bias: number,
  residual: number,
  K: number,
  N: number,
  geluOut: number,
): void {
  pool.call('mm_nn', rows, 4, { out, a, w, bias, residual, K, N, geluIn: 0, geluOut });
}
