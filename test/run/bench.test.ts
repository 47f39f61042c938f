/**
 * The benchmark end to end at a size that runs in seconds: a tiny warm start on letter counting,
 * four methods (one compared with its own baseline, one with a profile) × two seeds. Finished runs
 * must be reused, a killed run must resume to the numbers of an uninterrupted one, and a run
 * directory made with another config must be refused.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  benchBase,
  benchMethod,
  methodsToRun,
  runBench,
  runConfig,
  type BenchArgs,
  type BenchPreset,
} from '../../src/run/bench.js';
import { BENCH_PRESETS } from '../../src/run/bench/presets.js';
import { runTraining, type PolicyFactory } from '../../src/run/run.js';
import { embeddedPolicies } from '../../src/cli/policies.js';
import { KernelTrapError } from '../../src/engine/index.js';
import { metricRowsWithoutTimes } from '../helpers/metrics.js';

let dir: string;
let preset: BenchPreset;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flopwise-bench-'));
  const mixture = join(dir, 'count.json');
  writeFileSync(
    mixture,
    JSON.stringify({ name: 'count', components: [{ family: 'count', levels: [1, 2], weight: 1 }] }),
  );
  preset = {
    name: 'tiny',
    regime: 'test',
    claim: 'none',
    seeds: [1, 2],
    methods: ['grpo', 'vip-rloo', 'sgpo', 'vip-drgrpo'],
    baseline: 'grpo',
    sets: [
      `data.mixture=${JSON.stringify(mixture)}`,
      'data.trainSize=48',
      'data.evalSize=16',
      'steps=4',
      'allocator.promptsPerStep=8',
      'allocator.rolloutsPerStep=64',
      'eval.every=2',
      'eval.samples=2',
      'eval.passK=2',
      'sampling.maxNewTokens=4',
      'checkpointEvery=2',
      'threads=1',
    ],
    pretrain: {
      mixture,
      examples: 2000,
      steps: 40,
      batchSize: 32,
      lr: 3e-3,
      warmupSteps: 5,
      model: { dModel: 16, nLayers: 1, nHeads: 2, contextLength: 24 },
    },
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const argsFor = (outDir: string, extra: Partial<BenchArgs> = {}): BenchArgs => ({
  preset,
  outDir,
  machine: 'test',
  cacheDir: join(dir, 'cache'),
  policies: embeddedPolicies,
  ...extra,
});

describe('bench', () => {
  it('adds the baselines a method is compared with, first', () => {
    expect(methodsToRun(preset).map((m) => m.name)).toEqual([
      'grpo',
      'rloo',
      'drgrpo',
      'vip-rloo',
      'sgpo',
      'vip-drgrpo',
    ]);
    expect(methodsToRun(preset, ['vip-drgrpo']).map((m) => m.name)).toEqual(['drgrpo', 'vip-drgrpo']);
    expect(() => methodsToRun(preset, ['nope'])).toThrow(/unknown method 'nope'/);
  });

  it('a method on its own schedule may run past the shared budget, up to the cap', () => {
    const args = argsFor(join(dir, 'unused'), {
      preset: { ...preset, sets: [...preset.sets, 'flopBudget=1e9'] },
    });
    expect(runConfig(args, benchMethod('grpo'), 1).flopBudget).toBe(1e9);
    expect(runConfig(args, benchMethod('sgpo-schedule'), 1).flopBudget).toBe(2e9);
  });

  it('runs every method × seed, writes results, reuses finished runs and refuses a changed config', async () => {
    const out = join(dir, 'bench');
    const ran: boolean[] = [];
    const onRun = (_m: string, _s: number, _i: number, _t: number, reused: boolean) => ran.push(reused);
    const result = await runBench(argsFor(out, { callbacks: { onRun } }));
    expect(ran).toEqual(new Array(12).fill(false));
    expect(result.results.map((r) => [r.method, r.baseline, r.seeds])).toEqual([
      ['grpo', 'grpo', [1, 2]],
      ['rloo', 'grpo', [1, 2]],
      ['drgrpo', 'grpo', [1, 2]],
      ['vip-rloo', 'rloo', [1, 2]],
      ['sgpo', 'grpo', [1, 2]],
      ['vip-drgrpo', 'drgrpo', [1, 2]],
    ]);
    const sgpo = result.runs.sgpo[0];
    expect(sgpo.profileFlops).toBeGreaterThan(0); // the shared profile is charged to the run
    expect(result.runs.grpo[0].profileFlops).toBe(0);
    expect(sgpo.evals.map((e) => e.step)).toEqual([0, 2, 4]);
    expect(Object.keys(sgpo.evals[0].byLevel!).sort()).toEqual(['count/1', 'count/2']);
    expect(sgpo.evals[0].standardError).toBeGreaterThanOrEqual(0);
    expect(sgpo.perStep.step).toEqual([1, 2, 3, 4]);
    expect(sgpo.byPhase.all.generated).toBe(sgpo.perStep.generated.reduce((a, b) => a + b, 0));
    expect(result.profile!.histogram.reduce((a, b) => a + b, 0)).toBe(48);
    expect(result.markdown).toContain('| vip-rloo | rloo |');
    if (process.env.SHOW_BENCH_MD) process.stdout.write(result.markdown);
    const onDisk = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as typeof result;
    expect(onDisk.results).toEqual(result.results);
    expect(existsSync(join(out, 'results.md'))).toBe(true);

    ran.length = 0;
    const again = await runBench(argsFor(out, { callbacks: { onRun } }));
    expect(ran).toEqual(new Array(12).fill(true));
    expect(again.results).toEqual(result.results);

    // read against another method: rloo becomes the reference of every row
    const vs = await runBench(argsFor(out, { reportOnly: true, against: ['rloo'] }));
    expect(vs.results).toEqual(result.results);
    const table = vs.against[0];
    expect(table.reference).toBe('rloo');
    expect(table.results.map((r) => [r.method, r.baseline])).toEqual(
      ['rloo', 'grpo', 'drgrpo', 'vip-rloo', 'sgpo', 'vip-drgrpo'].map((m) => [m, 'rloo']),
    );
    const rlooFinal = table.results[0].finalAccuracy.mean;
    expect(table.results.every((r) => r.target === result.results[1].meanCurve.at(-1)!.accuracy)).toBe(true);
    // the same pair read both ways: the mean difference of final accuracy changes sign only
    const grpoVsRloo = table.results.find((r) => r.method === 'grpo')!.finalDelta!.mean;
    expect(grpoVsRloo).toBeCloseTo(-result.results.find((r) => r.method === 'rloo')!.finalDelta!.mean, 12);
    expect(grpoVsRloo).toBeCloseTo(result.results[0].finalAccuracy.mean - rlooFinal, 12);
    expect(vs.markdown).toContain('#### Against rloo');
    // the same runs against rollouts generated: grpo's total is what it generated, sGPO adds its profile
    const byRollouts = await runBench(argsFor(out, { reportOnly: true, axis: 'rollouts' }));
    const rowOf = (m: string) => byRollouts.results.find((r) => r.method === m)!;
    const generated = (m: string) =>
      result.runs[m].reduce((a, r) => a + r.rollouts.generated, 0) / result.runs[m].length;
    expect(rowOf('grpo').meanChargedFlops).toBeCloseTo(generated('grpo'), 9);
    expect(rowOf('sgpo').profileFlops).toBe(48 * 8); // 48 prompts × k = 8
    expect(rowOf('sgpo').meanChargedFlops).toBeCloseTo(generated('sgpo') + 48 * 8, 9);
    expect(rowOf('grpo').finalAccuracy).toEqual(result.results[0].finalAccuracy);
    expect(byRollouts.protocol.axis).toBe('rollouts');
    expect(byRollouts.markdown).toContain('compute to target, thousand rollouts');
    const withAgainst = await runBench(
      argsFor(out, { reportOnly: true, axis: 'rollouts', against: ['rloo'] }),
    );
    expect(withAgainst.markdown.split('#### Against rloo')[1]).toContain('total thousand rollouts');
    expect(byRollouts.runs).toEqual(result.runs); // the raw runs stay in FLOPs
    expect(existsSync(join(out, 'results-rollouts.md'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).protocol.axis).toBe('flops');

    await expect(runBench(argsFor(out, { reportOnly: true, against: ['dapo'] }))).rejects.toThrow(
      /--against dapo: no finished runs of dapo/,
    );

    await expect(runBench(argsFor(out, { extraSets: ['optim.lr=0.01'] }))).rejects.toThrow(
      /was started with another config \(fields: optim\)/,
    );
  }, 120_000);

  it('a killed run resumes from its checkpoint to the numbers of an uninterrupted run', async () => {
    const whole = join(dir, 'bench', 'runs', 'grpo-seed1');
    const out = join(dir, 'killed');
    const args = argsFor(out, { preset: { ...preset, seeds: [1] }, methods: ['grpo'] });
    const base = await benchBase(args, 1);
    const runDir = join(out, 'runs', 'grpo-seed1');
    await runTraining({
      config: runConfig(args, benchMethod('grpo'), 1, { base }),
      runDir,
      policies: embeddedPolicies,
      stopAfterSteps: 3,
    });
    expect(existsSync(join(runDir, 'summary.json'))).toBe(false);
    await runBench(args);
    expect(metricRowsWithoutTimes(runDir)).toEqual(metricRowsWithoutTimes(whole));
  }, 60_000);

  it('a run whose engine traps is resumed from its checkpoint, to the numbers of an uninterrupted run', async () => {
    const whole = join(dir, 'bench', 'runs', 'grpo-seed1');
    const out = join(dir, 'trapped');
    let updates = 0;
    // the first update (of the few this tiny run makes) traps, as a rare engine fault would
    const trapping: PolicyFactory = async (req) => {
      const opened = await embeddedPolicies(req);
      const { policy } = opened;
      const update = policy.update.bind(policy);
      policy.update = async (rollouts, opts) => {
        if (++updates === 1)
          throw new KernelTrapError(
            'mm_tn',
            'engine: kernel mm_tn trapped (worker 1: memory access out of bounds); rows [0, 64)',
          );
        return update(rollouts, opts);
      };
      return opened;
    };
    const args = argsFor(out, { preset: { ...preset, seeds: [1] }, methods: ['grpo'], policies: trapping });
    const phases: string[] = [];
    await runBench({ ...args, callbacks: { onPhase: (p) => phases.push(p) } });
    const events = readFileSync(join(out, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ attempt: 1, error: expect.stringMatching(/mm_tn trapped/) });
    expect(phases.some((p) => /resuming from its last checkpoint/.test(p))).toBe(true);
    expect(metricRowsWithoutTimes(join(out, 'runs', 'grpo-seed1'))).toEqual(metricRowsWithoutTimes(whole));

    // any other error still stops the benchmark at once
    const failing: PolicyFactory = async () => {
      throw new Error('no such base policy');
    };
    await expect(
      runBench(
        argsFor(join(dir, 'failing'), {
          preset: { ...preset, seeds: [1] },
          methods: ['grpo'],
          policies: failing,
        }),
      ),
    ).rejects.toThrow(/no such base policy/);
  }, 60_000);

  it('report-only mode trains nothing', async () => {
    const out = join(dir, 'empty');
    const result = await runBench(argsFor(out, { reportOnly: true, methods: ['grpo'] }));
    expect(result.results).toEqual([]);
    expect(result.markdown).toMatch(
      /^No finished runs to compare yet\. .*no finished runs yet: 0 seeds per method/,
    );
    expect(result.markdown).not.toContain('undefined');
    expect(existsSync(join(out, 'runs'))).toBe(false);
  });

  it('headline presets run at least 5 seeds; each names its claim', () => {
    for (const p of Object.values(BENCH_PRESETS)) {
      expect(p.claim.length).toBeGreaterThan(10);
      if (p.name !== 'quick') expect(p.seeds.length).toBeGreaterThanOrEqual(5);
      // every method's config is valid in every preset (cross-field rules included)
      for (const m of methodsToRun(p))
        expect(() => runConfig(argsFor(dir, { preset: p }), m, 1)).not.toThrow();
    }
  });
});
