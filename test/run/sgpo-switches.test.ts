import { describe, expect, it } from 'vitest';
import {
  allocateGreedy,
  bernoulliVariance,
  logitPrior,
  sgpoPlan,
  sigmoid,
  type ProfileEntry,
} from '../../src/algo/index.js';
import { parseConfig, TrainConfigSchema } from '../../src/run/config.js';
import { Ledger } from '../../src/run/ledger.js';
import { reprofilerFor } from '../../src/run/setup.js';
import { stepDiagnostics } from '../../src/run/strategies/sgpo-diagnostics.js';
import { SgpoStrategy, type SgpoStrategyConfig } from '../../src/run/strategies/sgpo.js';
import { observedRates, type ScoredGroup } from '../../src/run/strategies/types.js';
import type { Problem } from '../../src/tasks/types.js';
import { recordingContext } from '../helpers/recording-context.js';
import { exactScorer, TabularPolicy, toyProblems } from '../helpers/tabular-policy.js';

// 60 prompts, successes i % 9 out of 8: s = 0 unsolved (7), s = 1 → G 8 (7), s = 2 → G 4 (7),
// s = 3..6 → G 2 (7 + 7 + 7 + 6 = 27), s = 7, 8 trivial (12). α = 0.5 keeps round(3.5) = 4 unsolved.
const problems = toyProblems(60);
const successesOf = (id: string): number => Number(id.split('-')[1]) % 9;
const profile: ProfileEntry[] = problems.map((p) => ({ id: p.id, k: 8, successes: successesOf(p.id) }));
const plan = sgpoPlan(profile, { alpha: 0.5, seed: 3 });
const base: SgpoStrategyConfig = {
  promptsPerStep: 4,
  tau: 0.75,
  gMin: 2,
  gMax: 8,
  rounding: 'pow2',
  phaseEnd: 'share',
  plateauPatience: 2,
  online: false,
};
const plannedG = (s: number): number => ({ 1: 8, 2: 4 })[s as 1 | 2] ?? 2;

/** Steps a strategy through a 3-phase run of `steps` steps; returns each phase's pool as id → G. */
async function poolsByPhase(s: SgpoStrategy, steps = 9): Promise<Array<Map<string, number>>> {
  const pools: Array<Map<string, number>> = [];
  for (let step = 1; step <= steps; step++) {
    const { info } = await s.collect(recordingContext(step, steps).ctx);
    pools[(info!.phase as number) - 1] = new Map(s.currentPool.map((it) => [it.problem.id, it.G]));
  }
  return pools;
}

const unsolvedKept = plan.prompts.filter((p) => p.cls === 'unsolved' && p.kept).map((p) => p.id);

describe('sgpo pools: the paper default and the cumulative curriculum', () => {
  it('by default each phase trains exactly the plan’s phase, at the phase’s G', async () => {
    const pools = await poolsByPhase(new SgpoStrategy(problems, plan, base, 1));
    pools.forEach((pool, j) => {
      expect([...pool.keys()].sort()).toEqual([...plan.phases[j].promptIds].sort());
      for (const G of pool.values()) expect(G).toBe(plan.phases[j].G);
    });
    expect(pools.map((p) => p.size)).toEqual([27 + 4, 7 + 4, 7 + 4]);
  });

  it('cumulative: phase j holds the learnable prompts of phases 0..j, each at its own G', async () => {
    const pools = await poolsByPhase(new SgpoStrategy(problems, plan, { ...base, cumulative: true }, 1));
    expect(pools.map((p) => p.size)).toEqual([27 + 4, 27 + 7 + 4, 27 + 7 + 7 + 4]);
    const phaseGs = [2, 4, 8];
    pools.forEach((pool, j) => {
      for (const p of problems) {
        const s = successesOf(p.id);
        const learnableHere = s >= 1 && s <= 6 && phaseGs.indexOf(plannedG(s)) <= j;
        if (learnableHere) expect(pool.get(p.id)).toBe(plannedG(s));
        else if (unsolvedKept.includes(p.id)) expect(pool.get(p.id)).toBe(phaseGs[j]);
        else expect(pool.has(p.id)).toBe(false);
      }
    });
  });
});

