/**
 * The RL loop end to end on the real engine, at a size that runs in seconds: a tiny GPT warm-started
 * on letter counting, then trained by GRPO. Held-out reward must rise; a killed run must resume to
 * the same numbers; the ledger must equal what the engine counted.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedPolicies } from '../../src/cli/policies.js';
import type { EmbeddedPolicy } from '../../src/policy/embedded.js';
import { ensureBase, PretrainConfigSchema, type PretrainSummary } from '../../src/policy/pretrain.js';
import { parseConfig, TrainConfigSchema, type TrainConfig } from '../../src/run/config.js';
import { RunDir } from '../../src/run/rundir.js';
import { runTraining, type PolicyFactory } from '../../src/run/run.js';
import { metricRowsWithoutTimes } from '../helpers/metrics.js';

const MIXTURE = { name: 'count', components: [{ family: 'count', levels: [1, 2], weight: 1 }] };

let dir: string;
let base: PretrainSummary;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flopwise-e2e-'));
  const mixturePath = join(dir, 'count.json');
  writeFileSync(mixturePath, JSON.stringify(MIXTURE));
  base = await ensureBase(
    PretrainConfigSchema.parse({
      mixture: mixturePath,
      examples: 4000,
      steps: 120,
      batchSize: 32,
      lr: 3e-3,
      warmupSteps: 10,
      model: { dModel: 32, nLayers: 2, nHeads: 2, contextLength: 24 },
    }),
    { cacheDir: join(dir, 'cache') },
  );
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(extra: Record<string, unknown> = {}): TrainConfig {
  return parseConfig(
    TrainConfigSchema,
    {
      seed: 3,
      steps: 30,
      data: { mixture: join(dir, 'count.json'), trainSize: 200, evalSize: 48 },
      allocator: { type: 'uniform', promptsPerStep: 16, groupSize: 8 },
      optim: { lr: 2e-3 },
      sampling: { maxNewTokens: 4 },
      eval: { every: 10, samples: 4, passK: 2 },
      checkpointEvery: 5,
      ...extra,
    },
    'e2e',
  );
}

/** runTraining itself, on the embedded engine from the test's base; measures what the engine counted. */
async function run(cfg: TrainConfig, root: string, opts: { stopAfterSteps?: number; resume?: boolean } = {}) {
  const engineFlops = { sample: 0, train: 0, logprobs: 0 };
  const policies: PolicyFactory = async (request) => {
    const opened = await embeddedPolicies(request);
    const model = (opened.policy as EmbeddedPolicy).model;
    const before = { ...model.flops }; // a checkpoint carries the counts of what made it
    const close = opened.policy.close.bind(opened.policy);
    opened.policy.close = async () => {
      engineFlops.sample = model.flops.sample - before.sample;
      engineFlops.train = model.flops.forward + model.flops.backward - before.forward - before.backward;
      engineFlops.logprobs = model.flops.logprobs - before.logprobs;
      await close();
    };
    return opened;
  };
  const summary = await runTraining({
    config: { ...cfg, base: base.dir, threads: 2 },
    runDir: root,
    policies,
    ...opts,
  });
  const evals = readMetrics(root).filter((r) => r.eval);
  return { summary, evals, engineFlops };
}

const readMetrics = (root: string) =>
  new RunDir(root).readMetrics() as Array<{ eval?: { sampledAccuracy: number } }>;

describe('RL loop on the embedded engine', () => {
  it('raises held-out reward over its start, and the ledger equals the engine’s own FLOP counts', async () => {
    const root = join(dir, 'run-a');
    const { summary, evals, engineFlops } = await run(config(), root);
    const first = evals[0].eval!.sampledAccuracy;
    const last = evals[evals.length - 1].eval!.sampledAccuracy;
    console.log(`e2e held-out sampled accuracy ${first.toFixed(3)} → ${last.toFixed(3)}`);
    expect(last).toBeGreaterThan(first + 0.1);
    const l = summary.ledger;
    expect(l.rollout.flops + l.eval.flops).toBe(engineFlops.sample);
    expect(l.train.flops).toBe(engineFlops.train);
    expect(l.logprob.flops).toBe(engineFlops.logprobs);
    expect(l.rollout.flops).toBeGreaterThan(0);
  });

  it('a KL penalty to the base charges its reference forward to the log-prob phase', async () => {
    const { summary, engineFlops } = await run(
      config({ steps: 3, optim: { lr: 2e-3, klCoef: 0.05 } }),
      join(dir, 'run-kl'),
    );
    expect(summary.ledger.logprob.flops).toBeGreaterThan(0);
    expect(engineFlops.logprobs).toBe(0); // the reference is its own model: the policy's counts exclude it
  });

  it('a killed run resumes from its checkpoint and ends with the same numbers', async () => {
    const whole = join(dir, 'run-whole');
    const killed = join(dir, 'run-killed');
    const cfg = config({ steps: 14 });
    await run(cfg, whole);
    const partial = await run(cfg, killed, { stopAfterSteps: 8 }); // last checkpoint at step 5
    expect(partial.summary.stoppedBy).toBe('interrupted');
    await run(cfg, killed, { resume: true });
    expect(metricRowsWithoutTimes(killed)).toEqual(metricRowsWithoutTimes(whole));
  });

  it('with a KL penalty, a resumed run keeps the base as its reference (same numbers as the whole run)', async () => {
    const whole = join(dir, 'kl-whole');
    const killed = join(dir, 'kl-killed');
    const cfg = config({
      steps: 8,
      optim: { lr: 2e-3, klCoef: 0.5 },
      eval: { every: 4, samples: 2, passK: 2 },
    });
    await run(cfg, whole);
    await run(cfg, killed, { stopAfterSteps: 6 }); // resumes from the step-5 checkpoint
    await run(cfg, killed, { resume: true });
    expect(metricRowsWithoutTimes(killed)).toEqual(metricRowsWithoutTimes(whole));
  });

  it('resume accepts more steps, refuses any other change, and works from another working directory', async () => {
    const root = join(dir, 'run-more');
    const cfg = config({ steps: 4 });
    await run(cfg, root);
    await expect(run({ ...cfg, seed: 4 }, root, { resume: true })).rejects.toThrow(
      /cannot change seed \(only steps and flopBudget may change\)/,
    );
    await expect(
      run({ ...cfg, steps: 6, allocator: { type: 'uniform', promptsPerStep: 8, groupSize: 8 } }, root, {
        resume: true,
      }),
    ).rejects.toThrow(/cannot change allocator.promptsPerStep/);
    const cwd = process.cwd();
    process.chdir(tmpdir());
    try {
      const { summary } = await run({ ...cfg, steps: 6 }, root, { resume: true });
      expect(summary.steps).toBe(6);
    } finally {
      process.chdir(cwd);
    }
    const steps = new RunDir(root).readMetrics().map((r) => r.step);
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('finds a cached base where the cache is now, not where it was built', async () => {
    const moved = join(dir, 'moved-cache');
    cpSync(join(dir, 'cache'), moved, { recursive: true });
    const again = await ensureBase(base.config, { cacheDir: moved });
    expect(again.dir).toBe(join(moved, 'base', base.hash));
    expect(again.finalLoss).toBe(base.finalLoss);
  });
});
