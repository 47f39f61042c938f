import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  extractCompletionAnswer,
  familyNames,
  formatTarget,
  getFamily,
  isPrintableAscii,
  MAX_ANSWER_CHARS,
  MAX_PROMPT_CHARS,
  parseCountdownExpr,
  scoreProblem,
  type Problem,
} from '../../src/tasks/index.js';

const FAMILIES = familyNames();

describe('registry', () => {
  it('has at least the expected families', () => {
    for (const f of ['add', 'mul', 'mod', 'rev', 'sort', 'copy', 'count', 'countdown'])
      expect(FAMILIES).toContain(f);
  });
  it('getFamily rejects an unknown name, listing the known ones', () => {
    expect(() => getFamily('nope')).toThrow(/unknown task family "nope".*add/);
  });
});

describe.each(FAMILIES)('family %s', (name) => {
  const fam = getFamily(name);

  it('generates deterministically from (config, seed, index)', () => {
    const cfg = fam.parseConfig({});
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e6 }), (seed, index) => {
        expect(fam.generate(cfg, seed, index)).toEqual(fam.generate(cfg, seed, index));
      }),
      { numRuns: 50 },
    );
  });

  it('different indices give mostly different problems, and unique ids', () => {
    const cfg = fam.levelConfig(fam.maxLevel);
    const ps = Array.from({ length: 200 }, (_, i) => fam.generate(cfg, 7, i));
    expect(new Set(ps.map((p) => p.id)).size).toBe(200);
    expect(new Set(ps.map((p) => p.prompt)).size).toBeGreaterThan(150);
  });

  it('index i does not depend on i−1 (generating out of order gives the same problem)', () => {
    const cfg = fam.parseConfig({});
    const forward = [0, 1, 2, 3, 4].map((i) => fam.generate(cfg, 3, i));
    const backward = [4, 3, 2, 1, 0].map((i) => fam.generate(cfg, 3, i)).reverse();
    expect(backward).toEqual(forward);
  });

  it('respects the size limits at every level, printable ASCII only, prompt ends with "="', () => {
    for (let level = 1; level <= fam.maxLevel; level++) {
      const cfg = fam.levelConfig(level);
      for (let i = 0; i < 100; i++) {
        const p = fam.generate(cfg, 11, i);
        expect(p.prompt.length).toBeLessThanOrEqual(MAX_PROMPT_CHARS);
        expect(p.answer.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
        expect(p.answer.length).toBeGreaterThan(0);
        expect(isPrintableAscii(p.prompt) && isPrintableAscii(p.answer)).toBe(true);
        expect(p.prompt.endsWith('=')).toBe(true);
        expect(p.answer).not.toMatch(/\s/);
        expect(p.meta.family).toBe(name);
        expect(typeof p.meta.difficulty).toBe('number');
      }
    }
  });

  it('difficulty increases along the level ladder', () => {
    const ds = Array.from(
      { length: fam.maxLevel },
      (_, l) => fam.generate(fam.levelConfig(l + 1), 1, 0).meta.difficulty,
    );
    for (let i = 1; i < ds.length; i++) expect(ds[i]).toBeGreaterThan(ds[i - 1]);
  });

  it('scores its own formatTarget correct (also with trailing junk), and no-answer / malformed', () => {
    const cfg = fam.parseConfig({});
    for (let i = 0; i < 50; i++) {
      const p = fam.generate(cfg, 5, i);
      expect(fam.score(p, formatTarget(p))).toEqual({ reward: 1, reason: 'correct', extracted: p.answer });
      expect(scoreProblem(p, p.answer)).toMatchObject({ reward: 1, reason: 'correct' });
      expect(scoreProblem(p, p.answer + '\n5+5=10\n')).toMatchObject({ reward: 1, reason: 'correct' });
      expect(scoreProblem(p, p.answer + ' junk junk')).toMatchObject({ reward: 1, reason: 'correct' });
      expect(scoreProblem(p, '')).toEqual({ reward: 0, reason: 'no_answer' });
      expect(scoreProblem(p, '   \nxyz')).toEqual({ reward: 0, reason: 'no_answer' });
      expect(scoreProblem(p, '#?!\n')).toMatchObject({ reward: 0, reason: 'malformed', extracted: '#?!' });
    }
  });

  it('rejects an invalid config naming the field', () => {
    expect(() => fam.parseConfig({ bogus: 1 })).toThrow(ConfigError);
    expect(() => fam.levelConfig(0)).toThrow(RangeError);
    expect(() => fam.levelConfig(fam.maxLevel + 1)).toThrow(RangeError);
  });

  it('the schema maximum of every knob still fits the limits', () => {
    // The largest config each family accepts.
    const maxima: Record<string, unknown> = {
      add: { digits: 10 },
      mul: { digitsA: 6, digitsB: 6 },
      mod: { modDigits: 4 },
      rev: { length: 12, alphabet: 'mixed' },
      sort: { length: 12 },
      copy: { length: 12 },
      count: { length: 20, alphabetSize: 26 },
      countdown: { numbers: 4, maxValue: 25 },
    };
    const cfg = fam.parseConfig(maxima[name] ?? {});
    for (let i = 0; i < 300; i++) {
      const p = fam.generate(cfg, 2, i);
      expect(p.prompt.length).toBeLessThanOrEqual(MAX_PROMPT_CHARS);
      expect(p.answer.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
      expect(scoreProblem(p, formatTarget(p)).reward).toBe(1);
    }
  });
});

