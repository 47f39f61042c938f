/**
 * The RL loop, readable in one place (in the manner of CleanRL):
 *
 *   for each step:
 *     1. the strategy picks prompts and a group size per prompt, and samples (maybe more than once)
 *     2. every rollout is scored by the verifier
 *     3. advantages per group (estimator), optionally scaled by an asymmetric prompt weight
 *     4. one clipped policy-gradient update (token-mean) over the rollouts that carry signal
 *     5. the FLOP ledger counts rollout, log-prob and train compute; every E steps, held-out eval
 *     6. a metrics row; every N steps a checkpoint (model, optimizer, strategy, ledger)
 *
 * Seeds for every sampling call derive from (run seed, step, call), so a resumed run draws exactly
 * the rollouts an uninterrupted run would have drawn.
 */
import type { TrainablePolicy, TrainingRollout } from '../policy/types.js';
import type { Problem } from '../tasks/types.js';
import { stepSeed } from './seeds.js';
import { advantagesOf } from './advantages.js';
import type { TrainConfig } from './config.js';
import { evaluate, headlineAccuracy, type EvalResult } from './evaluator.js';
import { Ledger, type LedgerState } from './ledger.js';
import type { RunDir } from './rundir.js';
import { readJson, writeJsonAtomic } from './rundir.js';
import type { Scorer } from './scoring.js';
import type { ScoredGroup, Strategy } from './strategies/types.js';
import { join } from 'node:path';

export interface EvalPoint {
  step: number;
  chargedFlops: number;
  eval: EvalResult;
}

export interface TrainerState {
  /** Steps completed. */
  step: number;
  ledger: LedgerState;
  strategy: unknown;
  evals: EvalPoint[];
}

export interface TrainDeps {
  config: TrainConfig;
  policy: TrainablePolicy;
  strategy: Strategy;
  evalSet: Problem[];
  score: Scorer;
  runDir: RunDir;
  ledger: Ledger;
  /** State from a checkpoint when resuming (the policy must already hold that checkpoint's weights). */
  resumeFrom?: TrainerState;
  onStep?: (row: StepRow) => void;
  /** For tests: stop (as if killed) after this many steps complete, without a final eval. */
  stopAfterSteps?: number;
}

export interface StepRow {
  step: number;
  reward: number;
  promptsUsed: number;
  rolloutsGenerated: number;
  rolloutsDiscarded: number;
  rolloutsTrained: number;
  /** Rollouts in kept groups whose advantage is 0 (not trained on unless trainOnZeroAdvantage). */
  rolloutsZeroAdvantage: number;
  groups: number;
  groupsWithSignal: number;
  meanAbsAdvantage: number;
  loss: number;
  clipFraction: number;
  gradNorm: number;
  lr: number;
  chargedFlops: number;
  ledger: LedgerState;
  wallMs: number;
  eval?: EvalResult;
  info?: Record<string, number | string>;
  [k: string]: unknown;
}

export interface TrainResult {
  steps: number;
  evals: EvalPoint[];
  ledger: LedgerState;
  stoppedBy: 'steps' | 'flop-budget' | 'schedule' | 'interrupted';
}

export function learningRate(cfg: TrainConfig['optim'], step: number): number {
  return cfg.warmupSteps > 0 && step < cfg.warmupSteps ? (cfg.lr * (step + 1)) / cfg.warmupSteps : cfg.lr;
}

const STATE_FILE = 'trainer-state.json';

export async function saveCheckpoint(deps: TrainDeps, state: TrainerState): Promise<void> {
  const dir = deps.runDir.checkpointDir(state.step);
  await deps.policy.save(dir);
  writeJsonAtomic(join(dir, STATE_FILE), state);
  deps.runDir.setLatest(state.step);
}

export function readTrainerState(checkpointDir: string): TrainerState {
  return readJson<TrainerState>(join(checkpointDir, STATE_FILE));
}

