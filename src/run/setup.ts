/**
 * Builds what a run needs from its config: the prompt sets, the scorer and the allocation strategy
 * (profiling the initial policy first when sGPO, or VIP with a profile prior, needs it).
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { logitPrior } from '../algo/index.js';
import { loadProblems, resolveMixture } from '../data/index.js';
import type { Policy } from '../policy/types.js';
import { generateMixture, MIXTURES, scoreProblem, type Problem } from '../tasks/index.js';
import { verifyWithTimeout } from '../verify/index.js';
import type { TrainConfig } from './config.js';
import type { Ledger } from './ledger.js';
import {
  profileOptionsFromConfig,
  profileWithConfig,
  readProfileEntries,
  runProfileInMemory,
  writeProfileWithPlan,
  PROFILE_FILES,
  type ProfileProgress,
} from './profile.js';
import { readJson } from './rundir.js';
import { assignScorers, usesFamilyScorer } from './scorer-choice.js';
import type { Scorer } from './scoring.js';
import { SgpoStrategy, type Reprofiler } from './strategies/sgpo.js';
import type { Strategy } from './strategies/types.js';
import { DynamicSamplingStrategy, UniformStrategy } from './strategies/uniform.js';
import { VipStrategy } from './strategies/vip.js';
import type { ProfileEntry } from '../algo/index.js';
import type { ProfileMeta } from './profile.js';

export interface Datasets {
  train: Problem[];
  eval: Problem[];
}

/** One dataset file as problems, with the config's column mapping and bad-row policy. */
export async function loadDataset(file: string, data: TrainConfig['data']): Promise<Problem[]> {
  const { problems, skipped } = await loadProblems(file, { columns: data.columns, onBadRow: data.onBadRow });
  if (skipped.length > 0)
    process.stderr.write(`${file}: skipped ${skipped.length} bad rows (first: ${skipped[0].message})\n`);
  return assignScorers(problems, file, data.scorer);
}

export async function loadDatasets(data: TrainConfig['data']): Promise<Datasets> {
  if (data.train || data.eval) {
    if (!data.train || !data.eval)
      throw new Error('data: give both data.train and data.eval dataset files, or neither');
    const train = await loadDataset(data.train, data);
    const evalSet = await loadDataset(data.eval, data);
    const trainPrompts = new Set(train.map((p) => p.prompt));
    const shared = evalSet.filter((p) => trainPrompts.has(p.prompt)).length;
    if (shared > 0) throw new Error(`data: ${shared} prompts of ${data.eval} also appear in ${data.train}`);
    return { train, eval: evalSet };
  }
  const mixture = MIXTURES[data.mixture] ?? resolveMixture(data.mixture);
  const train = generateMixture(mixture, { n: data.trainSize, seed: data.seed, split: 'train' }).problems;
  const evalSet =
    data.evalSplit === 'validation'
      ? validationSet(mixture, data, train)
      : generateMixture(mixture, { n: data.evalSize, seed: data.seed, split: 'eval' }).problems;
  return { train, eval: evalSet };
}

/**
 * Prompts for choosing hyperparameters: train-split prompts (another data seed) that are not in the
 * RL pool, so the held-out test split never steers a choice. Families whose whole train split is in
 * the pool (1-digit sums) are missing from it.
 */
export function validationSet(
  mixture: unknown,
  data: TrainConfig['data'],
  train: readonly Problem[],
): Problem[] {
  const inPool = new Set(train.map((p) => p.prompt));
  const candidates = generateMixture(mixture, { n: 4 * data.evalSize, seed: data.seed + 1, split: 'train' });
  return candidates.problems.filter((p) => !inPool.has(p.prompt)).slice(0, data.evalSize);
}

/** Family-scored problems (see ./scorer-choice) in-process; the rest by the time-limited verifier. */
export function scorerFor(data: TrainConfig['data']): Scorer {
  return async (problem, completion) => {
    if (usesFamilyScorer(problem)) return scoreProblem(problem, completion);
    const r = await verifyWithTimeout(completion, problem.answer, {
      timeoutMs: data.verifyTimeoutMs,
      percent: data.percent,
    });
    return { reward: r.reward, reason: r.reason };
  };
}

