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
  const [bc1, bc2] = [1 - Math.pow(b1, step), 1 - Math.pow(b2, step)];
  const D = plan.decayFloats;
  const [p, g, m, v] = [plan.pParams, plan.pGrads, plan.pM, plan.pV];
  const { lr } = o;
  pool.call('adamw', D, 16, { p, g, m, v, lr, b1, b2, eps, wd: o.weightDecay, bc1, bc2, gscale: scale });
  const rest = { p: p + D * 4, g: g + D * 4, m: m + D * 4, v: v + D * 4 };
  pool.call('adamw', plan.P - D, 16, { ...rest, lr, b1, b2, eps, wd: 0, bc1, bc2, gscale: scale });
  return { gradNorm: norm, clipScale: scale };
}
