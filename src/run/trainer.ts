/**
 * The RL loop, readable in one place (in the manner of CleanRL). `train` is the loop; each step is
 * the named functions below, in order:
 *
 *   collect      the strategy picks prompts and a group size per prompt, and samples (maybe more than once)
 *   score        every rollout is scored by the verifier (inside collect: strategies read the rewards)
 *   advantages   per group (estimator), optionally scaled by an asymmetric prompt weight
 *   batch        the rollouts that carry signal, with their tokens and old log-probs
 *   update       clipped policy-gradient updates over mini-batches (the objective is algo/loss)
 *   record       held-out eval every E steps, and one metrics row
 *   checkpoint   every N steps (model, optimizer, strategy, ledger)
 *
 * Every way a run ends (steps, FLOP budget, the strategy's schedule) goes through `finish`.
 *
 * Seeds for every sampling call derive from (run seed, step, call), so a resumed run draws exactly
 * the rollouts an uninterrupted run would have drawn.
 */
import type { Rollout, TrainablePolicy, TrainingRollout } from '../policy/types.js';
import type { Problem } from '../tasks/types.js';
import { stepSeed } from './seeds.js';
import { advantagesOf, groupsToTrain } from './advantages.js';
import type { TrainConfig } from './config.js';
import { evaluate, headlineAccuracy, type EvalResult } from './evaluator.js';
import { Ledger, type LedgerState } from './ledger.js';
import type { RunDir } from './rundir.js';
import { readJson, writeJsonAtomic } from './rundir.js';
import type { Scorer } from './scoring.js';
import type { CollectResult, ScoredGroup, Strategy } from './strategies/types.js';
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
  /** Every held-out evaluation as it finishes, the one before the first step included. */
  onEval?: (step: number, result: EvalResult) => void;
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

/** What the loop carries from step to step. */
interface Loop {
  deps: TrainDeps;
  /** Steps completed. */
  step: number;
  evals: EvalPoint[];
}

export async function train(deps: TrainDeps): Promise<TrainResult> {
  const loop = await start(deps);
  const { config } = deps;
  for (;;) {
    const ended = endBefore(loop);
    if (ended) return finish(loop, ended);
    const started = performance.now();
    const thisStep = loop.step + 1;
    const { collected, sampled } = await collect(loop, thisStep);
    const groups = groupsToTrain(collected.groups, config.estimator);
    const advantages = advantagesOf(groups, config.estimator, config.weighting);
    const batch = trainingBatch(groups, advantages, config.trainOnZeroAdvantage, deps.policy.kind);
    const lr = learningRate(config.optim, loop.step);
    const updated = await update(deps, batch, lr);
    const wallMs = performance.now() - started;
    loop.step = thisStep;
    const evalResult = isEvalStep(config, thisStep) ? await runEval(loop, thisStep) : undefined;
    record(loop, {
      collected,
      promptsUsed: new Set(sampled.map((g) => g.problem.id)).size,
      groups: groups.length,
      signal: signalStats(groups, advantages),
      trained: batch.length,
      updated,
      lr,
      wallMs,
      evalResult,
    });
    if (thisStep % config.checkpointEvery === 0 || thisStep === config.steps) await checkpoint(loop);
    // Let the event loop run once per step: a step's awaits resolve at once on the embedded engine,
    // so without this a Ctrl-C handler (or a dashboard request) would wait for the whole run.
    await new Promise((resolve) => setImmediate(resolve));
    if (collected.finished) return finish(loop, 'schedule');
    if (deps.stopAfterSteps !== undefined && thisStep >= deps.stopAfterSteps && thisStep < config.steps) {
      return { steps: thisStep, evals: loop.evals, ledger: deps.ledger.snapshot(), stoppedBy: 'interrupted' };
    }
  }
}

