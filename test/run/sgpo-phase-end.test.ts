import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sgpoPlan } from '../../src/algo/index.js';
import { parseConfig, TrainConfigSchema } from '../../src/run/config.js';
import { Ledger } from '../../src/run/ledger.js';
import { RunDir } from '../../src/run/rundir.js';
import { SgpoStrategy, type SgpoStrategyConfig } from '../../src/run/strategies/sgpo.js';
import { freshTracker, stepSignal, trackSignal } from '../../src/run/strategies/sgpo-signal.js';
import { train } from '../../src/run/trainer.js';
import type { Problem } from '../../src/tasks/types.js';
import { exactScorer, TabularPolicy, toyProblems } from '../helpers/tabular-policy.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('phase end by training signal (pure rule)', () => {
  const rule = { metric: 'reward' as const, window: 2, patience: 2, minDelta: 0.05 };

  it('ends after `patience` windowed readings without a rise of minDelta over the best', () => {
    // readings (window 2): −, 0.15, 0.25 (best), 0.28 (< 0.25 + 0.05), 0.27 → ended at the 2nd miss
    const values = [0.1, 0.2, 0.3, 0.26, 0.28];
    let t = freshTracker();
    const ended: boolean[] = [];
    for (const v of values) {
      const r = trackSignal(t, v, rule);
      t = r.tracker;
      ended.push(r.ended);
    }
    expect(ended).toEqual([false, false, false, false, true]);
    expect(t.best).toBeCloseTo(0.25, 12);
  });

  it('reads reward or the share of groups with signal from the step’s groups', () => {
    const group = (rewards: number[]) => ({
      problem: toyProblems(1)[0],
      rollouts: rewards.map((reward) => ({ text: '', finished: true, reward, reason: 'wrong' as const })),
    });
    const groups = [group([1, 0]), group([1, 1]), group([0, 0, 0, 0])];
    expect(stepSignal(groups, 'reward')).toBeCloseTo(3 / 8, 12);
    expect(stepSignal(groups, 'signalRate')).toBeCloseTo(1 / 3, 12);
    expect(stepSignal([], 'reward')).toBeNull();
  });
});

describe('phase end by training signal (in the loop)', () => {
  const problems = toyProblems(60);
  const successes = (i: number): number => i % 9;
  const plan = sgpoPlan(
    problems.map((p, i) => ({ id: p.id, k: 8, successes: successes(i) })),
    { alpha: 0.5, seed: 3 },
  );
  const logit = (_: Problem, i: number): number => Math.log((successes(i) + 0.5) / (8.5 - successes(i)));
  // The held-out set, and a poisoned copy: same prompts, answers no completion ever matches.
  const heldOut = toyProblems(60);
  const poisoned = heldOut.map((p) => ({ ...p, answer: 'poison' }));

  async function phases(phaseEnd: SgpoStrategyConfig['phaseEnd'], evalSet: Problem[]): Promise<number[]> {
    const root = mkdtempSync(join(tmpdir(), 'flopwise-sgpo-end-'));
    dirs.push(root);
    const config = parseConfig(
      TrainConfigSchema,
      {
        seed: 5,
        steps: 80,
        optim: { lr: 4 },
        eval: { every: 2, samples: 2, passK: 1 },
        checkpointEvery: 1000,
        allocator: { type: 'sgpo', promptsPerStep: 8, phaseEnd, plateauPatience: 1 },
      },
      'test',
    );
    const strategy = new SgpoStrategy(
      problems,
      plan,
      {
        ...(config.allocator as SgpoStrategyConfig),
        signal: { metric: 'reward', window: 3, patience: 3, minDelta: 0.02 },
      },
      config.seed,
    );
    const runDir = new RunDir(root);
    await train({
      config,
      policy: new TabularPolicy(problems, logit),
      strategy,
      evalSet,
      score: exactScorer,
      runDir,
      ledger: new Ledger(),
    });
    return runDir
      .readMetrics()
      .filter((r) => r.info !== undefined)
      .map((r) => (r.info as Record<string, number>).phase);
  }

  it('moves through the phases on its own and never reads held-out data: a poisoned eval set changes nothing', async () => {
    const clean = await phases('signal', heldOut);
    expect(new Set(clean)).toEqual(new Set([1, 2, 3]));
    // the last phase's signal stopped improving too, so the schedule ended the run before its 80 steps
    expect(clean.length).toBeLessThan(80);
    expect(await phases('signal', poisoned)).toEqual(clean);
  });

  it('(the check can fail) the held-out plateau rule does change with the poisoned eval set', async () => {
    expect(await phases('plateau', poisoned)).not.toEqual(await phases('plateau', heldOut));
  });
});