export async function train(deps: TrainDeps): Promise<TrainResult> {
  const { config, policy, strategy, ledger, runDir } = deps;
  const evals: EvalPoint[] = deps.resumeFrom ? [...deps.resumeFrom.evals] : [];
  let step = 0;
  if (deps.resumeFrom) {
    step = deps.resumeFrom.step;
    strategy.setState(deps.resumeFrom.strategy);
    runDir.truncateMetrics(step);
  }

  const runEval = async (atStep: number): Promise<EvalResult> => {
    const result = await evaluate(policy, deps.evalSet, deps.score, ledger, {
      samples: config.eval.samples,
      passK: config.eval.passK,
      maxNewTokens: config.sampling.maxNewTokens,
      seed: stepSeed(config.seed, 'eval', atStep),
    });
    evals.push({ step: atStep, chargedFlops: ledger.chargedFlops, eval: result });
    strategy.onEval?.(atStep, headlineAccuracy(result, config.eval.headline));
    return result;
  };

  if (step === 0) {
    const initial = await runEval(0);
    const row = { step: 0, chargedFlops: ledger.chargedFlops, ledger: ledger.snapshot(), eval: initial };
    runDir.appendMetrics(row);
  }

  let stoppedBy: TrainResult['stoppedBy'] = 'steps';
  while (step < config.steps) {
    if (config.flopBudget > 0 && ledger.chargedFlops >= config.flopBudget) {
      stoppedBy = 'flop-budget';
      break;
    }
    const started = performance.now();
    const thisStep = step + 1;

    // 1–2. allocation, sampling and scoring
    let call = 0;
    const sampled: ScoredGroup[] = [];
    const collected = await strategy.collect({
      step: thisStep,
      totalSteps: config.steps,
      progress:
        config.flopBudget > 0
          ? Math.min(0.999999, ledger.chargedFlops / config.flopBudget)
          : (thisStep - 1) / config.steps,
      sample: async (problems, n) => {
        const seed = stepSeed(config.seed, 'rollout', thisStep, call++);
        const out = await ledger.time('rollout', () =>
          policy.sample({
            prompts: problems.map((p) => p.prompt),
            n,
            maxNewTokens: config.sampling.maxNewTokens,
            temperature: config.sampling.temperature,
            seed,
          }),
        );
        const groups: ScoredGroup[] = [];
        for (let i = 0; i < problems.length; i++) {
          const rollouts = [];
          for (const r of out.groups[i]) rollouts.push({ ...r, ...(await deps.score(problems[i], r.text)) });
          groups.push({ problem: problems[i], rollouts });
        }
        sampled.push(...groups);
        return groups;
      },
    });
    strategy.observe?.(sampled, thisStep);

    // 3. advantages, one group at a time
    const batch: TrainingRollout[] = [];
    let absAdvSum = 0;
    let rolloutCount = 0;
    let rewardSum = 0;
    let groupsWithSignal = 0;
    let zeroAdvantage = 0;
    const allAdvantages = advantagesOf(collected.groups, config.estimator, config.weighting);
    collected.groups.forEach((group, g) => {
      const advantages = allAdvantages[g];
      if (advantages.some((a) => a !== 0)) groupsWithSignal++;
      group.rollouts.forEach((r, i) => {
        rewardSum += r.reward;
        rolloutCount++;
        absAdvSum += Math.abs(advantages[i]);
        if (advantages[i] === 0) zeroAdvantage++;
        if (advantages[i] === 0 && !config.trainOnZeroAdvantage) return;
        if (!r.promptTokens || !r.completionTokens || !r.logprobs) {
          throw new Error(
            `policy ${policy.kind} returned rollouts without tokens or log-probs: it cannot be trained`,
          );
        }
        batch.push({
          promptTokens: r.promptTokens,
          completionTokens: r.completionTokens,
          oldLogprobs: r.logprobs,
          advantage: advantages[i],
        });
      });
    });

    // 4. policy update over mini-batches
    const lr = learningRate(config.optim, step);
    let loss = 0;
    let clipFraction = 0;
    let gradNorm = 0;
    if (batch.length > 0) {
      const parts = Math.min(config.optim.miniBatches, batch.length);
      for (let m = 0; m < parts; m++) {
        const mini = batch.filter((_, i) => i % parts === m);
        const updateStart = performance.now();
        const stats = await policy.update(mini, { ...config.optim, lr, tokenBudget: config.sampling.maxNewTokens });
        // One call does the reference forward (log-prob) and the update (train); its time goes to train.
        ledger.add('train', stats.trainFlops, stats.tokens, performance.now() - updateStart);
        if (stats.logprobFlops > 0) ledger.add('logprob', stats.logprobFlops, 0, 0);
        loss += stats.loss / parts;
        clipFraction += stats.clipFraction / parts;
        gradNorm = Math.max(gradNorm, stats.gradNorm);
      }
    }
    const updateMs = performance.now() - started;
    step = thisStep;

    // 5. evaluation
    let evalResult: EvalResult | undefined;
    if (step % config.eval.every === 0 || step === config.steps) evalResult = await runEval(step);

    // 6. metrics and checkpoint
    const row: StepRow = {
      step,
      reward: rolloutCount ? rewardSum / rolloutCount : 0,
      promptsUsed: new Set(sampled.map((g) => g.problem.id)).size,
      rolloutsGenerated: collected.generated,
      rolloutsDiscarded: collected.discarded,
      rolloutsTrained: batch.length,
      rolloutsZeroAdvantage: zeroAdvantage,
      groups: collected.groups.length,
      groupsWithSignal,
      meanAbsAdvantage: rolloutCount ? absAdvSum / rolloutCount : 0,
      loss,
      clipFraction,
      gradNorm,
      lr,
      chargedFlops: ledger.chargedFlops,
      ledger: ledger.snapshot(),
      wallMs: updateMs,
      ...(evalResult ? { eval: evalResult } : {}),
      ...(collected.info ? { info: collected.info } : {}),
    };
    runDir.appendMetrics(row);
    deps.onStep?.(row);

    if (step % config.checkpointEvery === 0 || step === config.steps) {
      await saveCheckpoint(deps, { step, ledger: ledger.snapshot(), strategy: strategy.getState(), evals });
    }
    if (collected.finished) {
      stoppedBy = 'schedule';
      break;
    }
    if (deps.stopAfterSteps !== undefined && step >= deps.stopAfterSteps && step < config.steps) {
      return { steps: step, evals, ledger: ledger.snapshot(), stoppedBy: 'interrupted' };
    }
  }
  if ((stoppedBy === 'flop-budget' || stoppedBy === 'schedule') && evals[evals.length - 1]?.step !== step) {
    await runEval(step);
    runDir.appendMetrics({
      step,
      chargedFlops: ledger.chargedFlops,
      ledger: ledger.snapshot(),
      eval: evals[evals.length - 1].eval,
    });
    await saveCheckpoint(deps, { step, ledger: ledger.snapshot(), strategy: strategy.getState(), evals });
  }
  return { steps: step, evals, ledger: ledger.snapshot(), stoppedBy };
}
