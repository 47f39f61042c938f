import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyAnswer } from '../../src/verify/index.js';

/** Random expressions in x and y, printed as LaTeX with explicit grouping. */
const expr = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', 'y', '2', '3', '5', '\\pi'),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a})+(${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a})-(${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a})\\cdot(${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `\\frac{${a}}{(${b})^{2}+1}`),
    fc.tuple(tie('e'), fc.integer({ min: 2, max: 3 })).map(([a, k]) => `(${a})^{${k}}`),
    tie('e').map((a) => `\\sqrt{(${a})^{2}+1}`),
  ),
})).e;

const nonZero = fc.integer({ min: -9, max: 9 }).filter((k) => k !== 0);
const RUNS = { numRuns: 150, seed: 20240601 };

describe('random pairs that differ never match', () => {
  it('E and E + k (k ≠ 0)', () => {
    fc.assert(
      fc.property(expr, nonZero, (e, k) => {
        const shifted = `(${e})+(${k})`;
        expect(verifyAnswer(`\\boxed{${shifted}}`, e).reward).toBe(0);
        expect(verifyAnswer(`\\boxed{${e}}`, shifted).reward).toBe(0);
      }),
      RUNS,
    );
  });

  it('E matches itself rewritten as E + k − k', () => {
    fc.assert(
      fc.property(expr, nonZero, (e, k) => {
        expect(verifyAnswer(`\\boxed{(${e})+${k}-${k}}`, e).reward).toBe(1);
      }),
      RUNS,
    );
  });

  it('integer arithmetic: the exact value matches, any other integer does not', () => {
    const op = fc.constantFrom('+', '-', '\\cdot');
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        op,
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        nonZero,
        (a, o, b, d) => {
          const value = o === '+' ? a + b : o === '-' ? a - b : a * b;
          const gold = `${a} ${o} (${b})`;
          expect(verifyAnswer(`\\boxed{${value}}`, gold).reward).toBe(1);
          expect(verifyAnswer(`\\boxed{${value + BigInt(d)}}`, gold).reward).toBe(0);
        },
      ),
      RUNS,
    );
  });

  it('grouping is never dropped: x^{a+b} vs x^{a}+b and \\frac{a}{b+c} vs \\frac{a}{b}+c', () => {
    const small = fc.integer({ min: 1, max: 9 });
    fc.assert(
      fc.property(small, small, small, (a, b, c) => {
        expect(verifyAnswer(`\\boxed{x^{${a}+${b}}}`, `x^{${a}}+${b}`).reward).toBe(0);
        if (a / (b + c) !== a / b + c)
          expect(verifyAnswer(`\\boxed{\\frac{${a}}{${b}+${c}}}`, `\\frac{${a}}{${b}}+${c}`).reward).toBe(0);
        if (2 ** (a + b) !== 2 ** a + b)
          expect(verifyAnswer(`\\boxed{2^{${a}+${b}}}`, `2^{${a}}+${b}`).reward).toBe(0);
      }),
      RUNS,
    );
  });

  it('a decimal never matches the same decimal one unit off in its last place', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        (digits, places, up) => {
          const scale = 10n ** BigInt(places);
          const show = (v: bigint) => `${v / scale}.${(v % scale).toString().padStart(places, '0')}`;
          const v = BigInt(digits);
          const other = up ? v + 1n : v + scale; // one unit in the last place, or one whole unit
          expect(verifyAnswer(`\\boxed{${show(other)}}`, show(v)).reward).toBe(0);
          expect(verifyAnswer(`\\boxed{${show(v)}}`, show(v)).reward).toBe(1);
        },
      ),
      RUNS,
    );
  });

  it('any jumble of LaTeX pieces gets a verdict with a reason, never an exception', () => {
    const piece = fc.constantFrom(
      '\\frac',
      '\\sqrt',
      '{',
      '}',
      '(',
      ')',
      '[',
      ']',
      '\\{',
      '\\}',
      '^',
      '_',
      '1',
      '23',
      '0.5',
      'x',
      '+',
      '-',
      '=',
      '\\le',
      ',',
      '\\boxed{',
      '$',
      '\\pm',
      '!',
      '%',
      '\\infty',
      '\\cup',
      '\\text{cm}',
      ' ',
      'The answer is ',
      '####',
      '\\begin{pmatrix}',
      '&',
      '\\\\',
      '\\end{pmatrix}',
      '|',
      '.',
      'Answer:',
      '\n',
    );
    const jumble = fc.array(piece, { maxLength: 25 }).map((a) => a.join(''));
    const reasons = ['correct', 'wrong', 'no_answer', 'malformed'];
    fc.assert(
      fc.property(jumble, jumble, (c, g) => {
        const r = verifyAnswer(c, g);
        // The one error is a gold with nothing in it, said as such.
        if (r.reason === 'error') expect(r.message).toBe('the gold answer is empty');
        else expect(reasons).toContain(r.reason);
      }),
      { numRuns: 400, seed: 11 },
    );
  });
});
