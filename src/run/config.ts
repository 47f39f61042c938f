/**
 * Run configuration: one zod schema, validated at the edge (file + flags), discriminated unions on
 * `type` for the estimator, the prompt weighting and the allocator. An invalid config names the field.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  aggregationNames,
  DEFAULT_AGGREGATION,
  DEFAULT_KL_ESTIMATOR,
  klEstimatorNames,
} from '../algo/loss.js';

const positiveInt = z.number().int().positive();

/** A name from one of algo's registries, checked when the config is parsed (so registered extensions count). */
function registeredName(what: string, names: () => string[]) {
  return z.string().refine((name) => names().includes(name), {
    error: (issue) => `unknown ${what} '${String(issue.input)}' (registered: ${names().join(', ')})`,
  });
}
const prob = z.number().min(0).max(1);

export const EstimatorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('grpo'), eps: z.number().positive().default(1e-6) }),
  z.object({ type: z.literal('drgrpo') }),
  z.object({ type: z.literal('rloo') }),
]);

export const WeightingSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({
    type: z.enum(['linear-r', 'sqrt-r', 'uniform-r']),
    /** Bound on |advantage| per rollout for tiny p̂ (see algo/weights). */
    cap: z.number().positive().default(64),
  }),
]);

const SgpoSchema = z.object({
  type: z.literal('sgpo'),
  promptsPerStep: positiveInt.default(64),
  /** Profile JSONL from `flopwise profile`; when absent, the trainer profiles the train set itself. */
  profile: z.string().optional(),
  k: positiveInt.default(8),
  tau: prob.default(0.75),
  alpha: prob.default(0.1),
  gMin: positiveInt.default(2),
  gMax: positiveInt.default(8),
  rounding: z.enum(['pow2', 'exact']).default('pow2'),
  /** How a curriculum phase ends: after its share of the steps, or when eval accuracy stops rising. */
  phaseEnd: z
    .enum(['share', 'plateau', 'signal'])
    .default('share')
    .describe(
      "how a phase ends: 'share' (equal shares of the run, the paper's reimplementation), 'plateau' (held-out accuracy stops rising; reads held-out data), 'signal' (the phase's own training signal stops improving; the run ends when the last phase's does)",
    ),
  plateauPatience: positiveInt.default(2),
  /** Beyond the paper: update p̂ from training rollouts and re-bucket prompts online. */
  online: z.boolean().default(false),
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
    .default({ trivial: 0, unsolved: 0, G: 2 })
    .describe('beyond the paper: replay of dropped prompts at a small G (their rollouts are charged)'),
  reprofile: z
    .object({
      scope: z
        .enum(['off', 'next', 'all'])
        .default('off')
        .describe("at each phase boundary, re-profile the next phase's prompts ('next') or every prompt ('all')"),
      k: positiveInt.default(4).describe('samples per prompt in a re-profile (charged as profiling)'),
    })
    .strict()
    .default({ scope: 'off', k: 4 })
    .describe('beyond the paper: re-profile under the current policy at phase boundaries and re-bucket'),
  signal: z
    .object({
      metric: z
        .enum(['reward', 'signalRate'])
        .default('reward')
        .describe('training signal watched by phaseEnd=signal: mean reward or share of groups with signal'),
      window: positiveInt.default(5).describe('steps averaged into one reading of the signal'),
      patience: positiveInt.default(10).describe('steps without a new best reading before the phase ends'),
      minDelta: z.number().min(0).default(0.01).describe('rise over the best reading that counts as improving'),
    })
    .strict()
    .default({ metric: 'reward', window: 5, patience: 10, minDelta: 0.01 }),
  perStep: z
    .enum(['plan', 'vip'])
    .default('plan')
    .describe(
      "rollouts per prompt in a step: the plan's G ('plan'), or VIP's variance-optimal split of the same budget with the profile as the GP prior ('vip')",
    ),
});

const VipSchema = z.object({
  type: z.literal('vip'),
  promptsPerStep: positiveInt.default(64),
  /** Hard rollout budget per step (the paper: 8 × prompts). */
  rolloutsPerStep: positiveInt.default(512),
  lower: positiveInt.default(2),
  upper: positiveInt.default(32),
  objective: z.enum(['drgrpo', 'rloo']).default('rloo'),
  prior: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('constant'), value: z.number().default(0) }),
      z.object({ type: z.literal('profile'), profile: z.string().optional() }),
    ])
    .default({ type: 'constant', value: 0 }),
  noise: z.number().positive().default(0.5),
  /** Minimum rollouts for any prompt in the batch, whatever its prediction. */
  floor: positiveInt.default(2),
  gamma: z.number().min(0).default(0),
});

export const AllocatorSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('uniform'),
    promptsPerStep: positiveInt.default(64),
    groupSize: positiveInt.default(8),
  }),
  z.object({
    type: z.literal('dynamic'),
    promptsPerStep: positiveInt.default(64),
    groupSize: positiveInt.default(8),
    /** Sampling rounds per step before training on whatever groups with signal were found. */
    maxRounds: positiveInt.default(4),
  }),
  SgpoSchema,
  VipSchema,
]);

