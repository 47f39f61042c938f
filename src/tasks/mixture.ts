import { z } from 'zod';
import { ConfigError, parseWith } from './config.js';
import { getFamily, hasFamily } from './registry.js';
import { hashString, rngFor } from './rng.js';
import { DEFAULT_EVAL_FRACTION, splitOf, type Split } from './split.js';
import type { Problem } from './types.js';

/**
 * One component of a mixture: a family with either fixed knobs (`config`) or a range of its
 * difficulty ladder (`levels: [lo, hi]`, inclusive, uniform), drawn with relative `weight`.
 */
export const mixtureComponentSchema = z
  .object({
    family: z.string().refine(hasFamily, { message: 'unknown task family' }),
    weight: z.number().positive(),
    config: z.record(z.string(), z.unknown()).optional(),
    levels: z.tuple([z.number().int().min(1), z.number().int().min(1)]).optional(),
  })
  .strict()
  .refine((c) => !(c.config && c.levels), { message: 'give either config or levels, not both' });

export const mixtureSchema = z
  .object({
    name: z.string().default('custom'),
    components: z.array(mixtureComponentSchema).min(1),
  })
  .strict();

export type MixtureComponent = z.output<typeof mixtureComponentSchema>;
export type Mixture = z.output<typeof mixtureSchema>;
export type MixtureInput = z.input<typeof mixtureSchema>;

/** Validates a mixture (ConfigError names the field, e.g. `components.2.levels`), including each component's knobs. */
export function parseMixture(input: unknown): Mixture {
  const m = parseWith(mixtureSchema, input, 'mixture');
  m.components.forEach((c, i) => {
    const fam = getFamily(c.family);
    if (c.levels) {
      const [lo, hi] = c.levels;
      if (lo > hi || hi > fam.maxLevel) {
        throw new ConfigError(
          `invalid mixture config: field "components.${i}.levels": [${lo}, ${hi}] must satisfy 1 ≤ lo ≤ hi ≤ ${fam.maxLevel}`,
          `components.${i}.levels`,
        );
      }
    } else {
      try {
        fam.parseConfig(c.config ?? {});
      } catch (e) {
        const field = `components.${i}.config.${e instanceof ConfigError ? e.field : ''}`;
        throw new ConfigError(`invalid mixture config: field "${field}": ${(e as Error).message}`, field);
      }
    }
  });
  return m;
}

/**
 * The default mixture: from prompts a small pretrained model always solves (1–2 digit additions,
 * short copies) through ones it sometimes solves, to ones it never does (4-digit multiplications,
 * countdown). Which mixture spreads success rates best is to be tuned: it is only a config.
 */
export const DEFAULT_MIXTURE: MixtureInput = {
  name: 'default',
  components: [
    { family: 'add', levels: [1, 2], weight: 0.15 },
    { family: 'add', levels: [3, 5], weight: 0.15 },
    { family: 'copy', levels: [2, 8], weight: 0.1 },
    { family: 'rev', levels: [2, 8], weight: 0.1 },
    { family: 'sort', levels: [2, 8], weight: 0.05 },
    { family: 'count', levels: [1, 6], weight: 0.05 },
    { family: 'mod', levels: [1, 2], weight: 0.1 },
    { family: 'mul', levels: [1, 3], weight: 0.1 },
    { family: 'mul', levels: [4, 7], weight: 0.1 },
    { family: 'mul', levels: [8, 10], weight: 0.05 },
    { family: 'countdown', levels: [1, 3], weight: 0.05 },
  ],
};

/**
 * The RL ladder: the mixture flopwise's embedded demo and benchmark train on. After the default warm
 * start (policy/pretrain.ts) a small model always solves 1-digit sums and short copies, sometimes
 * solves 2-digit sums, letter counts, longer copies and small modular sums, and almost never 3-digit
 * sums or 3×1 / 2×2 products, so every allocation method meets easy, learnable and unsolved prompts
 * (`flopwise pretrain --check` measures it).
 */
export const LADDER_MIXTURE: MixtureInput = {
  name: 'ladder',
  components: [
    { family: 'add', levels: [1, 1], weight: 0.15 },
    { family: 'add', levels: [2, 2], weight: 0.2 },
    { family: 'count', levels: [2, 4], weight: 0.2 },
    { family: 'copy', levels: [2, 4], weight: 0.15 },
    { family: 'mod', levels: [1, 1], weight: 0.1 },
    { family: 'add', levels: [3, 3], weight: 0.1 },
    { family: 'mul', levels: [3, 4], weight: 0.1 },
  ],
};

