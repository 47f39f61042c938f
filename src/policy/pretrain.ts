/**
 * Supervised warm start of the base policy on the procedural tasks (prompt → correct answer), cached
 * by a hash of its config so every later run reuses it. The base must leave RL something to do: on
 * the default RL mixture its success rates spread from always (easy additions, copies) through
 * sometimes to never (long multiplications), which `flopwise pretrain --check` measures.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CharTokenizer, createModel, lrSchedule, saveCheckpoint } from '../engine/index.js';
import { formatTarget, generateMixture, MIXTURES, type Problem } from '../tasks/index.js';
import { readJson, resolveMixture, writeJsonAtomic } from '../data/index.js';

export const ModelShapeSchema = z
  .object({
    dModel: z.number().int().positive().default(64).describe('width d (a multiple of 4 and of nHeads·4)'),
    nLayers: z.number().int().positive().default(3).describe('transformer blocks'),
    nHeads: z.number().int().positive().default(4).describe('attention heads'),
    contextLength: z.number().int().positive().default(48).describe('longest sequence, prompt + completion'),
  })
  .strict();

export const PretrainConfigSchema = z
  .object({
    seed: z.number().int().default(1).describe('seeds the examples and the initial weights'),
    mixture: z
      .string()
      .default('ladder')
      .describe('mixture (name or file) the warm-start examples are drawn from (train split only)'),
    examples: z
      .number()
      .int()
      .positive()
      .default(96_000)
      .describe('warm-start examples drawn (with repeats, so small components keep their share)'),
    model: ModelShapeSchema.prefault({}).describe('the shape of the embedded GPT'),
    steps: z.number().int().positive().default(1500).describe('supervised steps'),
    batchSize: z.number().int().positive().default(64).describe('examples per step'),
    lr: z.number().positive().default(6e-3).describe('peak learning rate (cosine schedule)'),
    warmupSteps: z.number().int().min(0).default(50).describe('linear warm-up steps'),
    weightDecay: z.number().min(0).default(0.01).describe('AdamW weight decay on the matrices'),
    gradClip: z.number().positive().default(1).describe('global gradient-norm clip'),
    threads: z.number().int().positive().default(2).describe('engine threads (not part of the cache key)'),
  })
  .strict();

export type PretrainConfig = z.infer<typeof PretrainConfigSchema>;

/** Bump when the meaning of a pretrain config changes, so stale caches are not reused. */
const PRETRAIN_FORMAT = 1;

/** The mixture a pretrain config names, resolved (a named mixture or a JSON/YAML file). */
function warmStartMixture(cfg: PretrainConfig): unknown {
  return MIXTURES[cfg.mixture] ?? resolveMixture(cfg.mixture);
}

/** Keyed by the mixture's content, not its name, so editing a mixture never reuses a stale base. */
export function pretrainHash(cfg: PretrainConfig): string {
  const { threads: _threads, ...rest } = cfg; // thread count does not change the result
  return createHash('sha256')
    .update(JSON.stringify({ v: PRETRAIN_FORMAT, ...rest, mixture: warmStartMixture(cfg) }))
    .digest('hex')
    .slice(0, 16);
}

export function defaultCacheDir(): string {
  return process.env.FLOPWISE_CACHE ?? join(process.cwd(), '.cache', 'flopwise');
}

export function baseDir(cfg: PretrainConfig, cacheDir = defaultCacheDir()): string {
  return join(cacheDir, 'base', pretrainHash(cfg));
}

export interface PretrainProgress {
  step: number;
  steps: number;
  loss: number;
  flops: number;
}

/**
 * The checkpoint a run trains from: `base` when given (it must exist), else the default warm start
 * (built and cached on first use).
 */
export async function resolveBaseCheckpoint(opts: {
  base?: string;
  threads: number;
  cacheDir?: string;
  onPhase?: (message: string) => void;
  onPretrain?: (p: PretrainProgress) => void;
}): Promise<string> {
  if (opts.base) {
    if (!existsSync(opts.base)) throw new Error(`base checkpoint ${opts.base} does not exist`);
    return opts.base;
  }
  const pre = PretrainConfigSchema.parse({ threads: opts.threads });
  opts.onPhase?.('base policy: supervised warm start (cached after the first run)');
  return (await ensureBase(pre, { cacheDir: opts.cacheDir, onProgress: opts.onPretrain })).dir;
}

