import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, TrainConfigSchema, type TrainConfig } from '../../src/run/config.js';
import { Ledger } from '../../src/run/ledger.js';
import { RunDir } from '../../src/run/rundir.js';
import { DynamicSamplingStrategy, UniformStrategy } from '../../src/run/strategies/uniform.js';
import { readTrainerState, train } from '../../src/run/trainer.js';
import { runTraining, type PolicyFactory } from '../../src/run/run.js';
import { loadDatasets } from '../../src/run/setup.js';
import { metricRowsWithoutTimes } from '../helpers/metrics.js';
import { exactScorer, TabularPolicy, toyProblems } from '../helpers/tabular-policy.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'flopwise-trainer-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const problems = toyProblems(40);
const initialLogit = (_: unknown, i: number): number => -3 + (i % 8); // p from ~0.05 to ~0.98

function config(overrides: Record<string, unknown> = {}): TrainConfig {
  return parseConfig(
    TrainConfigSchema,
    {
      seed: 7,
      steps: 12,
      optim: { lr: 4 },
      eval: { every: 4, samples: 4, passK: 2 },
      checkpointEvery: 4,
      allocator: { type: 'uniform', promptsPerStep: 8, groupSize: 4 },
      ...overrides,
    },
    'test',
  );
}

async function run(cfg: TrainConfig, root: string, stopAfterSteps?: number, resume = false) {
  const policy = new TabularPolicy(problems, initialLogit);
  const runDir = new RunDir(root);
  const strategy =
    cfg.allocator.type === 'dynamic'
      ? new DynamicSamplingStrategy(problems, cfg.allocator, cfg.seed)
      : new UniformStrategy(
          problems,
          cfg.allocator as { promptsPerStep: number; groupSize: number },
          cfg.seed,
        );
  let resumeFrom;
  let ledger = new Ledger();
  if (resume) {
    const latest = runDir.latest()!;
    policy.load(latest.dir);
    resumeFrom = readTrainerState(latest.dir);
    ledger = new Ledger(resumeFrom.ledger);
  }
  const result = await train({
    config: cfg,
    policy,
    strategy,
    evalSet: problems,
    score: exactScorer,
    runDir,
    ledger,
    resumeFrom,
    stopAfterSteps,
  });
  return { result, policy, runDir };
}