describe('sgpo replay of dropped prompts', () => {
  const replay = { trivial: 0.25, unsolved: 0.5, G: 2 };

  it('the same round(ρ·T) trivial and round(ρ_u·U_left) unsolved prompts join every phase at the replay G', async () => {
    const pools = await poolsByPhase(new SgpoStrategy(problems, plan, { ...base, replay }, 1));
    const trivial = (pool: Map<string, number>) => [...pool.keys()].filter((id) => successesOf(id) >= 7);
    const leftOut = (pool: Map<string, number>) =>
      [...pool.keys()].filter((id) => successesOf(id) === 0 && !unsolvedKept.includes(id));
    // 12 trivial → round(3) = 3; 7 − 4 = 3 unsolved left out → round(1.5) = 2
    for (const pool of pools) {
      expect(trivial(pool)).toEqual(trivial(pools[0]));
      expect(trivial(pool)).toHaveLength(3);
      expect(leftOut(pool)).toEqual(leftOut(pools[0]));
      expect(leftOut(pool)).toHaveLength(2);
      for (const id of [...trivial(pool), ...leftOut(pool)]) expect(pool.get(id)).toBe(2);
    }
  });

  it('over one pass of a phase the replayed share of generated rollouts is the planned one, all charged', async () => {
    // phase 0: 27 learnable + 4 unsolved at G 2, and 5 replayed at G 2 → 36 prompts, 72 rollouts, 10 replayed
    const s = new SgpoStrategy(problems, plan, { ...base, replay }, 1);
    let generated = 0;
    let replayed = 0;
    const seen: string[] = [];
    for (let step = 1; step <= 9; step++) {
      const { ctx, calls } = recordingContext(step, 1000);
      const res = await s.collect(ctx);
      generated += res.generated;
      expect(res.generated).toBe(calls[0].n.reduce((a, b) => a + b, 0));
      replayed += ((res.info!['share.replay'] as number | undefined) ?? 0) * res.generated;
      seen.push(...calls[0].ids);
    }
    expect(new Set(seen).size).toBe(36);
    expect(generated).toBe(72);
    expect(replayed).toBeCloseTo(10, 9);
  });
});

describe('sgpo re-profiling at phase boundaries', () => {
  const runConfig = parseConfig(TrainConfigSchema, { sampling: { maxNewTokens: 4 } }, 'test');
  // the live policy: prompts planned at G 4 (s = 2) are now always solved; trivial ones (s = 7) are now failed
  // (and the unsolved ones stay unsolved)
  const logit = (p: Problem): number => ({ 0: -30, 2: 30, 7: -30 })[successesOf(p.id) as 0 | 2 | 7] ?? 0;

  it('samples k rollouts of the next phase’s pool, charges them as profiling and re-buckets', async () => {
    const policy = new TabularPolicy(problems, logit);
    const ledger = new Ledger();
    const reprofile = reprofilerFor(policy, exactScorer, ledger, runConfig);
    const s = new SgpoStrategy(problems, plan, { ...base, reprofile: { scope: 'next', k: 4 } }, 1, reprofile);
    const pools = await poolsByPhase(s);
    // the pass at phase 1: its 11 prompts × 4 samples; at phase 2: its 11 prompts × 4
    expect(policy.sampleCalls.map((c) => c.n.reduce((a, b) => a + b, 0))).toEqual([44, 44]);
    expect(policy.sampleCalls.every((c) => c.n.every((n) => n === 4))).toBe(true);
    expect(ledger.get('profile').flops).toBe(100 * 88); // the tabular policy reports 100 FLOPs a rollout
    expect(ledger.get('rollout').flops).toBe(0);
    // 4/4 now + ½·(2/8) before = 5/8: G 2, home phase 0, so the G-4 prompts leave phase 1
    expect(pools[1].size).toBe(4);
    expect([...pools[1].keys()].sort()).toEqual([...unsolvedKept].sort());
  });

  it('scope all: a prompt dropped as trivial that the policy now fails rejoins (cumulative)', async () => {
    const policy = new TabularPolicy(problems, logit);
    const reprofile = reprofilerFor(policy, exactScorer, new Ledger(), runConfig);
    const s = new SgpoStrategy(
      problems,
      plan,
      { ...base, cumulative: true, reprofile: { scope: 'all', k: 4 } },
      1,
      reprofile,
    );
    const pools = await poolsByPhase(s);
    expect(policy.sampleCalls[0].n.reduce((a, b) => a + b, 0)).toBe(60 * 4);
    // s = 7: 0/4 now + ½·7/8 → 3.5/8 ≈ 0.44: learnable at G 2
    const wasTrivial = problems.filter((p) => successesOf(p.id) === 7).map((p) => p.id);
    for (const id of wasTrivial) {
      expect(pools[0].has(id)).toBe(false);
      expect(pools[1].get(id)).toBe(2);
    }
  });

  it('refuses to start without a way to profile', () => {
    expect(
      () => new SgpoStrategy(problems, plan, { ...base, reprofile: { scope: 'next', k: 4 } }, 1),
    ).toThrow(/reprofile/);
  });
});

describe('sgpo with VIP’s per-step split', () => {
  it('spends the plan’s budget for the step, split as VIP would with the profile as prior', async () => {
    const s = new SgpoStrategy(problems, plan, { ...base, promptsPerStep: 8, perStep: 'vip' }, 1);
    const { ctx, calls } = recordingContext(7, 9); // phase 2: every prompt planned at G 8
    await s.collect(ctx);
    const ids = calls[0].ids;
    const p = logitPrior(ids.map((id) => successesOf(id) / 8)).map(sigmoid);
    const expected = allocateGreedy({
      a: bernoulliVariance(p),
      budget: 8 * 8,
      lower: 2,
      upper: 32,
      objective: 'rloo',
    });
    expect(calls[0].n).toEqual(expected.n);
    expect(new Set(calls[0].n).size).toBeGreaterThan(1); // the split is not the plan's flat G 8
  });
});

