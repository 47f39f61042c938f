/**
 * The regimes' base policies: `from-scratch` must start at most 15 % held-out accuracy (its brief
 * warm start teaches the answer format, little skill), yet above zero, so RL has signal to raise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEmbeddedPolicy } from '../../src/policy/embedded.js';
import { ensureBase, PretrainConfigSchema } from '../../src/policy/pretrain.js';
import { BENCH_PRESETS, FROM_SCRATCH_PRETRAIN } from '../../src/run/bench/presets.js';
import { parseConfig, TrainConfigSchema } from '../../src/run/config.js';
import { evaluate } from '../../src/run/evaluator.js';
import { Ledger } from '../../src/run/ledger.js';
import { loadDatasets, scorerFor } from '../../src/run/setup.js';

const dir = mkdtempSync(join(tmpdir(), 'flopwise-regimes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench regimes', () => {
  it('the validation split shares no prompt with the RL pool or the held-out test split', async () => {
    const data = parseConfig(TrainConfigSchema, {}, 'test').data;
    const { train, eval: test } = await loadDatasets(data);
    const { eval: validation } = await loadDatasets({ ...data, evalSplit: 'validation' });
    expect(validation).toHaveLength(data.evalSize);
    const pool = new Set(train.map((p) => p.prompt));
    const held = new Set(test.map((p) => p.prompt));
    expect(validation.filter((p) => pool.has(p.prompt) || held.has(p.prompt))).toEqual([]);
  });

  it('from-scratch: the base solves at most 15 % of held-out prompts, and some', async () => {
    expect(BENCH_PRESETS['from-scratch'].pretrain).toEqual(FROM_SCRATCH_PRETRAIN);
    const base = await ensureBase(PretrainConfigSchema.parse(FROM_SCRATCH_PRETRAIN), { cacheDir: dir });
    const data = parseConfig(TrainConfigSchema, { data: { evalSize: 256 } }, 'test').data;
    const { eval: problems } = await loadDatasets(data);
    const policy = await loadEmbeddedPolicy(base.dir, { threads: 2 });
    try {
      const r = await evaluate(policy, problems, scorerFor(data), new Ledger(), {
        samples: 4,
        passK: 4,
        maxNewTokens: 12,
        seed: 1,
      });
      expect(r.sampledAccuracy!).toBeLessThanOrEqual(0.15);
      expect(r.greedyAccuracy).toBeLessThanOrEqual(0.15);
      expect(r.sampledAccuracy!).toBeGreaterThan(0.01);
    } finally {
      await policy.close();
    }
  }, 180_000);
});
