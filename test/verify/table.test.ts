import { describe, expect, it } from 'vitest';
import { verifyAnswer } from '../../src/verify/index.js';
import {
  DECIMAL_COMMA,
  DECIMALS,
  FACTORIALS_BINOMIALS,
  FRACTIONS,
  INTEGERS,
  PERCENT,
  ROOTS_PI_EXPONENTS,
  type Case,
} from './cases-numbers.js';
import { EQUATIONS, EXPRESSIONS, INEQUALITIES_INTERVALS, MATRICES, SETS_TUPLES } from './cases-structures.js';
import { CHOICES, TEXT, UNICODE_SIGNS, UNITS_DEGREES } from './cases-text.js';
import {
  EXTRACT_ANSWER_COLON,
  EXTRACT_BOXED,
  EXTRACT_FINAL_ANSWER,
  EXTRACT_GOLD_FORMS,
  EXTRACT_HASHES,
  EXTRACT_LAST_LATEX,
  EXTRACT_LAST_NUMBER,
  EXTRACT_WHOLE,
  MALFORMED,
} from './cases-extraction.js';

const TABLE: Record<string, Case[]> = {
  integers: INTEGERS,
  decimals: DECIMALS,
  'decimal comma': DECIMAL_COMMA,
  percent: PERCENT,
  fractions: FRACTIONS,
  'roots, pi, exponents': ROOTS_PI_EXPONENTS,
  'factorials, binomials': FACTORIALS_BINOMIALS,
  'symbolic expressions': EXPRESSIONS,
  equations: EQUATIONS,
  'inequalities, intervals': INEQUALITIES_INTERVALS,
  'sets, tuples': SETS_TUPLES,
  matrices: MATRICES,
  text: TEXT,
  'choice letters': CHOICES,
  'units, degrees': UNITS_DEGREES,
  'unicode, signs': UNICODE_SIGNS,
  'extract: boxed': EXTRACT_BOXED,
  'extract: final answer': EXTRACT_FINAL_ANSWER,
  'gold forms (boxed solutions, ####, several boxes)': EXTRACT_GOLD_FORMS,
  'extract: answer colon': EXTRACT_ANSWER_COLON,
  'extract: ####': EXTRACT_HASHES,
  'extract: whole completion': EXTRACT_WHOLE,
  'extract: last latex': EXTRACT_LAST_LATEX,
  'extract: last number': EXTRACT_LAST_NUMBER,
  'cut off (malformed)': MALFORMED,
};

/** 1 and 0 compare the reward (a near-miss may fail for any reason); the others the reason. */
function verdict(completion: string, gold: string, want: Case[2]): Case[2] {
  const r = verifyAnswer(completion, gold);
  if (want === 'malformed' || want === 'no_answer') return r.reason as Case[2];
  return r.reward;
}

describe('verifier case table', () => {
  const all = Object.values(TABLE).flat();

  it('has at least 400 cases and 150 near-misses', () => {
    expect(all.length).toBeGreaterThanOrEqual(400);
    expect(all.filter((c) => c[2] === 0).length).toBeGreaterThanOrEqual(150);
  });

  for (const [category, cases] of Object.entries(TABLE)) {
    describe(category, () => {
      it.each(cases.map((c, i) => [i, ...c] as const))(
        '#%i %j vs gold %j → %j',
        (_i, completion, gold, want) => {
          const r = verifyAnswer(completion, gold);
          expect(verdict(completion, gold, want), JSON.stringify(r)).toBe(want);
        },
      );
    });
  }
});
