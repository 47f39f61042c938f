/**
 * The RL loop end to end on the real engine, at a size that runs in seconds: a tiny GPT warm-started
 * on letter counting, then trained by GRPO. Held-out reward must rise; a killed run must resume to
 * the same numbers; the ledger must equal what the engine counted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbeddedPolicy } from '../../src/policy/embedded.js';
import { ensureBase, PretrainConfigSchema, type PretrainSummary } from '../../src/policy/pretrain.js';
import { parseConfig, TrainConfigSchema, type TrainConfig } from '../../src/run/config.js';
import { Ledger } from '../../src/run/ledger.js';
import { RunDir } from '../../src/run/rundir.js';
import { createStrategy, loadDatasets, scorerFor } from '../../src/run/setup.js';
import { readTrainerState, train } from '../../src/run/trainer.js';
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

async function run(cfg: TrainConfig, root: string, opts: { stopAfterSteps?: number; resume?: boolean } = {}) {
  const runDir = new RunDir(root);
  const { train: trainSet, eval: evalSet } = await loadDatasets(cfg.data);
  const latest = opts.resume ? runDir.latest() : undefined;
  const state = latest ? readTrainerState(latest.dir) : undefined;
  const policy = await loadEmbeddedPolicy(latest?.dir ?? base.dir, {
    threads: 2,
    optimizer: latest !== undefined,
    withReference: cfg.optim.klCoef > 0,
    referenceDir: base.dir,
  });
  const ledger = new Ledger(state?.ledger);
  const before = { ...policy.model.flops }; // a checkpoint carries the counts of what made it
  try {
    const strategy = await createStrategy({ config: cfg, problems: trainSet, runRoot: root });
    const result = await train({
      config: cfg,
      policy,
      strategy,
      evalSet,
      score: scorerFor(cfg.data),
      runDir,
      ledger,
      resumeFrom: state,
      stopAfterSteps: opts.stopAfterSteps,
    });
    const after = policy.model.flops;
    return {
      result,
      engineFlops: {
        sample: after.sample - before.sample,
        train: after.forward + after.backward - before.forward - before.backward,
        logprobs: after.logprobs - before.logprobs,
      },
    };
  } finally {
    await policy.close();
  }
}

describe('RL loop on the embedded engine', () => {
  it('raises held-out reward over its start, and the ledger equals the engine’s own FLOP counts', async () => {
    const root = join(dir, 'run-a');
    const { result, engineFlops } = await run(config(), root);
    const first = result.evals[0].eval.sampledAccuracy!;
    const last = result.evals[result.evals.length - 1].eval.sampledAccuracy!;
    console.log(`e2e held-out sampled accuracy ${first.toFixed(3)} → ${last.toFixed(3)}`);
    expect(last).toBeGreaterThan(first + 0.1);
    const l = result.ledger;
    expect(l.rollout.flops + l.eval.flops).toBe(engineFlops.sample);
    expect(l.train.flops).toBe(engineFlops.train);
    expect(l.logprob.flops).toBe(engineFlops.logprobs);
    expect(l.rollout.flops).toBeGreaterThan(0);
  });

  it('a KL penalty to the base charges its reference forward to the log-prob phase', async () => {
    const { result, engineFlops } = await run(config({ steps: 3, optim: { lr: 2e-3, klCoef: 0.05 } }), join(dir, 'run-kl'));
    expect(result.ledger.logprob.flops).toBeGreaterThan(0);
    expect(engineFlops.logprobs).toBe(0); // the reference is its own model: the policy's counts exclude it
  });

  it('a killed run resumes from its checkpoint and ends with the same numbers', async () => {
    const whole = join(dir, 'run-whole');
    const killed = join(dir, 'run-killed');
    const cfg = config({ steps: 14 });
    await run(cfg, whole);
    const partial = await run(cfg, killed, { stopAfterSteps: 8 }); // last checkpoint at step 5
    expect(partial.result.stoppedBy).toBe('interrupted');
    await run(cfg, killed, { resume: true });
    expect(metricRowsWithoutTimes(killed)).toEqual(metricRowsWithoutTimes(whole));
  });
});
