// Learning-rate schedules: linear warmup then cosine decay to a floor, or constant.

export interface LrScheduleOptions {
  /** Peak learning rate. */
  lr: number;
  /** Steps of linear warmup from lr/warmupSteps to lr (0 = none). */
  warmupSteps?: number;
  /** Total steps; the cosine reaches `minLr` at this step and stays there. */
  totalSteps?: number;
  /** Floor of the cosine (default 0.1·lr). */
  minLr?: number;
  kind?: 'cosine' | 'constant';
}

/** Returns lr(step) for step = 0, 1, 2, … (the step about to be taken). */
export function lrSchedule(opts: LrScheduleOptions): (step: number) => number {
  const { lr, warmupSteps = 0, totalSteps = 0, kind = 'cosine' } = opts;
  const minLr = opts.minLr ?? 0.1 * lr;
  return (step: number) => {
    if (warmupSteps > 0 && step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
    if (kind === 'constant' || totalSteps <= warmupSteps) return lr;
    const p = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * p));
  };
}
