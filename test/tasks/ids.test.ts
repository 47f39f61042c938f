// Problem ids must name a problem: across a family's whole config space (not only its ladder levels),
// one id never stands for two different problems. Configs are enumerated from each family's schema.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineFamily, exactScore, INT_SHAPE } from '../../src/tasks/families/common.js';
import { makePrompt } from '../../src/tasks/format.js';
import { familyNames, getFamily, generateMixture, registerFamily } from '../../src/tasks/index.js';

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  entries?: Record<string, string>;
  element?: z.ZodType;
  checks?: Array<{ _zod: { def: { check: string; value?: number; inclusive?: boolean } } }>;
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** A few values of one field: bounds and default of numbers, every enum option, subsets of enum arrays. */
function sampleValues(schema: z.ZodType): unknown[] {
  const d = defOf(schema);
  if (d.type === 'default' || d.type === 'optional') return sampleValues(d.innerType!);
  if (d.type === 'enum') return Object.values(d.entries!);
  if (d.type === 'boolean') return [false, true];
  if (d.type === 'number') {
    const bound = (kind: string) => d.checks?.find((c) => c._zod.def.check === kind)?._zod.def.value;
    const lo = bound('greater_than') ?? 0;
    const hi = bound('less_than') ?? lo + 3;
    return [...new Set([lo, Math.round((lo + hi) / 2), hi])];
  }
  if (d.type === 'array') {
    const options = sampleValues(d.element!);
    return [...options.map((o) => [o]), options, [...options].reverse()];
  }
  throw new Error(`no sampler for a ${d.type} field`);
}

function configSpace(schema: z.ZodType): Record<string, unknown>[] {
  const shape = defOf(schema).shape!;
  return Object.entries(shape).reduce<Record<string, unknown>[]>(
    (configs, [key, field]) => configs.flatMap((c) => sampleValues(field).map((v) => ({ ...c, [key]: v }))),
    [{}],
  );
}

describe.each(familyNames())('family %s: ids across its config space', (name) => {
  it('one id never names two different problems', () => {
    const fam = getFamily(name);
    const configs = configSpace(fam.schema).map((c) => fam.parseConfig(c));
    expect(configs.length).toBeGreaterThan(1);
    const seen = new Map<string, string>();
    for (const config of configs)
      for (let index = 0; index < 6; index++) {
        const p = fam.generate(config, 1, index);
        const content = JSON.stringify([p.prompt, p.answer]);
        const before = seen.get(p.id);
        if (before !== undefined && before !== content)
          throw new Error(
            `${name}: id ${p.id} names ${before} and ${content} (config ${JSON.stringify(config)})`,
          );
        seen.set(p.id, content);
      }
  });
});

describe('registerFamily', () => {
  const double = defineFamily({
    name: 'double',
    description: '2·a for a of `digits` digits',
    schema: z.object({ digits: z.number().int().min(1).max(3).default(1) }).strict(),
    levels: [{ digits: 1 }, { digits: 2 }],
    generate: (config, seed, index) => {
      const a =
        10 ** (config.digits - 1) + ((seed * 7919 + index * 104729) % (9 * 10 ** (config.digits - 1)));
      return {
        id: `double-d${config.digits}-s${seed}-i${index}`,
        prompt: makePrompt(`2*${a}`),
        answer: String(2 * a),
        meta: { family: 'double', difficulty: config.digits },
      };
    },
    score: (p, c) => exactScore(p, c, INT_SHAPE),
  });

  it('adds a user family that mixtures can name, and refuses a second one of the same name', () => {
    registerFamily(double);
    const { problems } = generateMixture(
      { name: 'user', components: [{ family: 'double', levels: [1, 2], weight: 1 }] },
      { n: 20, seed: 3, split: 'train' },
    );
    expect(problems).toHaveLength(20);
    for (const p of problems) expect(Number(p.answer)).toBe(2 * Number(p.prompt.match(/2\*(\d+)/)![1]));
    expect(() => registerFamily(double)).toThrow(/already registered/);
    expect(() => registerFamily({ ...double, name: 'Bad Name' })).toThrow(/lower-case/);
  });
});
