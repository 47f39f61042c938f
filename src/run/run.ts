/**
 * One training run end to end: policy (from the caller's factory) → prompt sets → (profile) →
 * strategy → trainer → summary. `resume` continues from the run directory's latest checkpoint with
 * the config saved there, from any working directory (relative paths resolve where the run started).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { PretrainProgress } from '../policy/pretrain.js';
import type { TrainablePolicy } from '../policy/types.js';
import { MIXTURES } from '../tasks/mixture.js';
import type { Problem } from '../tasks/types.js';
import { closeSharedVerifierPool } from '../verify/index.js';
import { ConfigError, parseConfig, TrainConfigSchema, type TrainConfig } from './config.js';
import { headlineAccuracy, type EvalResult } from './evaluator.js';
import { Ledger, type LedgerState } from './ledger.js';
import type { ProfileProgress } from './profile.js';
import { recordEnd, recordStart } from './meta.js';
import { RunDir, readJson, writeJsonAtomic } from './rundir.js';
import type { Scorer } from './scoring.js';
import type { Strategy } from './strategies/types.js';
import { createStrategy, loadDatasets, obtainProfile, reprofilerFor, scorerFor } from './setup.js';
import { readTrainerState, train, type EvalPoint, type StepRow, type TrainResult } from './trainer.js';

export interface RunCallbacks {
  onPretrain?: (p: PretrainProgress) => void;
  onProfile?: (p: ProfileProgress) => void;
  onStep?: (row: StepRow) => void;
  onEval?: (step: number, result: EvalResult) => void;
  onPhase?: (message: string) => void;
}

export interface RunSummary {
  runDir: string;
  allocator: string;
  estimator: string;
  weighting: string;
  seed: number;
  steps: number;
  stoppedBy: TrainResult['stoppedBy'];
  initialAccuracy: number;
  finalAccuracy: number;
  /** Which accuracy the curve holds (eval.headline). */
  headline: 'sampled' | 'greedy';
  /** The prompts it was evaluated on (data.evalSplit); absent in summaries written before it was recorded. */
  evalSplit?: 'test' | 'validation';
  /** Held-out accuracy against training-side FLOPs (profiling included). */
  curve: Array<{ step: number; chargedFlops: number; accuracy: number; sampledAccuracy: number | null }>;
  ledger: LedgerState;
  chargedFlops: number;
  trainOnZeroAdvantage: boolean;
  /** The first and last held-out evaluations in full (greedy, sampled, pass@k). */
  initialEval?: EvalResult | null;
  finalEval?: EvalResult | null;
}

export function summarize(config: TrainConfig, root: string, result: TrainResult): RunSummary {
  const curve = result.evals.map((e: EvalPoint) => ({
    step: e.step,
    chargedFlops: e.chargedFlops,
    accuracy: headlineAccuracy(e.eval, config.eval.headline),
    sampledAccuracy: e.eval.sampledAccuracy,
  }));
  const ledger = new Ledger(result.ledger);
  return {
    runDir: root,
    allocator: config.allocator.type,
    estimator: config.estimator.type,
    weighting: config.weighting.type,
    seed: config.seed,
    steps: result.steps,
    stoppedBy: result.stoppedBy,
    headline: config.eval.headline,
    evalSplit: config.data.evalSplit,
    initialAccuracy: curve[0]?.accuracy ?? NaN,
    finalAccuracy: curve[curve.length - 1]?.accuracy ?? NaN,
    curve,
    ledger: result.ledger,
    chargedFlops: ledger.chargedFlops,
    trainOnZeroAdvantage: config.trainOnZeroAdvantage,
    initialEval: result.evals[0]?.eval ?? null,
    finalEval: result.evals[result.evals.length - 1]?.eval ?? null,
  };
}

/** What a run asks of its policy factory. */
export interface PolicyRequest {
  config: TrainConfig;
  /** A checkpoint to continue from (weights and optimizer state); absent: start from the base policy. */
  checkpoint?: string;
  /** Where the run's relative paths (and the default cache) resolve: the working directory it started in. */
  workdir: string;
  callbacks: RunCallbacks;
}

export interface OpenedPolicy {
  policy: TrainablePolicy;
  /** Names the starting policy (e.g. the base checkpoint directory) for run records and profile caches. */
  base: string;
}

/**
 * Opens the policy a run trains. The run layer never builds one itself: `cli/` composes the embedded
 * engine (or a server, or a test's small policy). A KL reference, when the config asks for one, must
 * be the starting policy, also when `checkpoint` is given.
 */
export type PolicyFactory = (request: PolicyRequest) => Promise<OpenedPolicy>;

export interface RunInput {
  /** The run's config; on resume, the saved one with only `steps` / `flopBudget` changed (or absent). */
  config?: TrainConfig;
  runDir: string;
  /** Continue from the run directory's latest checkpoint with its saved config. */
  resume?: boolean;
  policies: PolicyFactory;
  /** For tests: stop (as if killed) after this many steps. */
  stopAfterSteps?: number;
}