describe('sgpo switches: config', () => {
  it('defaults to the paper’s behaviour', () => {
    const c = parseConfig(TrainConfigSchema, { allocator: { type: 'sgpo' } }, 'test');
    expect(c.allocator).toMatchObject({
      phaseEnd: 'share',
      cumulative: false,
      replay: { trivial: 0, unsolved: 0 },
      reprofile: { scope: 'off' },
      perStep: 'plan',
    });
  });

  it('restores its state exactly with every switch on', async () => {
    const cfg: SgpoStrategyConfig = {
      ...base,
      cumulative: true,
      replay: { trivial: 0.25, unsolved: 0.5, G: 2 },
      phaseEnd: 'signal',
      signal: { metric: 'reward', window: 2, patience: 1, minDelta: 0 },
      perStep: 'vip',
    };
    const rate = (p: Problem): number => (Number(p.id.split('-')[1]) % 4) / 4;
    const a = new SgpoStrategy(problems, plan, cfg, 1);
    for (let step = 1; step <= 5; step++) {
      const { ctx } = recordingContext(step, 9, rate);
      a.observe((await a.collect(ctx)).groups);
    }
    const b = new SgpoStrategy(problems, plan, cfg, 1);
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    for (let step = 6; step <= 8; step++) {
      const ra = recordingContext(step, 9, rate);
      const rb = recordingContext(step, 9, rate);
      const [xa, xb] = [await a.collect(ra.ctx), await b.collect(rb.ctx)];
      a.observe(xa.groups);
      b.observe(xb.groups);
      expect(rb.calls).toEqual(ra.calls);
      expect(xb.info).toEqual(xa.info);
    }
  });
});

describe('sgpo step diagnostics', () => {
  it('shares by class and origin, signal per rollout by class, and profile staleness, by hand', async () => {
    const [a, b, c] = toyProblems(3);
    const group = (problem: Problem, rewards: number[]): ScoredGroup => ({
      problem,
      rollouts: rewards.map((reward) => ({ text: '', finished: true, reward, reason: 'wrong' as const })),
    });
    const item = (
      problem: Problem,
      cls: 'trivial' | 'learnable' | 'unsolved',
      home: number,
      replay: boolean,
    ) => ({
      problem,
      G: 2,
      cls,
      home,
      replay,
    });
    const d = stepDiagnostics([
      { group: group(a, [1, 1]), item: item(a, 'trivial', -1, true), plannedP: 1 },
      { group: group(b, [1, 0, 0, 0]), item: item(b, 'learnable', 1, false), plannedP: 0.5 },
      { group: group(c, [0, 1]), item: item(c, 'unsolved', -1, false), plannedP: 0 },
    ]);
    // 8 rollouts: 2 trivial (replay), 4 learnable (home phase index 1, reported as phase 2), 2 unsolved (subset)
    expect(d).toEqual({
      'share.learnable': 0.5,
      'share.phase2': 0.5,
      'share.replay': 0.25,
      'share.trivial': 0.25,
      'share.unsolved': 0.25,
      'share.unsolvedSubset': 0.25,
      'signalPerRollout.trivial': 0,
      'signalPerRollout.learnable': 1 / 4,
      'signalPerRollout.unsolved': 1 / 2,
      // gaps observed − planned: 0, −0.25, +0.5
      'staleness.abs': 0.75 / 3,
      'staleness.drift': 0.25 / 3,
    });
  });
});

describe('a prompt drawn twice in one step (a stream crossing an epoch boundary)', () => {
  const group = (problem: Problem, rewards: number[]): ScoredGroup => ({
    problem,
    rollouts: rewards.map((reward) => ({ text: '', finished: true, reward, reason: 'wrong' as const })),
  });

  it('pools its groups into one observation for the GP', () => {
    const [a, b] = problems;
    expect(observedRates([group(a, [1, 0]), group(b, [0, 0]), group(a, [1, 1, 1, 0])])).toEqual({
      ids: [a.id, b.id],
      rates: [4 / 6, 0],
    });
    const twice = new SgpoStrategy(problems, plan, { ...base, perStep: 'vip' }, 1);
    const once = new SgpoStrategy(problems, plan, { ...base, perStep: 'vip' }, 1);
    twice.observe([group(a, [1, 0]), group(a, [1, 1])]);
    once.observe([group(a, [1, 0, 1, 1])]);
    expect(twice.getState().gp).toEqual(once.getState().gp);
  });
});
