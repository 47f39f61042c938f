import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyOverrides,
  ConfigError,
  parseConfig,
  readConfigFile,
  TrainConfigSchema,
} from '../../src/run/config.js';
import { registerEstimator } from '../../src/algo/advantages.js';
import { configFieldDocs, undocumentedFields } from '../../src/run/config-docs.js';

const parse = (raw: unknown) => parseConfig(TrainConfigSchema, raw, 'test');

describe('train config', () => {
  it('fills every default from an empty config', () => {
    const c = parse({});
    expect(c.allocator).toEqual({ type: 'uniform', promptsPerStep: 64, groupSize: 8 });
    expect(c.estimator).toEqual({ type: 'grpo', eps: 1e-6, std: 'population', singleton: 'zero' });
    expect(c.optim).toMatchObject({ aggregation: 'token-mean', kl: 'k3', clipHigh: 0.28 });
    expect(c.eval).toEqual({ every: 50, samples: 4, passK: 4, headline: 'sampled' });
    expect(c.weighting).toEqual({ type: 'none' });
    expect(c.data.mixture).toBe('ladder');
  });

  it('picks the variant by type and fills that variant’s defaults', () => {
    const c = parse({ allocator: { type: 'vip' }, weighting: { type: 'sqrt-r' } });
    expect(c.allocator.type).toBe('vip');
    if (c.allocator.type === 'vip') {
      expect(c.allocator.rolloutsPerStep).toBe(512);
      expect(c.allocator.prior).toEqual({ type: 'constant', value: 0 });
    }
    expect(c.weighting).toEqual({ type: 'sqrt-r', cap: 64 });
  });

  it('a union field without type takes its default type', () => {
    const c = parse({ allocator: { promptsPerStep: 32 } });
    expect(c.allocator).toEqual({ type: 'uniform', promptsPerStep: 32, groupSize: 8 });
  });

  it('an invalid config names the field', () => {
    expect(() => parse({ optim: { lr: -1 } })).toThrow(/optim\.lr/);
    expect(() => parse({ allocator: { type: 'sgpo', tau: 2 } })).toThrow(/allocator\.tau/);
    expect(() => parse({ allocator: { type: 'magic' } })).toThrow(/allocator\.type/);
    expect(() => parse({ stepz: 3 })).toThrow(/stepz|Unrecognized/);
    expect(() => parse({ data: { trainSize: 0 } })).toThrow(ConfigError);
  });

  it('overrides set nested fields and parse values as JSON when they parse', () => {
    const raw = applyOverrides({ optim: { lr: 1 } }, [
      'optim.lr=1e-4',
      'allocator.type=sgpo',
      'allocator.online=true',
      'base=runs/x',
    ]);
    expect(raw).toEqual({ optim: { lr: 1e-4 }, allocator: { type: 'sgpo', online: true }, base: 'runs/x' });
    expect(() => applyOverrides({}, ['novalue'])).toThrow(/key\.path=value/);
    expect(() => applyOverrides({ steps: 3 }, ['steps.x=1'])).toThrow(/steps is not an object/);
  });

  it('reads YAML and JSON files, and says which file is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flopwise-config-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), 'steps: 12\nallocator:\n  type: dynamic\n');
      writeFileSync(join(dir, 'b.json'), '{"steps": 7}');
      writeFileSync(join(dir, 'bad.yaml'), 'steps: [1,\n');
      expect(parse(readConfigFile(join(dir, 'a.yaml'))).allocator.type).toBe('dynamic');
      expect(parse(readConfigFile(join(dir, 'b.json'))).steps).toBe(7);
      expect(() => readConfigFile(join(dir, 'bad.yaml'))).toThrow(/bad\.yaml/);
      expect(() => readConfigFile(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cross-field rules (checked before any model loads)', () => {
  it('asymmetric weights scale the Dr.GRPO advantage: the default estimator, and no other', () => {
    expect(parse({ weighting: { type: 'sqrt-r' } }).estimator.type).toBe('drgrpo');
    expect(parse({ weighting: { type: 'sqrt-r' }, estimator: { type: 'drgrpo' } }).estimator.type).toBe(
      'drgrpo',
    );
    expect(() => parse({ weighting: { type: 'linear-r' }, estimator: { type: 'rloo' } })).toThrow(
      /estimator\.type: asymmetric weights \(linear-r\) scale the Dr\.GRPO advantage/,
    );
    expect(() => parse({ weighting: { type: 'linear-r' }, estimator: { type: 'grpo' } })).toThrow(/drgrpo/);
  });

  it('any registered estimator name is valid; others are refused with the registered list', () => {
    registerEstimator('config-test-double', (r) => r.map((x) => 2 * x));
    expect(parse({ estimator: { type: 'config-test-double' } }).estimator.type).toBe('config-test-double');
    expect(() => parse({ estimator: { type: 'ppo' } })).toThrow(
      /unknown advantage estimator 'ppo' \(registered: grpo, drgrpo, rloo/,
    );
    expect(() => parse({ optim: { aggregation: 'sum' } })).toThrow(
      /optim\.aggregation: unknown loss aggregation 'sum'/,
    );
  });

  it("VIP's budget must be splittable within its bounds", () => {
    expect(() => parse({ allocator: { type: 'vip', promptsPerStep: 8, rolloutsPerStep: 8 } })).toThrow(
      /allocator\.rolloutsPerStep: 8 rollouts cannot be split over 8 prompts with 2 ≤ n ≤ 32: it must be in 16\.\.256/,
    );
    expect(() => parse({ allocator: { type: 'vip', promptsPerStep: 2, rolloutsPerStep: 100 } })).toThrow(
      /4\.\.64/,
    );
    expect(() => parse({ allocator: { type: 'vip', lower: 8, upper: 4 } })).toThrow(/allocator\.lower/);
    expect(parse({ allocator: { type: 'vip', promptsPerStep: 8, rolloutsPerStep: 16 } }).allocator.type).toBe(
      'vip',
    );
  });

  it('dataset files come in pairs; sGPO group bounds are ordered', () => {
    expect(() => parse({ data: { eval: 'test.jsonl' } })).toThrow(
      /data: give both data\.train and data\.eval/,
    );
    expect(parse({ data: { train: 'a.jsonl', eval: 'b.jsonl' } }).data.train).toBe('a.jsonl');
    expect(() => parse({ allocator: { type: 'sgpo', gMin: 16 } })).toThrow(
      /allocator\.gMin: gMin 16 is above gMax 8/,
    );
  });
});

describe('schema documentation', () => {
  it('every field of the config carries a description', () => {
    const missing = undocumentedFields(configFieldDocs());
    expect(missing).toEqual([]);
    expect(configFieldDocs().find((f) => f.path === 'estimator.std')?.description).toMatch(/population/);
  });
});

describe('example configs', () => {
  it.each(['sgpo.yaml', 'vip.yaml'])('examples/%s is a valid config', (file) => {
    const c = parse(readConfigFile(join(import.meta.dirname, '..', '..', 'examples', file)));
    expect(c.allocator.type).toBe(file.split('.')[0]);
  });
});