export async function runTraining(input: RunInput, callbacks: RunCallbacks = {}): Promise<RunSummary> {
  const runDir = new RunDir(input.runDir);
  const { config, workdir, resuming } = openRunConfig(runDir, input);
  const latest = resuming ? runDir.latest() : undefined;
  const state = latest ? readTrainerState(latest.dir) : undefined;
  if (state && state.step > config.steps) {
    throw new Error(
      `--resume: the run has done ${state.step} steps already, more than the ${config.steps} asked`,
    );
  }
  if (!state) runDir.truncateMetrics(-1); // no checkpoint to continue from: start the metrics afresh
  const data = inWorkdir(config, workdir).data;
  const opened = await input.policies({
    config: inWorkdir(config, workdir),
    checkpoint: latest?.dir,
    workdir,
    callbacks,
  });
  const { policy, base: baseDir } = opened;
  try {
    recordStart(runDir.root, baseDir, resuming);
    const { train: trainSet, eval: evalSet } = await loadDatasets(data);
    const score = scorerFor(data);
    const ledger = new Ledger(state?.ledger);
    const strategy = await strategyFor({
      config: inWorkdir(config, workdir),
      runDir,
      opened,
      trainSet,
      score,
      ledger,
      resumed: state !== undefined,
      callbacks,
    });
    callbacks.onPhase?.(state ? `resuming at step ${state.step}` : 'training');
    const result = await train({
      config,
      policy,
      strategy,
      evalSet,
      score,
      runDir,
      ledger,
      resumeFrom: state,
      onStep: callbacks.onStep,
      onEval: callbacks.onEval,
      stopAfterSteps: input.stopAfterSteps,
    });
    const summary = summarize(config, runDir.root, result);
    if (result.stoppedBy !== 'interrupted') runDir.writeSummary(summary);
    recordEnd(runDir.root, result.stoppedBy);
    return summary;
  } finally {
    await policy.close();
    await closeSharedVerifierPool();
  }
}

/** The allocation strategy, with the sGPO / VIP profile obtained (or read) under the starting policy. */
async function strategyFor(a: {
  config: TrainConfig;
  runDir: RunDir;
  opened: OpenedPolicy;
  trainSet: Problem[];
  score: Scorer;
  ledger: Ledger;
  resumed: boolean;
  callbacks: RunCallbacks;
}): Promise<Strategy> {
  const { config, runDir, trainSet, score, ledger, callbacks } = a;
  const { policy, base: baseDir } = a.opened;
  const alloc = config.allocator;
  const profilePath =
    alloc.type === 'sgpo'
      ? alloc.profile
      : alloc.type === 'vip' && alloc.prior.type === 'profile'
        ? alloc.prior.profile
        : undefined;
  return createStrategy({
    config,
    problems: trainSet,
    runRoot: runDir.root,
    reprofile: reprofilerFor(policy, score, ledger, config),
    profile: async () => {
      callbacks.onPhase?.('profiling the initial policy');
      // On resume the ledger already holds the profile's FLOPs: charge a throwaway ledger instead.
      const charge = a.resumed ? new Ledger() : ledger;
      return obtainProfile({
        path: profilePath,
        k: alloc.type === 'sgpo' ? alloc.k : 8,
        policy,
        problems: trainSet,
        score,
        runRoot: runDir.root,
        ledger: charge,
        config,
        model: baseDir,
        onProgress: callbacks.onProfile,
      });
    },
  });
}

/** Fields a resumed run may change: it can be given more steps or a larger budget, nothing else. */
const RESUMABLE_FIELDS = ['steps', 'flopBudget'];

/**
 * The config of a new run (saved, with the working directory it started in), or of a resumed one:
 * the saved config, with `steps` / `flopBudget` taken from `requested`; any other difference is refused.
 */
function openRunConfig(
  runDir: RunDir,
  input: RunInput,
): { config: TrainConfig; workdir: string; resuming: boolean } {
  const resuming = input.resume === true && existsSync(runDir.configPath);
  if (!resuming) {
    if (!input.config) throw new Error('runTraining: a config is needed to start a run');
    runDir.writeConfig(input.config);
    writeJsonAtomic(join(runDir.root, ORIGIN_FILE), { workdir: process.cwd() });
    return { config: input.config, workdir: process.cwd(), resuming };
  }
  const saved = parseConfig(TrainConfigSchema, readJson(runDir.configPath), runDir.configPath);
  const origin = join(runDir.root, ORIGIN_FILE);
  const workdir = existsSync(origin) ? readJson<{ workdir: string }>(origin).workdir : process.cwd();
  if (!input.config) return { config: saved, workdir, resuming };
  const refused = changedFields(saved, input.config).filter((f) => !RESUMABLE_FIELDS.includes(f));
  if (refused.length > 0) {
    throw new ConfigError(
      `--resume continues ${runDir.root} with its saved config; it cannot change ${refused.join(', ')} ` +
        `(only ${RESUMABLE_FIELDS.join(' and ')} may change). Start a new run directory to change them.`,
    );
  }
  const config = { ...saved, steps: input.config.steps, flopBudget: input.config.flopBudget };
  runDir.writeConfig(config);
  return { config, workdir, resuming };
}

const ORIGIN_FILE = 'origin.json';

/** Dotted paths of the leaves where two configs differ. */
export function changedFields(a: unknown, b: unknown, prefix = ''): string[] {
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    return [...keys].flatMap((k) =>
      changedFields(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        prefix ? `${prefix}.${k}` : k,
      ),
    );
  }
  return isDeepStrictEqual(a, b) ? [] : [prefix || '(root)'];
}

/** The config with its relative file paths resolved against the directory the run started in. */
export function inWorkdir(config: TrainConfig, workdir: string): TrainConfig {
  const at = (p: string | undefined) => (p === undefined || isAbsolute(p) ? p : resolve(workdir, p));
  const c = structuredClone(config);
  c.base = at(c.base);
  c.data.train = at(c.data.train);
  c.data.eval = at(c.data.eval);
  if (!(c.data.mixture in MIXTURES)) c.data.mixture = at(c.data.mixture)!;
  if (c.allocator.type === 'sgpo') c.allocator.profile = at(c.allocator.profile);
  if (c.allocator.type === 'vip' && c.allocator.prior.type === 'profile')
    c.allocator.prior.profile = at(c.allocator.prior.profile);
  return c;
}