describe('trainer (tabular policy)', () => {
  it('raises held-out reward over its start', async () => {
    const { result } = await run(config(), tmp());
    const first = result.evals[0].eval.sampledAccuracy!;
    const last = result.evals[result.evals.length - 1].eval.sampledAccuracy!;
    expect(result.evals.map((e) => e.step)).toEqual([0, 4, 8, 12]);
    expect(last).toBeGreaterThan(first + 0.05);
  });

  it('ledger totals equal the sum of what the policy reported', async () => {
    const root = tmp();
    const { result, policy } = await run(config(), root);
    // the tabular policy charges 100 FLOPs per sampled rollout and 300 per trained rollout
    const rows = readFileSync(join(root, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const trained = rows.reduce((s, r) => s + (r.rolloutsTrained ?? 0), 0);
    const generated = rows.reduce((s, r) => s + (r.rolloutsGenerated ?? 0), 0);
    expect(result.ledger.train.flops).toBe(300 * trained);
    expect(result.ledger.rollout.flops).toBe(100 * generated);
    const evalRollouts = policy.sampleCalls
      .filter((c) => c.seed !== undefined)
      .reduce((s, c) => s + c.n.reduce((a, b) => a + b, 0), 0);
    expect(result.ledger.rollout.flops + result.ledger.eval.flops).toBe(100 * evalRollouts);
  });

  it('skips zero-advantage rollouts unless told to train on them', async () => {
    const a = tmp();
    const b = tmp();
    await run(config({ steps: 2 }), a);
    await run(config({ steps: 2, trainOnZeroAdvantage: true }), b);
    const rowsOf = (root: string) =>
      readFileSync(join(root, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .slice(1);
    const skip = rowsOf(a);
    const all = rowsOf(b);
    expect(all[0].rolloutsTrained).toBe(32);
    expect(skip[0].rolloutsTrained).toBeLessThan(32);
    expect(skip[0].rolloutsTrained).toBe(4 * skip[0].groupsWithSignal);
  });

  it('resumes a killed run and ends with the same numbers as an uninterrupted run', async () => {
    const whole = tmp();
    const killed = tmp();
    const full = await run(config(), whole);
    const partial = await run(config(), killed, 6); // killed after step 6; last checkpoint at step 4
    expect(partial.result.stoppedBy).toBe('interrupted');
    const resumed = await run(config(), killed, undefined, true);
    expect(resumed.policy.logits).toEqual(full.policy.logits);
    expect(resumed.result.evals.map((e) => e.eval)).toEqual(full.result.evals.map((e) => e.eval));
    expect(metricRowsWithoutTimes(killed)).toEqual(metricRowsWithoutTimes(whole));
  });

  it('dynamic sampling keeps only groups with signal and counts what it threw away', async () => {
    const root = tmp();
    await run(
      config({ steps: 3, allocator: { type: 'dynamic', promptsPerStep: 8, groupSize: 4, maxRounds: 3 } }),
      root,
    );
    const rows = readFileSync(join(root, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .slice(1);
    for (const r of rows) {
      expect(r.groupsWithSignal).toBe(r.groups);
      expect(r.rolloutsGenerated - r.rolloutsDiscarded).toBe(4 * r.groups);
      expect(r.rolloutsGenerated % 4).toBe(0);
      expect(r.groups).toBeLessThanOrEqual(8);
    }
    expect(rows.some((r) => r.rolloutsDiscarded > 0)).toBe(true);
  });

  it('stops at the FLOP budget through the same finish as every run: a final eval row and checkpoint', async () => {
    const root = tmp();
    const { result, runDir } = await run(config({ flopBudget: 10_000 }), root);
    expect(result.stoppedBy).toBe('flop-budget');
    expect(result.steps).toBeLessThan(12);
    // the step that crossed the budget completes, then the run stops
    expect(result.ledger.rollout.flops + result.ledger.train.flops).toBeGreaterThanOrEqual(10_000);
    expect(result.evals[result.evals.length - 1].step).toBe(result.steps);
    expect(runDir.latest()?.step).toBe(result.steps);
  });

  it("singleton groups: 'zero' keeps them with no signal, 'raw' trains on their rewards, 'drop' leaves them out", async () => {
    const rowsOf = async (singleton: string) => {
      const root = tmp();
      await run(
        config({
          steps: 2,
          estimator: { singleton },
          allocator: { type: 'uniform', promptsPerStep: 8, groupSize: 1 },
        }),
        root,
      );
      return readFileSync(join(root, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .slice(1);
    };
    const [zero, raw, drop] = [await rowsOf('zero'), await rowsOf('raw'), await rowsOf('drop')];
    expect(zero[0]).toMatchObject({
      groups: 8,
      groupsWithSignal: 0,
      rolloutsTrained: 0,
      meanAbsAdvantage: 0,
    });
    // A = r: every correct rollout trains with advantage 1
    expect(raw[0].rolloutsTrained).toBe(Math.round(raw[0].reward * 8));
    expect(raw[0].meanAbsAdvantage).toBeCloseTo(raw[0].reward, 12);
    expect(drop[0]).toMatchObject({ groups: 0, rolloutsTrained: 0, reward: 0, rolloutsGenerated: 8 });
  });
});

describe('runTraining with a policy from a factory (no engine)', () => {
  const cfg = (): TrainConfig =>
    parseConfig(
      TrainConfigSchema,
      {
        seed: 5,
        steps: 8,
        data: { mixture: 'ladder', trainSize: 64, evalSize: 16 },
        optim: { lr: 4 },
        eval: { every: 4, samples: 2, passK: 2 },
        checkpointEvery: 2,
        allocator: { type: 'uniform', promptsPerStep: 8, groupSize: 4 },
      },
      'test',
    );
  const policies: PolicyFactory = async ({ config, checkpoint }) => {
    const { train: trainSet, eval: evalSet } = await loadDatasets(config.data);
    const policy = new TabularPolicy([...trainSet, ...evalSet], (_, i) => -1 + (i % 4));
    if (checkpoint) policy.load(checkpoint);
    return { policy, base: 'tabular' };
  };

  it('trains, and a killed run resumes to the same numbers through the factory', async () => {
    const whole = tmp();
    const killed = tmp();
    const a = await runTraining({ config: cfg(), runDir: whole, policies });
    expect(a.steps).toBe(8);
    // 8 steps × 8 prompts × 4 rollouts, 100 FLOPs each as the tabular policy reports
    expect(a.ledger.rollout.flops).toBe(100 * 8 * 8 * 4);
    const partial = await runTraining({ config: cfg(), runDir: killed, policies, stopAfterSteps: 5 });
    expect(partial.stoppedBy).toBe('interrupted');
    await runTraining({ config: cfg(), runDir: killed, policies, resume: true });
    expect(metricRowsWithoutTimes(killed)).toEqual(metricRowsWithoutTimes(whole));
  });

  it('reports every evaluation as it finishes, the one before the first step included', async () => {
    const seen: Array<[number, number | null]> = [];
    await runTraining(
      { config: cfg(), runDir: tmp(), policies },
      { onEval: (step, r) => seen.push([step, r.sampledAccuracy]) },
    );
    // eval.every = 4 over 8 steps: before step 1, after step 4 and after step 8
    expect(seen.map(([step]) => step)).toEqual([0, 4, 8]);
    expect(seen.every(([, acc]) => acc !== null && acc >= 0 && acc <= 1)).toBe(true);
  });
});