export interface PretrainSummary {
  /** Where the base is now (not stored: the cache may move). */
  dir: string;
  hash: string;
  config: PretrainConfig;
  finalLoss: number;
  flops: number;
  wallMs: number;
  paramCount: number;
  nonEmbeddingParamCount: number;
}

/** One supervised example: [BOS, prompt, target]; only the target tokens are learned. */
export function supervisedExample(tok: CharTokenizer, p: Problem): { sequence: number[]; mask: Uint8Array } {
  const prompt = tok.encode(p.prompt, { bos: true });
  const target = tok.encode(formatTarget(p));
  const sequence = [...prompt, ...target];
  const mask = new Uint8Array(sequence.length);
  mask.fill(1, prompt.length);
  return { sequence, mask };
}

/** Returns the cached base for `cfg`, training it first when it is not there yet. */
export async function ensureBase(
  cfg: PretrainConfig,
  opts: { cacheDir?: string; onProgress?: (p: PretrainProgress) => void; force?: boolean } = {},
): Promise<PretrainSummary> {
  const dir = baseDir(cfg, opts.cacheDir);
  const summaryPath = join(dir, 'pretrain.json');
  // The summary on disk holds no location: a cache copied or shared between checkouts is found where it is now.
  if (!opts.force && existsSync(summaryPath)) return { ...readJson<PretrainSummary>(summaryPath), dir };

  const tok = new CharTokenizer();
  const mixture = warmStartMixture(cfg);
  const { problems } = generateMixture(mixture, {
    n: cfg.examples,
    seed: cfg.seed,
    split: 'train',
    unique: false,
  });
  const examples = problems.map((p) => supervisedExample(tok, p));
  for (const [i, e] of examples.entries()) {
    if (e.sequence.length > cfg.model.contextLength) {
      throw new Error(
        `pretrain: example ${i} (${problems[i].id}) is ${e.sequence.length} tokens, over the context of ${cfg.model.contextLength}`,
      );
    }
  }
  const model = await createModel(
    { vocabSize: tok.vocabSize, ...cfg.model },
    { seed: cfg.seed, threads: cfg.threads },
  );
  const lr = lrSchedule({ lr: cfg.lr, warmupSteps: cfg.warmupSteps, totalSteps: cfg.steps, kind: 'cosine' });
  const started = performance.now();
  let loss = 0;
  try {
    let cursor = 0;
    for (let step = 0; step < cfg.steps; step++) {
      const batch = [];
      for (let b = 0; b < cfg.batchSize; b++) batch.push(examples[cursor++ % examples.length]);
      const normaliser = batch.reduce((s, e) => s + e.mask.reduce((a: number, x) => a + x, 0), 0);
      model.zeroGrad();
      const out = model.accumulateCrossEntropy({
        sequences: batch.map((e) => e.sequence),
        lossMask: batch.map((e) => e.mask),
        normaliser,
      });
      model.optimizerStep({
        lr: lr(step),
        weightDecay: cfg.weightDecay,
        gradClip: cfg.gradClip,
      });
      loss = out.loss;
      opts.onProgress?.({ step: step + 1, steps: cfg.steps, loss, flops: model.flops.total });
    }
    const summary: PretrainSummary = {
      dir,
      hash: pretrainHash(cfg),
      config: cfg,
      finalLoss: loss,
      flops: model.flops.total,
      wallMs: performance.now() - started,
      paramCount: model.paramCount,
      nonEmbeddingParamCount: model.nonEmbeddingParamCount,
    };
    const { dir: _where, ...stored } = summary;
    saveCheckpoint(dir, model, { optimizer: false, tokenizer: tok, meta: { pretrain: stored } });
    writeJsonAtomic(summaryPath, stored);
    return summary;
  } finally {
    await model.dispose();
  }
}