describe('config validation', () => {
  it('names the offending field', () => {
    expect(() => getFamily('add').parseConfig({ digits: 0 })).toThrow(/field "digits"/);
    expect(() => getFamily('add').parseConfig({ digits: 11 })).toThrow(/field "digits"/);
    expect(() => getFamily('mul').parseConfig({ digitsA: 'two' })).toThrow(/field "digitsA"/);
    expect(() => getFamily('mod').parseConfig({ ops: ['/'] })).toThrow(/field "ops.0"/);
    try {
      getFamily('rev').parseConfig({ length: 13 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).field).toBe('length');
    }
  });
  it('fills defaults', () => {
    expect(getFamily('add').parseConfig({})).toEqual({ digits: 2 });
    expect(getFamily('mul').parseConfig(undefined)).toEqual({ digitsA: 2, digitsB: 1 });
  });
});

function problem(
  family: string,
  prompt: string,
  answer: string,
  meta: Record<string, unknown> = {},
): Problem {
  return { id: 'x', prompt, answer, meta: { family, difficulty: 1, ...meta } };
}

const gen = (family: string, config: unknown, seed: number, index: number) =>
  getFamily(family).generate(getFamily(family).parseConfig(config), seed, index);

describe('hand-made problems', () => {
  it('add: exact values, prompt format', () => {
    const p = gen('add', { digits: 3 }, 1, 17);
    expect(p.id).toBe('add-d3-s1-i17');
    const [a, b] = p.prompt.slice(0, -1).split('+').map(Number);
    expect(p.answer).toBe(String(a + b));
    expect(a).toBeGreaterThanOrEqual(100);
    expect(b).toBeLessThan(1000);
  });
  it('add scorer', () => {
    const p = problem('add', '12+34=', '46');
    expect(scoreProblem(p, '46\n')).toEqual({ reward: 1, reason: 'correct', extracted: '46' });
    expect(scoreProblem(p, '046\n')).toMatchObject({ reward: 1, reason: 'correct' });
    expect(scoreProblem(p, '64\n')).toEqual({ reward: 0, reason: 'wrong', extracted: '64' });
    expect(scoreProblem(p, '47')).toMatchObject({ reward: 0, reason: 'wrong' });
    expect(scoreProblem(p, '46abc')).toMatchObject({ reward: 0, reason: 'malformed' });
    expect(scoreProblem(p, '4 6')).toMatchObject({ reward: 0, reason: 'wrong', extracted: '4' });
    expect(scoreProblem(p, '\n46')).toEqual({ reward: 0, reason: 'no_answer' });
  });
  it('mul values', () => {
    const p = gen('mul', { digitsA: 3, digitsB: 2 }, 4, 9);
    const [a, b] = p.prompt.slice(0, -1).split('*').map(Number);
    expect(p.answer).toBe(String(a * b));
    expect(p.meta.difficulty).toBe(6);
  });
  it('mod values (non-negative result)', () => {
    for (let i = 0; i < 100; i++) {
      const p = gen('mod', { modDigits: 2, ops: ['-'] }, 1, i);
      const m = /^(\d+)-(\d+) mod (\d+)=$/.exec(p.prompt)!;
      const [a, b, mod] = [Number(m[1]), Number(m[2]), Number(m[3])];
      expect(Number(p.answer)).toBe((((a - b) % mod) + mod) % mod);
    }
    expect(scoreProblem(problem('mod', '3-5 mod 7=', '5'), '5\n').reward).toBe(1);
    expect(scoreProblem(problem('mod', '3-5 mod 7=', '5'), '-2\n')).toMatchObject({ reason: 'wrong' });
  });
  it('string families', () => {
    expect(gen('rev', { length: 5 }, 1, 1).answer).toBe(
      [...gen('rev', { length: 5 }, 1, 1).prompt.slice(4, -1)].reverse().join(''),
    );
    const s = gen('sort', { length: 8, alphabet: 'digits' }, 1, 2);
    expect(s.answer).toBe([...s.prompt.slice(5, -1)].sort().join(''));
    expect(scoreProblem(problem('rev', 'rev abc=', 'cba'), 'cba\n')).toMatchObject({ reward: 1 });
    expect(scoreProblem(problem('rev', 'rev abc=', 'cba'), 'abc\n')).toMatchObject({
      reward: 0,
      reason: 'wrong',
    });
    expect(scoreProblem(problem('rev', 'rev abc=', 'cba'), 'CBA\n')).toMatchObject({
      reward: 0,
      reason: 'malformed',
    });
    expect(scoreProblem(problem('copy', 'copy xyz=', 'xyz'), 'xyz.\n')).toMatchObject({
      reason: 'malformed',
    });
  });
  it('count values', () => {
    const p = gen('count', { length: 12, alphabetSize: 3 }, 1, 3);
    const m = /^count ([a-z]) ([a-z]+)=$/.exec(p.prompt)!;
    expect(Number(p.answer)).toBe([...m[2]].filter((c) => c === m[1]).length);
  });
});

