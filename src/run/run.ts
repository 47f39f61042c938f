/**
 * One training run end to end: base policy → prompt sets → (profile) → strategy → trainer → summary.
 * `resume` continues from the run directory's latest checkpoint with the config saved there.
 */
import { existsSync } from 'node:fs';
import { ensureBase, PretrainConfigSchema, type PretrainProgress } from '../policy/pretrain.js';
import { loadEmbeddedPolicy } from '../policy/embedded.js';
import { closeSharedVerifierPool } from '../verify/index.js';
import { parseConfig, TrainConfigSchema, type TrainConfig } from './config.js';
import { headlineAccuracy, type EvalResult } from './evaluator.js';
import { Ledger, type LedgerState } from './ledger.js';
import type { ProfileProgress } from './profile.js';
import { recordEnd, recordStart } from './meta.js';
import { RunDir, readJson } from './rundir.js';
import { createStrategy, loadDatasets, obtainProfile, reprofilerFor, scorerFor } from './setup.js';
import { readTrainerState, train, type EvalPoint, type StepRow, type TrainResult } from './trainer.js';

export interface RunCallbacks {
  onPretrain?: (p: PretrainProgress) => void;
  onProfile?: (p: ProfileProgress) => void;
  onStep?: (row: StepRow) => void;
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
  /** Held-out accuracy against training-side FLOPs (profiling included). */
  curve: Array<{ step: number; chargedFlops: number; accuracy: number; sampledAccuracy: number | null }>;
  ledger: LedgerState;
  chargedFlops: number;
  trainOnZeroAdvantage: boolean;
  /** The first and last held-out evaluations in full (greedy, sampled, pass@k). */
  initialEval?: EvalResult | null;
  finalEval?: EvalResult | null;
}

/** The base checkpoint a config trains from: its `base`, or the default warm start (built on first use). */
export async function resolveBase(config: TrainConfig, callbacks: RunCallbacks = {}): Promise<string> {
  if (config.base) {
    if (!existsSync(config.base)) throw new Error(`base checkpoint ${config.base} does not exist`);
    return config.base;
  }
  const pre = parseConfig(PretrainConfigSchema, { threads: config.threads }, 'default pretrain config');
  callbacks.onPhase?.('base policy: supervised warm start (cached after the first run)');
  return (await ensureBase(pre, { onProgress: callbacks.onPretrain })).dir;
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

export async function runTraining(
  input: { config?: TrainConfig; runDir: string; resume?: boolean; stopAfterSteps?: number },
  callbacks: RunCallbacks = {},
): Promise<RunSummary> {
  const runDir = new RunDir(input.runDir);
  const resuming = input.resume === true && existsSync(runDir.configPath);
  let config: TrainConfig;
  if (resuming) {
    config = parseConfig(TrainConfigSchema, readJson(runDir.configPath), runDir.configPath);
  } else {
    if (!input.config) throw new Error('runTraining: a config is needed to start a run');
    config = input.config;
    runDir.writeConfig(config);
  }
  const latest = resuming ? runDir.latest() : undefined;
  const state = latest ? readTrainerState(latest.dir) : undefined;
  if (!state) runDir.truncateMetrics(-1); // no checkpoint to continue from: start the metrics afresh

  const baseDir = await resolveBase(config, callbacks);
  recordStart(runDir.root, baseDir, resuming);
  const { train: trainSet, eval: evalSet } = await loadDatasets(config.data);
  const score = scorerFor(config.data);
  const ledger = new Ledger(state?.ledger);
  const policy = await loadEmbeddedPolicy(latest?.dir ?? baseDir, {
    threads: config.threads,
    optimizer: latest !== undefined,
    withReference: config.optim.klCoef > 0,
    referenceDir: baseDir,
  });
  try {
    const a = config.allocator;
    const profilePath =
      a.type === 'sgpo'
        ? a.profile
        : a.type === 'vip' && a.prior.type === 'profile'
          ? a.prior.profile
          : undefined;
    const strategy = await createStrategy({
      config,
      problems: trainSet,
      runRoot: runDir.root,
      reprofile: reprofilerFor(policy, score, ledger, config),
      profile: async () => {
        callbacks.onPhase?.('profiling the initial policy');
        // On resume the ledger already holds the profile's FLOPs: charge a throwaway ledger instead.
        const charge = state ? new Ledger() : ledger;
        return obtainProfile({
          path: profilePath,
          k: a.type === 'sgpo' ? a.k : 8,
          policy,
          problems: trainSet,
          score,
          runRoot: runDir.root,
          ledger: charge,
          config,
          onProgress: callbacks.onProfile,
        });
      },
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
