// AdamW over the whole parameter block, and the global gradient norm it clips by.
import { NORM_CHUNK, type Core } from './plan.js';
import type { OptimizerStepOptions } from './types.js';

/** Global gradient L2 norm (over all parameters), computed in fixed chunks (thread-count independent). */
export function gradNorm({ pool, f32, plan }: Core): number {
  const nChunks = Math.ceil(plan.P / NORM_CHUNK);
  pool.call('sumsq_chunks', nChunks, 1, { out: plan.pNorm, x: plan.pGrads, n: plan.P, chunk: NORM_CHUNK });
  let s = 0;
  for (let c = 0; c < nChunks; c++) s += f32[plan.pNorm / 4 + c]!;
  return Math.sqrt(s);
}

/**
 * One AdamW step, the `step`-th (1-based, for the bias corrections): decoupled weight decay on the
 * decayed block (the weight matrices, stored first), none on the rest. The gradient is scaled so
 * that its global norm is at most gradClip; a non-finite norm leaves the parameters unchanged.
 */
export function adamwStep(
  core: Core,
  step: number,
  o: OptimizerStepOptions,
): { gradNorm: number; clipScale: number } {
  const b1 = o.beta1 ?? 0.9,
    b2 = o.beta2 ?? 0.95,
    eps = o.eps ?? 1e-8;
  const norm = gradNorm(core);
  if (!Number.isFinite(norm))
    throw new Error(`optimizerStep: gradient norm is ${norm}; parameters left unchanged`);
  const scale = o.gradClip > 0 && norm > o.gradClip ? o.gradClip / norm : 1;
  const { plan, pool } = core;
  const shared = {
    lr: o.lr,
    b1,
    b2,
    eps,
    bc1: 1 - Math.pow(b1, step),
    bc2: 1 - Math.pow(b2, step),
    gscale: scale,
  };
  const D = plan.decayFloats;
  const at = (offset: number) => ({
    p: plan.pParams + offset * 4,
    g: plan.pGrads + offset * 4,
    m: plan.pM + offset * 4,
    v: plan.pV + offset * 4,
  });
  pool.call('adamw', D, 16, { ...at(0), ...shared, wd: o.weightDecay });
  pool.call('adamw', plan.P - D, 16, { ...at(D), ...shared, wd: 0 });
  return { gradNorm: norm, clipScale: scale };
}