describe('countdown', () => {
  const p = problem('countdown', 'make 24 from 2 3 4 8=', '2*3*4', { numbers: [2, 3, 4, 8], target: 24 });
  it('accepts any valid expression, not only the stored one', () => {
    expect(scoreProblem(p, '2*3*4\n')).toMatchObject({ reward: 1, reason: 'correct' });
    expect(scoreProblem(p, '8*3\n')).toMatchObject({ reward: 1, reason: 'correct' });
    expect(scoreProblem(p, '(8-2)*4\n')).toMatchObject({ reward: 1, reason: 'correct' });
    expect(scoreProblem(p, '8*(4-2)+8\n')).toMatchObject({ reward: 0, reason: 'wrong' }); // 8 used twice
    expect(scoreProblem(p, '6*4\n')).toMatchObject({ reward: 0, reason: 'wrong' }); // 6 not given
    expect(scoreProblem(p, '2+3+4\n')).toMatchObject({ reward: 0, reason: 'wrong' });
    expect(scoreProblem(p, '2*(3\n')).toMatchObject({ reward: 0, reason: 'malformed' });
    expect(scoreProblem(p, '24\n')).toMatchObject({ reward: 0, reason: 'wrong' });
    expect(scoreProblem(p, '')).toMatchObject({ reason: 'no_answer' });
  });
  it('parses and evaluates with precedence', () => {
    expect(parseCountdownExpr('2+3*4')).toEqual({ value: 14, numbers: [2, 3, 4] });
    expect(parseCountdownExpr('(2+3)*4')?.value).toBe(20);
    expect(parseCountdownExpr('10-3-2')?.value).toBe(5);
    expect(parseCountdownExpr('-3')).toBeUndefined();
    expect(parseCountdownExpr('2**3')).toBeUndefined();
  });
  it('generated targets are reachable by the stored answer', () => {
    const fam = getFamily('countdown');
    for (let l = 1; l <= fam.maxLevel; l++) {
      for (let i = 0; i < 100; i++) {
        const q = fam.generate(fam.levelConfig(l), 9, i);
        expect(parseCountdownExpr(q.answer)?.value).toBe(q.meta.target);
        expect(q.meta.target as number).toBeGreaterThanOrEqual(1);
      }
    }
  });
});

describe('format', () => {
  it('extracts by the terminator and the first token', () => {
    expect(extractCompletionAnswer('46\n')).toBe('46');
    expect(extractCompletionAnswer(' 46 \nfoo')).toBe('46');
    expect(extractCompletionAnswer('46 foo')).toBe('46');
    expect(extractCompletionAnswer('\n46')).toBeUndefined();
    expect(extractCompletionAnswer('')).toBeUndefined();
  });
  it('formatTarget is answer + newline', () => {
    expect(formatTarget({ answer: '46' })).toBe('46\n');
  });
});