/** A union field given without `type` (e.g. only `--set allocator.promptsPerStep=32`) means its default type. */
function defaultType<S extends z.ZodType>(type: string, schema: S) {
  return z.preprocess(
    (v) => (v && typeof v === 'object' && !Array.isArray(v) && !('type' in v) ? { type, ...v } : v),
    schema,
  );
}

export const TrainConfigSchema = z
  .object({
    seed: z.number().int().default(1),
    /** Base policy checkpoint directory; absent = the default pretrained base (built on first use). */
    base: z.string().optional(),
    data: z
      .object({
        /** Procedural mixture (name or JSON file); ignored when `train` is a dataset file. */
        mixture: z.string().default('ladder'),
        /** Seeds the prompts, separately from the run seed, so runs with other seeds see the same data. */
        seed: z.number().int().default(1234),
        trainSize: positiveInt.default(4096),
        evalSize: positiveInt.default(512),
        /**
         * Which prompts the run is evaluated on: the held-out test split (reported), or validation
         * prompts (train-split prompts outside the RL pool) for choosing hyperparameters.
         */
        evalSplit: z.enum(['test', 'validation']).default('test'),
        /** Dataset files (JSONL or Parquet) instead of a procedural mixture; answers checked by the verifier. */
        train: z.string().optional(),
        eval: z.string().optional(),
        /** Per-check time limit of the math verifier (dataset files only). */
        verifyTimeoutMs: positiveInt.default(2000),
        /** Column mapping for dataset files in other layouts, e.g. { prompt: 'question', answer: 'solution' }. */
        columns: z
          .object({ prompt: z.string(), answer: z.string(), id: z.string(), dataSource: z.string() })
          .partial()
          .strict()
          .optional(),
        /** Bad rows in dataset files: stop with a message naming file, row and field, or skip and count them. */
        onBadRow: z.enum(['error', 'skip']).default('error'),
      })
      .strict()
      .default({
        mixture: 'ladder',
        seed: 1234,
        trainSize: 4096,
        evalSize: 512,
        evalSplit: 'test',
        verifyTimeoutMs: 2000,
        onBadRow: 'error',
      }),
    steps: positiveInt.default(400),
    /** Stop when training-side FLOPs (profiling included) reach this; 0 = no FLOP budget. */
    flopBudget: z.number().min(0).default(0),
    estimator: defaultType('grpo', EstimatorSchema).default({ type: 'grpo', eps: 1e-6 }),
    weighting: defaultType('none', WeightingSchema).default({ type: 'none' }),
    allocator: defaultType('uniform', AllocatorSchema).default({
      type: 'uniform',
      promptsPerStep: 64,
      groupSize: 8,
    }),
    optim: z
      .object({
        lr: z.number().positive().default(3e-4),
        warmupSteps: z.number().int().min(0).default(0),
        weightDecay: z.number().min(0).default(0),
        gradClip: z.number().positive().default(1),
        clipLow: z.number().positive().default(0.2),
        clipHigh: z.number().positive().default(0.28),
        klCoef: z.number().min(0).default(0),
        /** Policy-gradient updates per step over mini-batches of the step's rollouts. */
        miniBatches: positiveInt.default(1),
        aggregation: registeredName('loss aggregation', aggregationNames)
          .default(DEFAULT_AGGREGATION)
          .describe(
            'how token terms of the loss are averaged: token-mean, seq-mean-token-mean, or seq-mean-token-sum-norm (Dr.GRPO: each sequence summed, divided by sampling.maxNewTokens)',
          ),
        kl: registeredName('KL estimator', klEstimatorNames)
          .default(DEFAULT_KL_ESTIMATOR)
          .describe('estimator of the KL penalty to the base policy (with klCoef > 0): k1 or k3'),
      })
      .default({
        lr: 3e-4,
        warmupSteps: 0,
        weightDecay: 0,
        gradClip: 1,
        clipLow: 0.2,
        clipHigh: 0.28,
        klCoef: 0,
        miniBatches: 1,
        aggregation: DEFAULT_AGGREGATION,
        kl: DEFAULT_KL_ESTIMATOR,
      }),
    sampling: z
      .object({
        temperature: z.number().min(0).default(1),
        maxNewTokens: positiveInt.default(12),
      })
      .default({ temperature: 1, maxNewTokens: 12 }),
    /** Whether rollouts with zero advantage still go through the training forward+backward. */
    trainOnZeroAdvantage: z.boolean().default(false),
    eval: z
      .object({
        every: positiveInt.default(50),
        /** Samples per prompt for pass@k and sampled accuracy (temperature 1); greedy is always run. */
        samples: z.number().int().min(0).default(4),
        passK: positiveInt.default(4),
        /** The accuracy curves, targets and the plateau rule use: sampled mean (default) or greedy. */
        headline: z.enum(['sampled', 'greedy']).default('sampled'),
      })
      .refine((e) => e.headline === 'greedy' || e.samples > 0, {
        message: 'a sampled headline needs eval.samples > 0 (or set eval.headline to greedy)',
      })
      .default({ every: 50, samples: 4, passK: 4, headline: 'sampled' }),
    checkpointEvery: positiveInt.default(50),
    threads: positiveInt.default(2),
  })
  .strict();

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