export interface ProfileSource {
  entries: ProfileEntry[];
  meta: ProfileMeta;
}

/**
 * The profile a run uses: read from a file (its FLOPs come from the meta file beside it), or made
 * now under the initial policy in the run directory (resumable). Either way its FLOPs are charged.
 */
export async function obtainProfile(args: {
  path: string | undefined;
  k: number;
  policy: Policy;
  problems: Problem[];
  score: Scorer;
  runRoot: string;
  ledger: Ledger;
  config: TrainConfig;
  /** The initial policy's identity (its checkpoint directory), remembered for resume checks. */
  model?: string;
  onProgress?: (p: ProfileProgress) => void;
}): Promise<ProfileSource> {
  if (args.path) {
    const entries = readProfileEntries(args.path);
    const metaPath = join(args.path, '..', PROFILE_FILES.meta);
    if (!existsSync(metaPath)) {
      throw new Error(
        `${args.path}: no ${PROFILE_FILES.meta} beside it, so its compute cannot be charged; profile with \`flopwise profile\``,
      );
    }
    const meta = readJson<ProfileMeta>(metaPath);
    args.ledger.add('profile', meta.flops, meta.tokens, meta.wallMs);
    if (meta.flopsCounted === false) args.ledger.markUncounted('profile');
    return { entries, meta };
  }
  const { rows, meta, failed } = await profileWithConfig({
    policy: args.policy,
    problems: args.problems,
    score: args.score,
    dir: args.runRoot,
    ledger: args.ledger,
    config: args.config,
    overrides: { k: args.k },
    model: args.model ?? args.policy.kind,
    onProgress: args.onProgress,
  });
  if (failed.length > 0) {
    throw new Error(
      `profile: ${failed.length} prompts failed (first: ${failed[0].error}); rerun to retry them`,
    );
  }
  return { entries: rows.map((r) => ({ id: r.id, k: r.k, successes: r.successes })), meta };
}

/** Profiles prompts under the policy as it is now (sGPO's phase boundaries); charged as profiling. */
export function reprofilerFor(
  policy: Policy,
  score: Scorer,
  ledger: Ledger,
  config: TrainConfig,
): Reprofiler {
  return (problems, k, seed) =>
    runProfileInMemory({
      policy,
      problems,
      score,
      ledger,
      options: profileOptionsFromConfig(config, { k, seed }),
    });
}

export async function createStrategy(args: {
  config: TrainConfig;
  problems: Problem[];
  profile?: () => Promise<ProfileSource>;
  /** Re-profiling under the live policy, for sGPO with `reprofile` on. */
  reprofile?: Reprofiler;
  runRoot: string;
}): Promise<Strategy> {
  const { config, problems } = args;
  const a = config.allocator;
  switch (a.type) {
    case 'uniform':
      return new UniformStrategy(problems, a, config.seed);
    case 'dynamic':
      return new DynamicSamplingStrategy(problems, a, config.seed);
    case 'sgpo': {
      if (!args.profile) throw new Error('sgpo needs a profile');
      const { entries } = await args.profile();
      const plan = writeProfileWithPlan(args.runRoot, entries, {
        tau: a.tau,
        alpha: a.alpha,
        gMin: a.gMin,
        gMax: a.gMax,
        groupSize: a.rounding,
        seed: config.seed,
      });
      return new SgpoStrategy(problems, plan, a, config.seed, args.reprofile);
    }
    case 'vip': {
      let prior: number | number[] = 0;
      if (a.prior.type === 'constant') prior = a.prior.value;
      else {
        if (!args.profile) throw new Error('vip with a profile prior needs a profile');
        const { entries } = await args.profile();
        const byId = new Map(entries.map((e) => [e.id, e.successes / e.k]));
        prior = logitPrior(
          problems.map((p) => {
            const pHat = byId.get(p.id);
            if (pHat === undefined) throw new Error(`vip: the profile has no row for prompt '${p.id}'`);
            return pHat;
          }),
        );
      }
      return new VipStrategy(problems, a, config.seed, prior);
    }
  }
}
