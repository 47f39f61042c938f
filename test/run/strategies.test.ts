import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allocateGreedy, bernoulliVariance, sgpoPlan, type ProfileEntry } from '../../src/algo/index.js';
import { Ledger } from '../../src/run/ledger.js';
import {
  runProfile,
  PROFILE_FILES,
  writeProfileWithPlan,
  readProfileEntries,
} from '../../src/run/profile.js';
import { SgpoStrategy } from '../../src/run/strategies/sgpo.js';
import type { ScoredGroup } from '../../src/run/strategies/types.js';
import { VipStrategy } from '../../src/run/strategies/vip.js';
import type { Problem } from '../../src/tasks/types.js';
import { recordingContext } from '../helpers/recording-context.js';
import { exactScorer, TabularPolicy, toyProblems } from '../helpers/tabular-policy.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'flopwise-strat-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const problems = toyProblems(60);

function profileOf(ps: Problem[]): ProfileEntry[] {
  // successes 0..8 cycling: p̂ = 0, 1/8, …, 1
  return ps.map((p, i) => ({ id: p.id, k: 8, successes: i % 9 }));
}

describe('sgpo strategy', () => {
  const plan = sgpoPlan(profileOf(problems), { alpha: 0.5, seed: 3 });
  const cfg = {
    promptsPerStep: 4,
    tau: 0.75,
    gMin: 2,
    gMax: 8,
    rounding: 'pow2' as const,
    phaseEnd: 'share' as const,
    plateauPatience: 2,
    online: false,
  };

  it('walks the phases easy → hard in equal shares, with each prompt at its planned G', async () => {
    const s = new SgpoStrategy(problems, plan, cfg, 1);
    const byId = new Map(plan.prompts.map((p) => [p.id, p]));
    const seenPhases: number[] = [];
    for (let step = 1; step <= 9; step++) {
      const { ctx, calls } = recordingContext(step, 9, () => 0.5);
      const res = await s.collect(ctx);
      seenPhases.push(res.info!.phase as number);
      const phase = plan.phases[(res.info!.phase as number) - 1];
      for (let i = 0; i < calls[0].ids.length; i++) {
        const planned = byId.get(calls[0].ids[i])!;
        expect(planned.phases).toContain(phase.index);
        expect(calls[0].n[i]).toBe(phase.G);
      }
      expect(res.generated).toBe(calls[0].n.reduce((a, b) => a + b, 0));
    }
    expect(plan.phases.map((p) => p.G)).toEqual([2, 4, 8]);
    expect(seenPhases).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
  });

  it('never samples a trivial prompt, and samples unsolved ones only from the kept subset', async () => {
    const s = new SgpoStrategy(problems, plan, cfg, 1);
    const byId = new Map(plan.prompts.map((p) => [p.id, p]));
    for (let step = 1; step <= 30; step++) {
      const { ctx, calls } = recordingContext(step, 30, () => 0.5);
      await s.collect(ctx);
      for (const id of calls[0].ids) {
        expect(byId.get(id)!.cls).not.toBe('trivial');
        expect(byId.get(id)!.kept).toBe(true);
      }
    }
  });

  it('plateau mode moves to the next phase when accuracy stops rising', async () => {
    const s = new SgpoStrategy(problems, plan, { ...cfg, phaseEnd: 'plateau' }, 1);
    s.onEval(0, 0.3);
    s.onEval(5, 0.4);
    expect(s.currentPhase).toBe(0);
    s.onEval(10, 0.4);
    s.onEval(15, 0.35);
    expect(s.currentPhase).toBe(1);
    const { ctx } = recordingContext(16, 100, () => 0.5);
    expect((await s.collect(ctx)).info!.phase).toBe(2);
  });

  it('online mode re-buckets a prompt that became easy and drops one that became trivial', async () => {
    const s = new SgpoStrategy(problems, plan, { ...cfg, online: true }, 1);
    const hard = plan.prompts.find((p) => p.cls === 'learnable' && p.G === 8)!;
    const problem = problems.find((p) => p.id === hard.id)!;
    const allCorrect = (n: number): ScoredGroup => ({
      problem,
      rollouts: Array.from({ length: n }, () => ({
        text: '',
        finished: true,
        reward: 1,
        reason: 'correct' as const,
      })),
    });
    for (let i = 0; i < 4; i++) s.observe([allCorrect(8)]);
    const state = s.getState();
    const c = state.online[hard.id];
    expect(c.successes / c.trials).toBeGreaterThan(0.75);
    // drive to the last phase (G = 8) and check the prompt is no longer sampled
    for (let step = 7; step <= 9; step++) {
      const { ctx, calls } = recordingContext(step, 9, () => 0.5);
      await s.collect(ctx);
      expect(calls[0]?.ids ?? []).not.toContain(hard.id);
    }
  });

  it('restores its state exactly', async () => {
    const a = new SgpoStrategy(problems, plan, cfg, 1);
    for (let step = 1; step <= 4; step++) await a.collect(recordingContext(step, 9, () => 0.5).ctx);
    const b = new SgpoStrategy(problems, plan, cfg, 1);
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    const ra = recordingContext(5, 9, () => 0.5);
    const rb = recordingContext(5, 9, () => 0.5);
    await a.collect(ra.ctx);
    await b.collect(rb.ctx);
    expect(rb.calls).toEqual(ra.calls);
  });
});

