/**
 * Run configuration: one zod schema, validated at the edge (file + flags) before any model loads.
 * Every field carries its description (`flopwise config --defaults` prints them) and its default,
 * written once: nested objects default to `{}` and fill in their own fields. Cross-field rules
 * (estimator with weighting, VIP's budget, dataset file pairs, sGPO's group bounds) are checked here too.
 * An invalid config names the field.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_GRPO_EPS, estimatorNames, SINGLETON_POLICIES } from '../algo/advantages.js';
import {
  aggregationNames,
  DEFAULT_AGGREGATION,
  DEFAULT_KL_ESTIMATOR,
  klEstimatorNames,
} from '../algo/loss.js';

const positiveInt = z.number().int().positive();
const prob = z.number().min(0).max(1);

/** A name from one of algo's registries, checked when the config is parsed (so registered extensions count). */
function registeredName(what: string, names: () => string[]) {
  return z.string().refine((name) => names().includes(name), {
    error: (issue) => `unknown ${what} '${String(issue.input)}' (registered: ${names().join(', ')})`,
  });
}

/** A union field given without `type` (e.g. only `--set allocator.promptsPerStep=32`) means its default type. */
function defaultType<S extends z.ZodType>(type: string, schema: S) {
  return z.preprocess(
    (v) => (v && typeof v === 'object' && !Array.isArray(v) && !('type' in v) ? { type, ...v } : v),
    schema,
  );
}

export const EstimatorSchema = z
  .object({
    type: registeredName('advantage estimator', estimatorNames)
      .default('grpo')
      .describe(
        'advantage estimator (algo/advantages registry): grpo (r − r̄)/(std + ε), drgrpo r − r̄, rloo r − mean of the others; with a weighting the default is drgrpo',
      ),
    eps: z
      .number()
      .positive()
      .default(DEFAULT_GRPO_EPS)
      .describe('grpo: added to the std in the denominator'),
    std: z
      .enum(['population', 'sample'])
      .default('population')
      .describe(
        'grpo: population std (÷ n; default: for binary rewards exactly √(p̂(1−p̂)), the formula of the implicit prompt weight) or sample std (÷ n − 1, as verl and TRL)',
      ),
    singleton: z
      .enum(SINGLETON_POLICIES)
      .default('zero')
      .describe(
        "one-rollout groups: 'zero' advantages (default; no baseline, so no signal and no training compute), 'raw' (A = r, no baseline), or 'drop' (left out of the batch and the step's statistics)",
      ),
  })
  .strict();

export const WeightingSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none').describe('no prompt weights: the estimator alone') }),
  z.object({
    type: z
      .enum(['linear-r', 'sqrt-r', 'uniform-r'])
      .describe('asymmetric prompt weight ω(p̂) scaling the Dr.GRPO advantage: ω·(r − p̂)'),
    cap: z
      .number()
      .positive()
      .default(64)
      .describe('bound on |advantage| per rollout for tiny p̂ (see algo/weights)'),
  }),
]);

const SgpoSchema = z.object({
  type: z.literal('sgpo'),
  promptsPerStep: positiveInt.default(64).describe('prompts per training step'),
  profile: z
    .string()
    .optional()
    .describe('profile JSONL from `flopwise profile`; when absent, the run profiles the train set itself'),
  k: positiveInt.default(8).describe('samples per prompt in the profiling pass'),
  tau: prob.default(0.75).describe('trivial threshold: prompts with p̂ > tau are dropped'),
  alpha: prob.default(0.1).describe('share of the unsolved (p̂ = 0) prompts kept, a seeded random subset'),
  gMin: positiveInt.default(2).describe('smallest group size'),
  gMax: positiveInt.default(8).describe('largest group size'),
  rounding: z
    .enum(['pow2', 'exact'])
    .default('pow2')
    .describe("group size from 1/p̂: power-of-two buckets ('pow2') or round(1/p̂) ('exact')"),
  phaseEnd: z
    .enum(['share', 'plateau', 'signal'])
    .default('share')
    .describe(
      "how a phase ends: 'share' (equal shares of the run, the paper's reimplementation), 'plateau' (held-out accuracy stops rising; reads held-out data), 'signal' (the phase's own training signal stops improving; the run ends when the last phase's does)",
    ),
  plateauPatience: positiveInt
    .default(2)
    .describe("phaseEnd 'plateau': evaluations without a rise before the phase ends"),
  online: z
    .boolean()
    .default(false)
    .describe('beyond the paper: update p̂ from training rollouts and re-bucket prompts online'),
  cumulative: z
    .boolean()
    .default(false)
    .describe('beyond the paper: phase j trains on the prompts of phases 1..j, each at its own G'),
  replay: z
    .object({
      trivial: prob.default(0).describe('share of the trivial (dropped) prompts that joins every phase'),
      unsolved: prob
        .default(0)
        .describe('share of the unsolved prompts beyond the alpha subsample that joins every phase'),
      G: positiveInt.default(2).describe('group size of replayed prompts'),
    })
    .strict()
    .prefault({})
    .describe('beyond the paper: replay of dropped prompts at a small G (their rollouts are charged)'),
  reprofile: z
    .object({
      scope: z
        .enum(['off', 'next', 'all'])
        .default('off')
        .describe(
          "at each phase boundary, re-profile the next phase's prompts ('next') or every prompt ('all')",
        ),
      k: positiveInt.default(4).describe('samples per prompt in a re-profile (charged as profiling)'),
    })
    .strict()
    .prefault({})
    .describe('beyond the paper: re-profile under the current policy at phase boundaries and re-bucket'),
  signal: z
    .object({
      metric: z
        .enum(['reward', 'signalRate'])
        .default('reward')
        .describe('training signal watched by phaseEnd=signal: mean reward or share of groups with signal'),
      window: positiveInt.default(5).describe('steps averaged into one reading of the signal'),
      patience: positiveInt.default(10).describe('steps without a new best reading before the phase ends'),
      minDelta: z
        .number()
        .min(0)
        .default(0.01)
        .describe('rise over the best reading that counts as improving'),
    })
    .strict()
    .prefault({})
    .describe("phaseEnd 'signal': what is watched and how patiently"),
  perStep: z
    .enum(['plan', 'vip'])
    .default('plan')
    .describe(
      "rollouts per prompt in a step: the plan's G ('plan'), or VIP's variance-optimal split of the same budget with the profile as the GP prior ('vip')",
    ),
});

