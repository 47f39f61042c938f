import { describe, expect, it } from 'vitest';
import { extractCandidates, verifyAnswer, type ExtractStep } from '../../src/verify/index.js';

/** Which documented step found the answer: one completion per step, each with a later decoy. */
const STEPS: Array<[ExtractStep, string, string]> = [
  ['boxed', 'The answer is 5. Actually \\boxed{7}', '7'],
  ['final_answer', 'We try 3. The final answer is $7$. I hope it is correct. Then 9', '7'],
  ['answer_colon', 'We try 3.\nAnswer: 7\nLater we print 9', '7'],
  ['hashes', 'We try 3.\n#### 7\nand 9 more', '7'],
  ['whole', '\\frac{14}{2}', '7'],
  ['choice', 'Comparing the options, I pick (C) since 7 > 3', 'C'],
  ['last_latex', 'We had 3 cats and now $x = 7$', '7'],
  ['last_number', 'We had 3 cats and\nnow we have 7 cats', '7'],
];

describe('extraction order', () => {
  for (const [step, completion, gold] of STEPS) {
    it(`${step}: ${JSON.stringify(completion)}`, () => {
      const r = verifyAnswer(completion, gold);
      expect(r).toMatchObject({ reward: 1, step });
    });
  }

  it('lists candidates in the documented order', () => {
    const text = '\\boxed{1}\nAnswer: 2\n#### 3\nso $4$ then 5';
    const ex = extractCandidates(text);
    expect('candidates' in ex && ex.candidates.map((c) => [c.step, c.answer])).toEqual([
      ['boxed', '1'],
      ['answer_colon', '2'],
      ['hashes', '3'],
      ['last_latex', '4'],
      ['last_number', '5'],
    ]);
  });

  it('a choice letter is only looked for when the gold is a letter', () => {
    const ex = extractCandidates('I pick (C)', { goldIsChoice: false });
    expect('candidates' in ex && ex.candidates.some((c) => c.step === 'choice')).toBe(false);
    expect(verifyAnswer('I pick (C)', 'C').reward).toBe(1);
  });
});

describe('percent rule per dataset', () => {
  const cases: Array<[string, string, Record<'strip' | 'fraction' | 'either', 0 | 1>]> = [
    ['\\boxed{50\\%}', '50', { strip: 1, fraction: 0, either: 1 }],
    ['\\boxed{50\\%}', '0.5', { strip: 0, fraction: 1, either: 1 }],
    ['The answer is 50 percent', '\\frac12', { strip: 0, fraction: 1, either: 1 }],
    ['\\boxed{50\\%}', '5', { strip: 0, fraction: 0, either: 0 }],
    ['\\boxed{28\\%}', '28\\%', { strip: 1, fraction: 1, either: 1 }],
  ];
  for (const [completion, gold, want] of cases) {
    for (const percent of ['strip', 'fraction', 'either'] as const) {
      it(`${percent}: ${completion} vs ${gold} → ${want[percent]}`, () => {
        expect(verifyAnswer(completion, gold, { percent }).reward).toBe(want[percent]);
      });
    }
  }
});
