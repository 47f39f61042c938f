import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_MIXTURE,
  dedupeByPrompt,
  generateMixture,
  MIXTURES,
  parseMixture,
  scoreProblem,
  formatTarget,
  splitOf,
} from '../../src/tasks/index.js';

describe('splits', () => {
  it('splitOf is a function of the prompt text only, near the requested fraction', () => {
    let evalCount = 0;
    for (let i = 0; i < 5000; i++) if (splitOf(`${i}+${i}=`) === 'eval') evalCount++;
    expect(evalCount / 5000).toBeGreaterThan(0.17);
    expect(evalCount / 5000).toBeLessThan(0.23);
    fc.assert(fc.property(fc.string(), (s) => splitOf(s) === splitOf(s)));
  });

  it('train and eval sets generated from the same mixture never share a prompt', () => {
    const train = generateMixture(DEFAULT_MIXTURE, { n: 1500, seed: 1, split: 'train' }).problems;
    const evalSet = generateMixture(DEFAULT_MIXTURE, { n: 500, seed: 1, split: 'eval' }).problems;
    const evalOther = generateMixture(DEFAULT_MIXTURE, { n: 500, seed: 2, split: 'eval' }).problems;
    const trainPrompts = new Set(train.map((p) => p.prompt));
    for (const p of [...evalSet, ...evalOther]) expect(trainPrompts.has(p.prompt)).toBe(false);
    expect(train.every((p) => p.meta.split === 'train')).toBe(true);
    expect(evalSet.every((p) => p.meta.split === 'eval')).toBe(true);
  });

  it('dedupeByPrompt keeps the first of each prompt', () => {
    const ps = [
      { prompt: 'a', n: 1 },
      { prompt: 'b', n: 2 },
      { prompt: 'a', n: 3 },
    ];
    expect(dedupeByPrompt(ps)).toEqual([ps[0], ps[1]]);
  });
});

describe('mixtures', () => {
  it('is deterministic and has no duplicate prompts or ids', () => {
    const a = generateMixture(DEFAULT_MIXTURE, { n: 2000, seed: 1, split: 'train' });
    const b = generateMixture(DEFAULT_MIXTURE, { n: 2000, seed: 1, split: 'train' });
    expect(a).toEqual(b);
    expect(a.problems).toHaveLength(2000);
    expect(new Set(a.problems.map((p) => p.prompt)).size).toBe(2000);
    expect(new Set(a.problems.map((p) => p.id)).size).toBe(2000);
    const c = generateMixture(DEFAULT_MIXTURE, { n: 200, seed: 2 });
    expect(c.problems.map((p) => p.prompt)).not.toEqual(a.problems.slice(0, 200).map((p) => p.prompt));
  });

  it('follows the component weights', () => {
    const mix = {
      components: [
        { family: 'add', weight: 3, levels: [3, 5] as [number, number] },
        { family: 'mul', weight: 1, levels: [4, 6] as [number, number] },
      ],
    };
    const { problems } = generateMixture(mix, { n: 1000, seed: 3 });
    const adds = problems.filter((p) => p.meta.family === 'add').length;
    expect(adds).toBeGreaterThan(720);
    expect(adds).toBeLessThan(780);
    for (const p of problems) expect(p.meta.level).toBeGreaterThanOrEqual(p.meta.family === 'add' ? 3 : 4);
  });

  it('the default mixture spans easy to hard and every problem is solvable by its target', () => {
    const { problems } = generateMixture(DEFAULT_MIXTURE, { n: 1000, seed: 4 });
    const fams = new Set(problems.map((p) => p.meta.family));
    for (const f of ['add', 'mul', 'rev', 'copy', 'mod']) expect(fams.has(f)).toBe(true);
    const mulDifficulties = problems.filter((p) => p.meta.family === 'mul').map((p) => p.meta.difficulty);
    expect(Math.min(...mulDifficulties)).toBe(1);
    expect(Math.max(...mulDifficulties)).toBeGreaterThanOrEqual(16);
    for (const p of problems) expect(scoreProblem(p, formatTarget(p)).reward).toBe(1);
  });

  it('every named mixture is valid', () => {
    for (const m of Object.values(MIXTURES)) expect(() => parseMixture(m)).not.toThrow();
  });

  it('reports a shortfall when the prompt space runs out instead of looping', () => {
    const r = generateMixture(
      { components: [{ family: 'add', weight: 1, config: { digits: 1 } }] },
      { n: 500, seed: 1 },
    );
    expect(r.problems.length).toBeLessThanOrEqual(100);
    expect(r.stats.shortfall).toBe(500 - r.problems.length);
  });

  it('invalid mixtures name the field', () => {
    expect(() => parseMixture({ components: [] })).toThrow(/components/);
    expect(() => parseMixture({ components: [{ family: 'nope', weight: 1 }] })).toThrow(
      /components\.0\.family/,
    );
    expect(() => parseMixture({ components: [{ family: 'add', weight: -1 }] })).toThrow(
      /components\.0\.weight/,
    );
    expect(() => parseMixture({ components: [{ family: 'add', weight: 1, levels: [1, 99] }] })).toThrow(
      /components\.0\.levels/,
    );
    try {
      parseMixture({ components: [{ family: 'add', weight: 1, config: { digits: 99 } }] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).field).toBe('components.0.config.digits');
    }
  });
});

describe('mixture with repeats (warm-start streams)', () => {
  const tiny = {
    name: 'tiny',
    components: [
      { family: 'add', levels: [1, 1] as [number, number], weight: 0.5 }, // at most 100 distinct prompts
      { family: 'add', levels: [3, 3] as [number, number], weight: 0.5 },
    ],
  };

  it('keeps each component near its weight even when its prompt space is small', () => {
    const { problems, stats } = generateMixture(tiny, { n: 2000, seed: 4, unique: false });
    expect(stats.shortfall).toBe(0);
    const small = problems.filter((p) => p.meta.level === 1).length;
    expect(small / problems.length).toBeGreaterThan(0.45);
    expect(small / problems.length).toBeLessThan(0.55);
    expect(new Set(problems.filter((p) => p.meta.level === 1).map((p) => p.prompt)).size).toBeLessThanOrEqual(
      100,
    );
  });

  it('without repeats the small component runs out', () => {
    const { problems } = generateMixture(tiny, { n: 2000, seed: 4 });
    const small = problems.filter((p) => p.meta.level === 1).length;
    expect(small).toBeLessThanOrEqual(100);
    expect(new Set(problems.map((p) => p.prompt)).size).toBe(problems.length);
  });
});