const VipSchema = z.object({
  type: z.literal('vip'),
  promptsPerStep: positiveInt.default(64).describe('prompts per training step (Q)'),
  rolloutsPerStep: positiveInt.default(512).describe('hard rollout budget per step (the paper: 8 × prompts)'),
  lower: positiveInt.default(2).describe('fewest rollouts per prompt (L)'),
  upper: positiveInt.default(32).describe('most rollouts per prompt (U)'),
  objective: z
    .enum(['drgrpo', 'rloo'])
    .default('rloo')
    .describe('variance objective f(n): (n−1)/n² (drgrpo) or 1/(n−1) (rloo)'),
  prior: z
    .discriminatedUnion('type', [
      z.object({
        type: z.literal('constant'),
        value: z.number().default(0).describe('prior mean of the success logit'),
      }),
      z.object({
        type: z.literal('profile'),
        profile: z
          .string()
          .optional()
          .describe('profile JSONL whose logit(p̂) is the prior mean (absent: profile now)'),
      }),
    ])
    .prefault({ type: 'constant' })
    .describe('prior mean of the GP over success logits'),
  noise: z.number().positive().default(0.5).describe('GP observation noise σ'),
  floor: positiveInt
    .default(2)
    .describe('minimum rollouts for any prompt in the batch, whatever its prediction'),
  gamma: z
    .number()
    .min(0)
    .default(0)
    .describe(
      "γ of the released code's γ·log(p̂)·n term, moving rollouts toward hard prompts (0 = the paper's objective)",
    ),
});

const groupSize = positiveInt.default(8).describe('rollouts per prompt');
const promptsPerStep = positiveInt.default(64).describe('prompts per training step');

export const AllocatorSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('uniform').describe('every prompt gets groupSize rollouts'),
    promptsPerStep,
    groupSize,
  }),
  z.object({
    type: z
      .literal('dynamic')
      .describe("DAPO's dynamic sampling: refill until groups with signal fill the batch"),
    promptsPerStep,
    groupSize,
    maxRounds: positiveInt
      .default(4)
      .describe('sampling rounds per step before training on whatever groups with signal were found'),
  }),
  SgpoSchema,
  VipSchema,
]);