describe('vip strategy', () => {
  const cfg = {
    promptsPerStep: 8,
    rolloutsPerStep: 64,
    lower: 2,
    upper: 32,
    objective: 'rloo' as const,
    noise: 0.1,
    floor: 2,
    gamma: 0,
  };

  it('spends exactly the budget within the bounds, as the exact solver would', async () => {
    const s = new VipStrategy(problems, cfg, 1, 0);
    for (let step = 1; step <= 6; step++) {
      const { ctx, calls } = recordingContext(step, 6, (p) => (Number(p.id.split('-')[1]) % 10) / 10);
      const res = await s.collect(ctx);
      s.observe(await Promise.resolve(res.groups));
      const n = calls[0].n;
      expect(n.reduce((a, b) => a + b, 0)).toBe(64);
      for (const x of n) expect(x >= 2 && x <= 32).toBe(true);
      const expected = allocateGreedy({
        a: bernoulliVariance(s.last!.p),
        budget: 64,
        lower: 2,
        upper: 32,
        objective: 'rloo',
      });
      expect(n).toEqual(expected.n);
    }
  });

  it('first step uses the prior: a constant prior gives a uniform split', async () => {
    const s = new VipStrategy(problems, cfg, 1, 0);
    const { ctx, calls } = recordingContext(1, 1, () => 0.5);
    await s.collect(ctx);
    expect(calls[0].n).toEqual(new Array(8).fill(8));
  });

  it('learns from observations: prompts seen at p = 0.5 get more rollouts than prompts seen at 0 or 1', async () => {
    const s = new VipStrategy(problems, { ...cfg, promptsPerStep: 60, rolloutsPerStep: 480 }, 1, 0);
    const rate = (p: Problem): number => [0, 0.5, 1][Number(p.id.split('-')[1]) % 3];
    const first = recordingContext(1, 2, rate);
    s.observe((await s.collect(first.ctx)).groups);
    const second = recordingContext(2, 2, rate);
    await s.collect(second.ctx);
    const nOf = (k: number): number[] =>
      second.calls[0].ids
        .map((id, i) => [id, second.calls[0].n[i]] as const)
        .filter(([id]) => Number(id.split('-')[1]) % 3 === k)
        .map(([, n]) => n);
    const mid = Math.min(...nOf(1));
    expect(mid).toBeGreaterThan(Math.max(...nOf(0)));
    expect(mid).toBeGreaterThan(Math.max(...nOf(2)));
  });

  it('rejects a budget that the bounds cannot meet', () => {
    expect(() => new VipStrategy(problems, { ...cfg, rolloutsPerStep: 10 }, 1, 0)).toThrow(/16\.\.256/);
  });

  it('restores its state exactly', async () => {
    const a = new VipStrategy(problems, cfg, 1, 0);
    const rate = (p: Problem): number => (Number(p.id.split('-')[1]) % 4) / 4;
    for (let step = 1; step <= 3; step++)
      a.observe((await a.collect(recordingContext(step, 9, rate).ctx)).groups);
    const b = new VipStrategy(problems, cfg, 1, 0);
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    const ra = recordingContext(4, 9, rate);
    const rb = recordingContext(4, 9, rate);
    await a.collect(ra.ctx);
    await b.collect(rb.ctx);
    expect(rb.calls).toEqual(ra.calls);
  });
});

describe('profile runner', () => {
  const ps = toyProblems(50);
  const options = { k: 8, temperature: 1, maxNewTokens: 4, seed: 5, chunkSize: 8 };
  const policy = () => new TabularPolicy(ps, (_, i) => -4 + (i % 9));
  const profile = (dir: string, extra: Partial<Parameters<typeof runProfile>[0]> = {}) =>
    runProfile({
      policy: policy(),
      problems: ps,
      score: exactScorer,
      dir,
      ledger: new Ledger(),
      options,
      ...extra,
    });

  it('resumes after a crash without re-sampling finished chunks, with the same rows', async () => {
    const whole = tmp();
    const full = await profile(whole);
    expect(full.complete).toBe(true);
    expect(full.rows).toHaveLength(50);

    const crashed = tmp();
    const first = await profile(crashed, { stopAfterChunks: 3 });
    expect(first.complete).toBe(false);
    // a crash mid-write leaves half a line behind
    const partial = join(crashed, PROFILE_FILES.partial);
    writeFileSync(partial, readFileSync(partial, 'utf8') + '{"id":"toy-2');
    const again = policy();
    const resumed = await profile(crashed, { policy: again });
    expect(resumed.complete).toBe(true);
    expect(again.sampleCalls).toHaveLength(7 - 3); // 7 chunks in all, 3 done before the crash
    expect(resumed.rows).toEqual(full.rows);
    expect(resumed.meta.flops).toBe(full.meta.flops);
  });

  it('writes the profile with the plan as JSONL and Parquet', async () => {
    const dir = tmp();
    const { rows } = await profile(dir);
    const plan = writeProfileWithPlan(dir, rows, {});
    const back = readProfileEntries(join(dir, PROFILE_FILES.jsonl));
    expect(back).toEqual(rows.map((r) => ({ id: r.id, k: r.k, successes: r.successes })));
    const line = JSON.parse(readFileSync(join(dir, PROFILE_FILES.jsonl), 'utf8').split('\n')[0]);
    expect(Object.keys(line)).toEqual(
      expect.arrayContaining(['id', 'k', 'successes', 'p_hat', 'class', 'G', 'phase']),
    );
    expect(plan.counts.total).toBe(50);
    expect(readFileSync(join(dir, PROFILE_FILES.parquet)).subarray(0, 4).toString()).toBe('PAR1');
  });
});