/** Restores a resumed run's state, or evaluates the initial policy (row 0) of a new one. */
async function start(deps: TrainDeps): Promise<Loop> {
  const { resumeFrom, runDir, ledger } = deps;
  const loop: Loop = { deps, step: 0, evals: resumeFrom ? [...resumeFrom.evals] : [] };
  if (resumeFrom) {
    loop.step = resumeFrom.step;
    deps.strategy.setState(resumeFrom.strategy);
    runDir.truncateMetrics(loop.step);
  } else {
    const initial = await runEval(loop, 0);
    runDir.appendMetrics({
      step: 0,
      chargedFlops: ledger.chargedFlops,
      ledger: ledger.snapshot(),
      eval: initial,
    });
  }
  return loop;
}

/** Why the run ends before taking another step, if it does. */
function endBefore(loop: Loop): TrainResult['stoppedBy'] | undefined {
  const { config, ledger } = loop.deps;
  if (loop.step >= config.steps) return 'steps';
  if (config.flopBudget > 0 && ledger.chargedFlops >= config.flopBudget) return 'flop-budget';
  return undefined;
}

/** The one way out: the last step gets its eval row and checkpoint when its own step did not write them. */
async function finish(loop: Loop, stoppedBy: TrainResult['stoppedBy']): Promise<TrainResult> {
  const { ledger, runDir } = loop.deps;
  if (loop.evals[loop.evals.length - 1]?.step !== loop.step) {
    const result = await runEval(loop, loop.step);
    runDir.appendMetrics({
      step: loop.step,
      chargedFlops: ledger.chargedFlops,
      ledger: ledger.snapshot(),
      eval: result,
    });
    await checkpoint(loop);
  }
  return { steps: loop.step, evals: loop.evals, ledger: ledger.snapshot(), stoppedBy };
}

function isEvalStep(config: TrainConfig, step: number): boolean {
  return step % config.eval.every === 0 || step === config.steps;
}

async function runEval(loop: Loop, atStep: number): Promise<EvalResult> {
  const { config, policy, ledger, strategy } = loop.deps;
  const result = await evaluate(policy, loop.deps.evalSet, loop.deps.score, ledger, {
    samples: config.eval.samples,
    passK: config.eval.passK,
    maxNewTokens: config.sampling.maxNewTokens,
    seed: stepSeed(config.seed, 'eval', atStep),
  });
  loop.evals.push({ step: atStep, chargedFlops: ledger.chargedFlops, eval: result });
  strategy.onEval?.(atStep, headlineAccuracy(result, config.eval.headline));
  loop.deps.onEval?.(atStep, result);
  return result;
}

/** collect + score: the strategy samples through `sample`, which scores every rollout it returns. */
async function collect(
  loop: Loop,
  thisStep: number,
): Promise<{ collected: CollectResult; sampled: ScoredGroup[] }> {
  const { config, policy, ledger, strategy } = loop.deps;
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
      const groups = await score(problems, out.groups, loop.deps.score);
      sampled.push(...groups);
      return groups;
    },
  });
  strategy.observe?.(sampled, thisStep);
  return { collected, sampled };
}

async function score(problems: Problem[], rollouts: Rollout[][], scorer: Scorer): Promise<ScoredGroup[]> {
  const groups: ScoredGroup[] = [];
  for (let i = 0; i < problems.length; i++) {
    const scored = [];
    for (const r of rollouts[i]) scored.push({ ...r, ...(await scorer(problems[i], r.text)) });
    groups.push({ problem: problems[i], rollouts: scored });
  }
  return groups;
}

/** Reward and advantage statistics of the step's groups, for the metrics row. */
function signalStats(groups: ScoredGroup[], advantages: number[][]) {
  let rewardSum = 0;
  let absAdvSum = 0;
  let rollouts = 0;
  let zeroAdvantage = 0;
  let groupsWithSignal = 0;
  groups.forEach((group, g) => {
    if (advantages[g].some((a) => a !== 0)) groupsWithSignal++;
    group.rollouts.forEach((r, i) => {
      rewardSum += r.reward;
      rollouts++;
      absAdvSum += Math.abs(advantages[g][i]);
      if (advantages[g][i] === 0) zeroAdvantage++;
    });
  });
  return {
    reward: rollouts ? rewardSum / rollouts : 0,
    rolloutsZeroAdvantage: zeroAdvantage,
    groupsWithSignal,
    meanAbsAdvantage: rollouts ? absAdvSum / rollouts : 0,
  };
}

