/**
 * Run and benchmark directories written the way train and bench write them, small and synthetic, so
 * report tests need no training. Accuracy rises linearly from `start` by `slope` per step.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FakeRun {
  allocator: 'uniform' | 'sgpo' | 'vip' | 'dynamic';
  seed: number;
  steps: number;
  evalEvery: number;
  start: number;
  slope: number;
  flopsPerStep: number;
  profile?: string;
}

const ledger = (step: number, f: number) => ({
  profile: { flops: 0, tokens: 0, wallMs: 0 },
  rollout: { flops: 0.4 * f * step, tokens: 10 * step, wallMs: 40 * step },
  logprob: { flops: 0.1 * f * step, tokens: 0, wallMs: 0 },
  train: { flops: 0.5 * f * step, tokens: 10 * step, wallMs: 60 * step },
  eval: { flops: 0.2 * f * step, tokens: 0, wallMs: 10 * step },
});

export function evalAt(r: FakeRun, step: number) {
  const acc = Math.min(1, r.start + r.slope * step);
  return {
    greedyAccuracy: acc,
    sampledAccuracy: acc,
    passAtK: Math.min(1, acc + 0.2),
    k: 4,
    prompts: 32,
    byLevel: {
      'add/1': { prompts: 16, accuracy: Math.min(1, acc + 0.1) },
      'add/2': { prompts: 16, accuracy: acc / 2 },
    },
    examples: [
      { level: 'add/1', prompt: '2+2=', completion: '4', reward: 1 },
      { level: 'add/2', prompt: '17+25=', completion: '41', reward: 0 },
    ],
  };
}

export function stepRow(r: FakeRun, step: number): Record<string, unknown> {
  const info: Record<string, number | string> =
    r.allocator === 'sgpo'
      ? { phase: step <= r.steps / 2 ? 1 : 2, phaseG: 4 }
      : r.allocator === 'vip'
        ? {
            rolloutsPerPromptMin: 2,
            rolloutsPerPromptMedian: 6,
            rolloutsPerPromptMax: 12,
            predictedSuccess: 0.4 + step / 100,
            observedSuccess: 0.38 + step / 90,
            predictionAbsError: 0.2 - step / 200,
          }
        : { rounds: 1 };
  return {
    step,
    reward: 0.3 + step / 100,
    promptsUsed: 8,
    rolloutsGenerated: 64,
    rolloutsDiscarded: r.allocator === 'dynamic' ? 16 : 0,
    rolloutsTrained: 40,
    rolloutsZeroAdvantage: 24 - (step % 3),
    groups: 8,
    groupsWithSignal: 4 + (step % 3),
    meanAbsAdvantage: 0.5,
    loss: 0.1,
    clipFraction: 0,
    gradNorm: 1,
    lr: 1e-3,
    chargedFlops: r.flopsPerStep * step,
    ledger: ledger(step, r.flopsPerStep),
    wallMs: 100,
    info,
    ...(step % r.evalEvery === 0 ? { eval: evalAt(r, step) } : {}),
  };
}

export function writeRunDir(dir: string, r: FakeRun, opts: { finished?: boolean; upTo?: number } = {}): void {
  mkdirSync(dir, { recursive: true });
  const config = {
    seed: r.seed,
    steps: r.steps,
    allocator: { type: r.allocator, ...(r.profile ? { profile: r.profile } : {}) },
    weighting: { type: 'none' },
    eval: { every: r.evalEvery, headline: 'sampled' },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({
      version: '0.1.0',
      command: 'flopwise train',
      base: '/cache/base',
      baseHash: 'abcdef0123456789',
      machine: 'test',
      startedAt: '2026-01-01T00:00:00.000Z',
      resumedAt: [],
      ...(opts.finished !== false ? { endedAt: '2026-01-01T00:05:00.000Z' } : {}),
    }),
  );
  const rows = [{ step: 0, chargedFlops: 0, ledger: ledger(0, r.flopsPerStep), eval: evalAt(r, 0) }];
  for (let s = 1; s <= (opts.upTo ?? r.steps); s++) rows.push(stepRow(r, s) as (typeof rows)[number]);
  writeFileSync(join(dir, 'metrics.jsonl'), rows.map((x) => JSON.stringify(x) + '\n').join(''));
  if (opts.finished !== false) writeFileSync(join(dir, 'summary.json'), JSON.stringify({ steps: r.steps }));
}

export function appendRow(dir: string, row: Record<string, unknown>): void {
  appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify(row) + '\n');
}

/** A profile with its plan, the columns writeProfileWithPlan writes. */
export function writeProfile(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const rows = [];
  for (let i = 0; i < 40; i++) {
    const successes = i % 9; // 0..8 out of 8
    const cls = successes === 8 ? 'trivial' : successes === 0 ? 'unsolved' : 'learnable';
    const kept = cls === 'learnable';
    rows.push({
      id: `p${i}`,
      k: 8,
      successes,
      p_hat: successes / 8,
      class: cls,
      kept,
      G: kept ? 4 : 0,
      phase: kept ? (successes > 4 ? '1' : '2') : '',
    });
  }
  const path = join(dir, 'profile.jsonl');
  writeFileSync(path, rows.map((x) => JSON.stringify(x) + '\n').join(''));
  return path;
}

/** A two-method, two-seed benchmark (grpo baseline and sGPO) with results.json and a profile. */
export function writeBenchDir(dir: string): void {
  const profile = writeProfile(join(dir, 'profile-seed1'));
  for (const seed of [1, 2]) {
    const base = { seed, steps: 20, evalEvery: 5, flopsPerStep: 1e9 };
    writeRunDir(join(dir, 'runs', `grpo-seed${seed}`), {
      ...base,
      allocator: 'uniform',
      start: 0.3,
      slope: 0.01 + seed / 1000,
    });
    writeRunDir(join(dir, 'runs', `sgpo-seed${seed}`), {
      ...base,
      allocator: 'sgpo',
      start: 0.3,
      slope: 0.02 + seed / 1000,
      profile,
    });
    writeRunDir(join(dir, 'runs', `vip-seed${seed}`), {
      ...base,
      allocator: 'vip',
      start: 0.3,
      slope: 0.015,
    });
  }
  const row = (method: string, isotonic: number | null, saving: number | null) => ({
    method,
    baseline: 'grpo',
    target: 0.515,
    seeds: [1, 2],
    reached: isotonic === null ? 0 : 2,
    finalAccuracy: { mean: 0.5, std: 0.01, ci: { lo: 0.49, hi: 0.51, level: 0.95, resamples: 2000 } },
    computeToTarget: {
      isotonic,
      confirmed: isotonic,
      firstTouch: isotonic,
      perSeed: [isotonic, isotonic],
      band: 0.01,
    },
    saving: {
      value: saving,
      ci: saving === null ? null : { lo: saving / 2, hi: saving * 2 },
      resolved: 'no',
    },
  });
  const results = {
    preset: 'test',
    regime: 'tiny',
    claim: 'a test',
    machine: 'test machine',
    writtenAt: '2026-01-01T00:10:00.000Z',
    protocol: { flopBudget: 2e10, crossingRule: 'isotonic fit of the seed-mean curve' },
    results: [row('grpo', 2e10, 1), row('sgpo', 1e10, 2), row('vip', null, null)],
    markdown: '| method | … |\n',
  };
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
}