const DataSchema = z
  .object({
    mixture: z
      .string()
      .default('ladder')
      .describe('procedural mixture (name or JSON/YAML file); ignored when `train` is a dataset file'),
    seed: z
      .number()
      .int()
      .default(1234)
      .describe(
        'seeds the prompts, separately from the run seed, so runs with other seeds see the same data',
      ),
    trainSize: positiveInt.default(4096).describe('procedural training prompts'),
    evalSize: positiveInt.default(512).describe('procedural held-out prompts'),
    evalSplit: z
      .enum(['test', 'validation'])
      .default('test')
      .describe(
        'prompts the run is evaluated on: the held-out test split (reported), or validation prompts (train-split prompts outside the RL pool) for choosing hyperparameters',
      ),
    train: z
      .string()
      .optional()
      .describe(
        'training dataset file (JSONL or Parquet) instead of the procedural mixture; needs `eval` too',
      ),
    eval: z.string().optional().describe('held-out dataset file (JSONL or Parquet); needs `train` too'),
    verifyTimeoutMs: positiveInt
      .default(2000)
      .describe('per-check time limit of the math verifier (dataset files only)'),
    scorer: z
      .enum(['verifier', 'family'])
      .default('verifier')
      .describe(
        "how dataset rows are scored: 'verifier' (the math verifier, whatever data_source says) or 'family' (data_source names a procedural family); a data_source written 'family:<name>' picks that family either way",
      ),
    percent: z
      .enum(['strip', 'fraction', 'either'])
      .default('strip')
      .describe('how the verifier reads "50%": strip (= 50), fraction (= 0.5) or either'),
    columns: z
      .object({
        prompt: z.string().describe('column holding the prompt'),
        answer: z.string().describe('column holding the reference answer'),
        id: z.string().describe('column holding a unique row id'),
        dataSource: z.string().describe('column naming the source dataset (kept in exports)'),
      })
      .partial()
      .strict()
      .optional()
      .describe(
        "column mapping for dataset files in other layouts, e.g. { prompt: 'question', answer: 'solution' }",
      ),
    onBadRow: z
      .enum(['error', 'skip'])
      .default('error')
      .describe(
        'bad rows in dataset files: stop with a message naming file, row and field, or skip and count them',
      ),
  })
  .strict()
  .refine((d) => (d.train === undefined) === (d.eval === undefined), {
    message: 'give both data.train and data.eval dataset files, or neither',
  });

const OptimSchema = z
  .object({
    lr: z.number().positive().default(3e-4).describe('learning rate (AdamW)'),
    warmupSteps: z.number().int().min(0).default(0).describe('linear learning-rate warm-up steps'),
    weightDecay: z.number().min(0).default(0).describe('AdamW weight decay'),
    gradClip: z.number().positive().default(1).describe('global gradient-norm clip'),
    clipLow: z.number().positive().default(0.2).describe('ratio clipped below at 1 − clipLow'),
    clipHigh: z
      .number()
      .positive()
      .default(0.28)
      .describe("ratio clipped above at 1 + clipHigh (DAPO's clip-higher)"),
    klCoef: z
      .number()
      .min(0)
      .default(0)
      .describe('β of the KL penalty to the base policy (0 = none, no reference forward)'),
    miniBatches: positiveInt
      .default(1)
      .describe("policy-gradient updates per step over mini-batches of the step's rollouts"),
    aggregation: registeredName('loss aggregation', aggregationNames)
      .default(DEFAULT_AGGREGATION)
      .describe(
        'how token terms of the loss are averaged: token-mean, seq-mean-token-mean, or seq-mean-token-sum-norm (Dr.GRPO: each sequence summed, divided by sampling.maxNewTokens)',
      ),
    kl: registeredName('KL estimator', klEstimatorNames)
      .default(DEFAULT_KL_ESTIMATOR)
      .describe('estimator of the KL penalty to the base policy (with klCoef > 0): k1 or k3'),
  })
  .strict();

const EvalSchema = z
  .object({
    every: positiveInt.default(50).describe('held-out evaluation every this many steps (and at the end)'),
    samples: z
      .number()
      .int()
      .min(0)
      .default(4)
      .describe('samples per prompt for pass@k and sampled accuracy (temperature 1); greedy is always run'),
    passK: positiveInt.default(4).describe('k of pass@k'),
    headline: z
      .enum(['sampled', 'greedy'])
      .default('sampled')
      .describe(
        'the accuracy that curves, targets and the plateau rule use: sampled mean (default) or greedy',
      ),
  })
  .strict()
  .refine((e) => e.headline === 'greedy' || e.samples > 0, {
    message: 'a sampled headline needs eval.samples > 0 (or set eval.headline to greedy)',
  });

const TrainConfigObject = z
  .object({
    seed: z.number().int().default(1).describe('run seed: same seed and config, same numbers'),
    base: z
      .string()
      .optional()
      .describe(
        'base policy checkpoint directory; absent = the default warm start (built and cached on first use)',
      ),
    data: DataSchema.prefault({}).describe('the prompts: a procedural mixture or dataset files'),
    steps: positiveInt.default(400).describe('training steps'),
    flopBudget: z
      .number()
      .min(0)
      .default(0)
      .describe('stop when training-side FLOPs (profiling included) reach this; 0 = no FLOP budget'),
    estimator: EstimatorSchema.prefault({}).describe('advantages per group'),
    weighting: defaultType('none', WeightingSchema).prefault({}).describe('asymmetric prompt weights'),
    allocator: defaultType('uniform', AllocatorSchema)
      .prefault({})
      .describe('which prompts get how many rollouts'),
    optim: OptimSchema.prefault({}).describe('the clipped policy-gradient update'),
    sampling: z
      .object({
        temperature: z.number().min(0).default(1).describe('rollout sampling temperature'),
        maxNewTokens: positiveInt.default(12).describe('completion length limit'),
      })
      .strict()
      .prefault({})
      .describe('rollout generation'),
    trainOnZeroAdvantage: z
      .boolean()
      .default(false)
      .describe('whether rollouts with zero advantage still go through the training forward+backward'),
    eval: EvalSchema.prefault({}).describe('held-out evaluation'),
    checkpointEvery: positiveInt.default(50).describe('checkpoint every this many steps (and at the end)'),
    threads: positiveInt.default(2).describe('engine threads'),
  })
  .strict()
  .superRefine(crossFieldChecks);