/** The rollouts to train on: those with a non-zero advantage (all of them with trainOnZeroAdvantage). */
function trainingBatch(
  groups: ScoredGroup[],
  advantages: number[][],
  trainOnZeroAdvantage: boolean,
  policyKind: string,
): TrainingRollout[] {
  const batch: TrainingRollout[] = [];
  groups.forEach((group, g) =>
    group.rollouts.forEach((r, i) => {
      const advantage = advantages[g][i];
      if (advantage === 0 && !trainOnZeroAdvantage) return;
      if (!r.promptTokens || !r.completionTokens || !r.logprobs) {
        throw new Error(
          `policy ${policyKind} returned rollouts without tokens or log-probs: it cannot be trained`,
        );
      }
      batch.push({
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
        oldLogprobs: r.logprobs,
        advantage,
      });
    }),
  );
  return batch;
}

/** Policy-gradient updates over mini-batches; losses and clip fractions averaged, the largest gradient norm kept. */
async function update(deps: TrainDeps, batch: TrainingRollout[], lr: number) {
  const { config, policy, ledger } = deps;
  const out = { loss: 0, clipFraction: 0, gradNorm: 0 };
  if (batch.length === 0) return out;
  const parts = Math.min(config.optim.miniBatches, batch.length);
  for (let m = 0; m < parts; m++) {
    const mini = batch.filter((_, i) => i % parts === m);
    const updateStart = performance.now();
    const stats = await policy.update(mini, {
      ...config.optim,
      lr,
      tokenBudget: config.sampling.maxNewTokens,
    });
    // One call does the reference forward (log-prob) and the update (train); its time goes to train.
    ledger.add('train', stats.trainFlops, stats.tokens, performance.now() - updateStart);
    if (stats.logprobFlops > 0) ledger.add('logprob', stats.logprobFlops, 0, 0);
    out.loss += stats.loss / parts;
    out.clipFraction += stats.clipFraction / parts;
    out.gradNorm = Math.max(out.gradNorm, stats.gradNorm);
  }
  return out;
}

/** What one step did, for its metrics row. */
interface StepOutcome {
  collected: CollectResult;
  promptsUsed: number;
  /** Groups trained on (singletons left out under `singleton: drop`). */
  groups: number;
  signal: ReturnType<typeof signalStats>;
  trained: number;
  updated: Awaited<ReturnType<typeof update>>;
  lr: number;
  wallMs: number;
  evalResult?: EvalResult;
}

/** record: the metrics row of a step (with its eval, if any), on disk and to the listener. */
function record(loop: Loop, o: StepOutcome): void {
  const { ledger, runDir } = loop.deps;
  const row: StepRow = {
    step: loop.step,
    reward: o.signal.reward,
    promptsUsed: o.promptsUsed,
    rolloutsGenerated: o.collected.generated,
    rolloutsDiscarded: o.collected.discarded,
    rolloutsTrained: o.trained,
    rolloutsZeroAdvantage: o.signal.rolloutsZeroAdvantage,
    groups: o.groups,
    groupsWithSignal: o.signal.groupsWithSignal,
    meanAbsAdvantage: o.signal.meanAbsAdvantage,
    ...o.updated,
    lr: o.lr,
    chargedFlops: ledger.chargedFlops,
    ledger: ledger.snapshot(),
    wallMs: o.wallMs,
    ...(o.evalResult ? { eval: o.evalResult } : {}),
    ...(o.collected.info ? { info: o.collected.info } : {}),
  };
  runDir.appendMetrics(row);
  loop.deps.onStep?.(row);
}

async function checkpoint(loop: Loop): Promise<void> {
  const { ledger, strategy } = loop.deps;
  await saveCheckpoint(loop.deps, {
    step: loop.step,
    ledger: ledger.snapshot(),
    strategy: strategy.getState(),
    evals: loop.evals,
  });
}
