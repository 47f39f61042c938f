import { describe, expect, it } from 'vitest';
import { extractAnswer, extractBoxed, verifyAnswer, type ExtractConfig } from '../../src/verify/index.js';

describe('extractBoxed', () => {
  it('takes the last \\boxed with nested braces', () => {
    expect(extractBoxed('first \\boxed{1} then \\boxed{\\frac{1}{2}}')).toBe('\\frac{1}{2}');
    expect(extractBoxed('\\boxed{\\{1, 2\\}}')).toBe('\\{1, 2\\}');
    expect(extractBoxed('$\\boxed{x^{2}+{1}}$.')).toBe('x^{2}+{1}');
    expect(extractBoxed('\\fbox{7}')).toBe('7');
    expect(extractBoxed('\\boxed 5 done')).toBe('5');
    expect(extractBoxed('\\boxed{unclosed')).toBeUndefined();
    expect(extractBoxed('no box')).toBeUndefined();
  });
});

describe('extractAnswer', () => {
  it('default order: boxed, answer is, ####, last number', () => {
    expect(extractAnswer('so 3 and \\boxed{12}. The answer is 5')).toEqual({
      answer: '12',
      strategy: 'boxed',
    });
    expect(extractAnswer('We get 3 apples. The answer is 42.')).toEqual({
      answer: '42',
      strategy: 'answer_is',
    });
    expect(extractAnswer('Final answer: $\\frac{1}{2}$')).toEqual({
      answer: '$\\frac{1}{2}$',
      strategy: 'answer_is',
    });
    expect(extractAnswer('The answer is **7**.\nThanks')).toEqual({ answer: '7', strategy: 'answer_is' });
    expect(extractAnswer('2+2=4\n#### 1,234')).toEqual({ answer: '1,234', strategy: 'delimiter' });
    expect(extractAnswer('I think 3 or maybe -4.5 apples')).toEqual({
      answer: '-4.5',
      strategy: 'last_number',
    });
    expect(extractAnswer('ratio 3/4 it is')).toEqual({ answer: '3/4', strategy: 'last_number' });
    expect(extractAnswer('no numbers here')).toBeUndefined();
  });
  it('configurable per dataset', () => {
    const cfg: ExtractConfig = { strategies: [{ kind: 'delimiter', delimiter: '=' }] };
    expect(extractAnswer('12+34=46', cfg)?.answer).toBe('46');
    expect(extractAnswer('no delimiter 46', cfg)).toBeUndefined();
    expect(extractAnswer('  hello  ', { strategies: [{ kind: 'whole' }] })?.answer).toBe('hello');
    expect(extractAnswer('The answer is 5', { strategies: [{ kind: 'last_number' }] })?.answer).toBe('5');
  });
});

describe('verifyAnswer (in-process)', () => {
  it('extracts and compares', () => {
    expect(verifyAnswer('Thus \\boxed{\\dfrac{1}{2}}', '0.5')).toEqual({
      reward: 1,
      reason: 'correct',
      extracted: '\\dfrac{1}{2}',
    });
    expect(verifyAnswer('The answer is 0.51', '0.5')).toMatchObject({ reward: 0, reason: 'wrong' });
    expect(verifyAnswer('I do not know', '0.5')).toEqual({ reward: 0, reason: 'no_answer' });
    expect(verifyAnswer('#### 1,000', '1000')).toMatchObject({ reward: 1 });
    expect(verifyAnswer('\\boxed{(x+1)^2}', '\\boxed{x^2+2x+1}')).toMatchObject({ reward: 1 }); // boxed ground truth
  });
});