/** Named mixtures. */
export const MIXTURES: Record<string, MixtureInput> = {
  default: DEFAULT_MIXTURE,
  ladder: LADDER_MIXTURE,
  /** Arithmetic only: additions 1–6 digits and multiplications 1×1 … 4×4. */
  arithmetic: {
    name: 'arithmetic',
    components: [
      { family: 'add', levels: [1, 6], weight: 0.5 },
      { family: 'mul', levels: [1, 9], weight: 0.5 },
    ],
  },
  /** One component per family at its default knobs (for smoke tests). */
  smoke: {
    name: 'smoke',
    components: ['add', 'mul', 'mod', 'rev', 'sort', 'copy', 'count', 'countdown'].map((family) => ({
      family,
      weight: 1,
    })),
  },
};

export interface GenerateOptions {
  n: number;
  seed: number;
  /** 'train' | 'eval' keeps prompts of that split only (by `splitOf`); 'all' keeps every prompt. */
  split?: Split | 'all';
  evalFraction?: number;
  /** Candidate draws allowed before giving up (default 50·n + 1000). */
  maxAttempts?: number;
  /**
   * Skip prompts already drawn (default true). False keeps repeats, so every component gets its
   * weight's share even when its prompt space is small (supervised warm-start streams).
   */
  unique?: boolean;
}

export interface GenerateStats {
  requested: number;
  generated: number;
  attempts: number;
  duplicates: number;
  otherSplit: number;
  /** requested − generated (> 0 when the mixture's prompt space ran out). */
  shortfall: number;
  perComponent: number[];
}

const GOLDEN = 0.6180339887498949;

/**
 * Generates up to `n` distinct prompts from a mixture, deterministically from `seed`. Candidate i
 * picks its component by a golden-ratio sequence (proportions hold for every prefix), its level
 * and problem by a PRNG keyed by (seed, i); duplicates and prompts of the other split are skipped.
 * Ids are the family's ids, unique because they carry the candidate index.
 */
export function generateMixture(
  mixtureInput: unknown,
  opts: GenerateOptions,
): { problems: Problem[]; stats: GenerateStats } {
  const mixture = parseMixture(mixtureInput);
  const { n, seed } = opts;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  const split = opts.split ?? 'all';
  const evalFraction = opts.evalFraction ?? DEFAULT_EVAL_FRACTION;
  const maxAttempts = opts.maxAttempts ?? 50 * n + 1000;
  const total = mixture.components.reduce((s, c) => s + c.weight, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const c of mixture.components) cumulative.push((acc += c.weight / total));
  const configs = new Map<string, unknown>();
  const configFor = (ci: number, level: number | undefined): unknown => {
    const key = `${ci}:${level ?? ''}`;
    let cfg = configs.get(key);
    if (cfg === undefined) {
      const c = mixture.components[ci];
      const fam = getFamily(c.family);
      cfg = level !== undefined ? fam.levelConfig(level) : fam.parseConfig(c.config ?? {});
      configs.set(key, cfg);
    }
    return cfg;
  };
  const offset = hashString(`mixture-offset\u0000${seed}`) / 4294967296;
  const seen = new Set<string>();
  const problems: Problem[] = [];
  const stats: GenerateStats = {
    requested: n,
    generated: 0,
    attempts: 0,
    duplicates: 0,
    otherSplit: 0,
    shortfall: 0,
    perComponent: mixture.components.map(() => 0),
  };
  for (let i = 0; problems.length < n && i < maxAttempts; i++) {
    stats.attempts++;
    const u = (offset + i * GOLDEN) % 1;
    let ci = cumulative.findIndex((c) => u < c);
    if (ci < 0) ci = cumulative.length - 1;
    const comp = mixture.components[ci];
    let level: number | undefined;
    if (comp.levels) level = rngFor('mixture-level', seed, i).int(comp.levels[0], comp.levels[1]);
    const p = getFamily(comp.family).generate(configFor(ci, level), seed, i);
    if (opts.unique !== false && seen.has(p.prompt)) {
      stats.duplicates++;
      continue;
    }
    const s = splitOf(p.prompt, evalFraction);
    if (split !== 'all' && s !== split) {
      stats.otherSplit++;
      continue;
    }
    seen.add(p.prompt);
    if (level !== undefined) p.meta.level = level;
    p.meta.split = s;
    p.meta.component = ci;
    problems.push(p);
    stats.perComponent[ci]++;
  }
  stats.generated = problems.length;
  stats.shortfall = n - problems.length;
  return { problems, stats };
}
