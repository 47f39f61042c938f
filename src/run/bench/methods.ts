/**
 * The methods a benchmark compares. Each is a name, what it is, and `key.path=value` overrides on
 * top of the preset's shared config; nothing else differs between methods. To add a variant, append
 * an entry (and name it in the presets that should run it).
 */

export interface BenchMethod {
  name: string;
  description: string;
  /** `key.path=value` overrides on top of the preset's shared config. */
  sets: string[];
  /** Needs the sGPO profile of the training prompts (its FLOPs are charged to each run that uses it). */
  profile?: 'sgpo' | 'vip-prior';
  /**
   * 'budget' (default): stops at the preset's FLOP budget like every other method. 'schedule': the
   * method's own schedule decides when it ends (it stops when its strategy says so, or at a cap of
   * `scheduleCap` × the budget); its total compute is reported next to the baseline's.
   */
  protocol?: 'budget' | 'schedule';
  /** Which baseline this method is measured against when not the preset's (e.g. VIP on RLOO). */
  baseline?: string;
}

/** How far past the shared budget a method on its own schedule may run before it is cut off. */
export const SCHEDULE_CAP = 2;

/** VIP as its paper defines it on an estimator: that estimator's objective and advantages. */
function vipOn(estimator: 'rloo' | 'drgrpo', label: string): BenchMethod {
  return {
    name: `vip-${estimator}`,
    description: `VIP as defined on ${label}: ${label} objective and advantages`,
    sets: [
      'allocator.type=vip',
      `allocator.objective=${estimator}`,
      `estimator.type=${estimator}`,
      // Dr.GRPO's variance factor (n − 1)/n² is convex in n only from n = 3 on
      ...(estimator === 'drgrpo' ? ['allocator.lower=3'] : []),
    ],
    baseline: estimator,
  };
}

/** Asymmetric prompt weights ω(p̂)·(r − p̂) under uniform allocation, against Dr.GRPO (ω = 1). */
function weightedOnDrgrpo(weighting: 'linear-r' | 'sqrt-r', label: string): BenchMethod {
  return {
    name: `drgrpo+${weighting}`,
    description: `uniform, G = 8, ${label} asymmetric prompt weights on Dr.GRPO advantages`,
    sets: ['allocator.type=uniform', 'estimator.type=drgrpo', `weighting.type=${weighting}`],
    baseline: 'drgrpo',
  };
}

export const BENCH_METHODS: BenchMethod[] = [
  { name: 'grpo', description: 'uniform GRPO, G = 8 (baseline)', sets: ['allocator.type=uniform'] },
  {
    name: 'grpo-g16',
    description: 'uniform GRPO, G = 16',
    sets: ['allocator.type=uniform', 'allocator.groupSize=16'],
  },
  {
    name: 'dapo',
    description: 'DAPO dynamic sampling: oversample, keep groups with signal',
    sets: ['allocator.type=dynamic'],
  },
  {
    name: 'rloo',
    description: 'uniform, G = 8, RLOO advantages',
    sets: ['allocator.type=uniform', 'estimator.type=rloo'],
  },
  {
    name: 'drgrpo',
    description: 'uniform, G = 8, Dr.GRPO advantages',
    sets: ['allocator.type=uniform', 'estimator.type=drgrpo'],
  },
  {
    name: 'sgpo',
    description: 'sGPO: profile, filter, G ≈ 1/p̂, easy → hard, fixed shares of the budget',
    sets: ['allocator.type=sgpo'],
    profile: 'sgpo',
  },
  {
    name: 'sgpo-schedule',
    description: 'sGPO on its own schedule: each phase until its training signal stops rising, then stop',
    sets: ['allocator.type=sgpo', 'allocator.phaseEnd=signal'],
    profile: 'sgpo',
    protocol: 'schedule',
  },
  {
    name: 'vip',
    description: 'VIP (RLOO objective) with GRPO advantages',
    sets: ['allocator.type=vip'],
  },
  vipOn('rloo', 'RLOO'),
  vipOn('drgrpo', 'Dr.GRPO'),
  weightedOnDrgrpo('linear-r', 'Linear-R'),
  weightedOnDrgrpo('sqrt-r', 'Sqrt-R'),
  {
    name: 'sgpo+sqrt-r',
    description: 'sGPO with Sqrt-R asymmetric prompt weights',
    sets: ['allocator.type=sgpo', 'weighting.type=sqrt-r'],
    profile: 'sgpo',
  },
  {
    name: 'vip+profile',
    description: 'combination: VIP with the sGPO profile as its prior',
    sets: ['allocator.type=vip', 'allocator.prior.type=profile'],
    profile: 'vip-prior',
  },
  {
    name: 'sgpo-online+sqrt-r',
    description: 'combination: sGPO with p̂ re-estimated online, Sqrt-R weights',
    sets: ['allocator.type=sgpo', 'allocator.online=true', 'weighting.type=sqrt-r'],
    profile: 'sgpo',
  },
  ...sgpoKeepVariants(),
];

/** sGPO with the switches that keep what it learned (and their combinations), one method each. */
function sgpoKeepVariants(): BenchMethod[] {
  const cumulative = 'allocator.cumulative=true';
  const replay = 'allocator.replay.trivial=0.25';
  const variant = (name: string, description: string, sets: string[]): BenchMethod => ({
    name: `sgpo+${name}`,
    description: `sGPO, ${description}`,
    sets: ['allocator.type=sgpo', ...sets],
    profile: 'sgpo',
  });
  return [
    variant('cumulative', 'later phases keep the earlier phases’ prompts, each at its own G', [cumulative]),
    variant('replay', 'a quarter of the trivial prompts replayed in every phase at G = 2', [replay]),
    variant('cumulative+replay', 'cumulative phases and replay of a quarter of the trivial prompts', [
      cumulative,
      replay,
    ]),
    variant('cumulative+replay+reprofile', 'cumulative, replay, re-profiled (k = 4) at each phase start', [
      cumulative,
      replay,
      'allocator.reprofile.scope=next',
    ]),
    variant('cumulative+replay+vip', 'cumulative, replay, VIP’s split of each step’s budget', [
      cumulative,
      replay,
      'allocator.perStep=vip',
    ]),
    variant('cumulative+replay+sqrt-r', 'cumulative, replay, Sqrt-R asymmetric prompt weights', [
      cumulative,
      replay,
      'weighting.type=sqrt-r',
    ]),
    variant(
      'cumulative+replay+vip+sqrt-r',
      'cumulative, replay, VIP’s split, Sqrt-R asymmetric prompt weights on top',
      [cumulative, replay, 'allocator.perStep=vip', 'weighting.type=sqrt-r'],
    ),
  ];
}

export function benchMethod(name: string): BenchMethod {
  const m = BENCH_METHODS.find((b) => b.name === name);
  if (!m)
    throw new Error(
      `bench: unknown method '${name}' (known: ${BENCH_METHODS.map((b) => b.name).join(', ')})`,
    );
  return m;
}