/** Rules between fields, checked before any model loads. */
function crossFieldChecks(c: z.infer<typeof TrainConfigObject>, ctx: z.RefinementCtx): void {
  const fail = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (c.weighting.type !== 'none' && c.estimator.type !== 'drgrpo') {
    fail(
      ['estimator', 'type'],
      `asymmetric weights (${c.weighting.type}) scale the Dr.GRPO advantage ω(p̂)·(r − p̂); ` +
        `set estimator.type=drgrpo (or leave it out) instead of ${c.estimator.type}`,
    );
  }
  const a = c.allocator;
  if (a.type === 'vip') {
    if (a.lower > a.upper) fail(['allocator', 'lower'], `lower ${a.lower} is above upper ${a.upper}`);
    const [lo, hi] = [a.promptsPerStep * Math.max(a.lower, 1), a.promptsPerStep * a.upper];
    if (a.rolloutsPerStep < lo || a.rolloutsPerStep > hi) {
      fail(
        ['allocator', 'rolloutsPerStep'],
        `${a.rolloutsPerStep} rollouts cannot be split over ${a.promptsPerStep} prompts with ` +
          `${a.lower} ≤ n ≤ ${a.upper}: it must be in ${lo}..${hi}`,
      );
    }
  }
  if (a.type === 'sgpo' && a.gMin > a.gMax)
    fail(['allocator', 'gMin'], `gMin ${a.gMin} is above gMax ${a.gMax}`);
}

/** With a prompt weighting and no estimator named, the estimator is the one the weights scale (drgrpo). */
function estimatorForWeighting(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const r = raw as Record<string, unknown>;
  const w = r.weighting as { type?: unknown } | undefined;
  const weighted =
    w !== undefined && w !== null && typeof w === 'object' && w.type !== undefined && w.type !== 'none';
  const e = (r.estimator ?? {}) as Record<string, unknown>;
  if (!weighted || typeof e !== 'object' || e.type !== undefined) return raw;
  return { ...r, estimator: { ...e, type: 'drgrpo' } };
}

export const TrainConfigSchema = z.preprocess(estimatorForWeighting, TrainConfigObject);

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type AllocatorConfig = z.infer<typeof AllocatorSchema>;
export type EstimatorConfig = z.infer<typeof EstimatorSchema>;
export type WeightingConfig = z.infer<typeof WeightingSchema>;

export class ConfigError extends Error {}

/** Formats zod issues as `field.path: message` lines so the user sees which field to fix. */
export function formatIssues(error: z.ZodError, source: string): string {
  const lines = error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return `invalid config (${source}):\n${lines.join('\n')}`;
}

export function parseConfig<S extends z.ZodType>(schema: S, raw: unknown, source: string): z.infer<S> {
  const res = schema.safeParse(raw);
  if (!res.success) throw new ConfigError(formatIssues(res.error, source));
  return res.data;
}

/** Reads a JSON or YAML config file (by extension; YAML is a superset of JSON). */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    const value = parseYaml(text) as unknown;
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('top level must be a mapping');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`cannot parse config file ${path}: ${(err as Error).message}`);
  }
}

/**
 * Applies `a.b.c=value` overrides. The value is parsed as JSON when it parses (numbers, booleans,
 * objects), otherwise kept as a string, so `--set allocator.type=vip` and `--set optim.lr=1e-3` both work.
 */
export function applyOverrides(base: Record<string, unknown>, sets: string[]): Record<string, unknown> {
  const out = structuredClone(base);
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ConfigError(`bad override "${s}": expected key.path=value`);
    const path = s.slice(0, eq).split('.');
    const rawValue = s.slice(eq + 1);
    let value: unknown = rawValue;
    try {
      value = JSON.parse(rawValue);
    } catch {
      // not JSON: a plain string
    }
    let node: Record<string, unknown> = out;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next === undefined) node[key] = {};
      else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        throw new ConfigError(`bad override "${s}": ${key} is not an object`);
      }
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return out;
}
