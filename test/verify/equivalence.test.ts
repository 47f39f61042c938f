import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEquivalent, parseValue } from '../../src/verify/index.js';

// [predicted, reference, expected]
const MATCH: Array<[string, string]> = [
  // integers and decimals
  ['42', '42'],
  ['+42', '42'],
  ['042', '42'],
  ['-7', '-7'],
  ['3.0', '3'],
  ['3.50', '3.5'],
  ['.5', '0.5'],
  ['1e3', '1000'],
  ['1,234', '1234'],
  ['1,234,567', '1234567'],
  ['1,234.5', '1234.5'],
  ['-1,000', '-1000'],
  [' 12 ', '12'],
  // fractions
  ['1/2', '0.5'],
  ['\\frac{1}{2}', '0.5'],
  ['\\dfrac{3}{4}', '0.75'],
  ['\\tfrac{3}{4}', '3/4'],
  ['\\frac12', '1/2'],
  ['-\\frac{1}{3}', '-1/3'],
  ['\\frac{-1}{3}', '-\\frac{1}{3}'],
  ['2/4', '\\frac{1}{2}'],
  ['\\frac{\\frac{1}{2}}{2}', '0.25'],
  ['\\frac{10}{4}', '2.5'],
  // percentages (default 'lenient')
  ['50%', '0.5'],
  ['50\\%', '50'],
  ['50%', '50'],
  ['12.5%', '0.125'],
  // LaTeX
  ['$42$', '42'],
  ['\\(42\\)', '42'],
  ['\\sqrt{2}', '1.41421356'],
  ['\\sqrt{16}', '4'],
  ['\\sqrt[3]{27}', '3'],
  ['2\\sqrt{2}', '\\sqrt{8}'],
  ['\\pi', '3.14159265'],
  ['2\\pi', '6.283185307'],
  ['\\frac{\\pi}{2}', '\\pi/2'],
  ['2 \\cdot 3', '6'],
  ['2 \\times 3', '6'],
  ['\\left( 3 \\right)', '3'],
  ['$\\frac{\\sqrt{3}}{2}$', '\\sqrt{3}/2'],
  ['5 \\text{cm}', '5'],
  ['90^\\circ', '90'],
  ['90^{\\circ}', '90°'],
  ['\\text{yes}', 'Yes'],
  ['x = 5', '5'],
  ['y=-2', '-2'],
  // numeric tolerance (relative 1e-6)
  ['0.3333333333', '1/3'],
  ['3.1415927', '\\pi'],
  ['1000000.1', '1000000'],
  // expressions
  ['x^2+2x+1', '(x+1)^2'],
  ['(x+1)^2', 'x^2 + 2*x + 1'],
  ['2x', 'x+x'],
  ['a+b', 'b+a'],
  ['x^{2}', 'x*x'],
  ['\\frac{x}{2}', '0.5x'],
  ['\\frac{1}{x}+\\frac{1}{y}', '\\frac{x+y}{xy}'],
  ['\\sqrt{x^2}', '|x|'],
  ['e^x', 'exp(x)'],
  ['2\\pi r', '\\pi r \\cdot 2'],
  ['y = 2x + 1', '1 + 2x'],
  ['(x-1)(x+1)', 'x^2-1'],
  // sets (unordered) and tuples (ordered)
  ['{1,2}', '{2,1}'],
  ['\\{1, 2, 3\\}', '\\{3,2,1\\}'],
  ['\\left\\{1,2\\right\\}', '{2, 1}'],
  ['1, 2', '{2, 1}'],
  ['2, 1', '1,2'],
  ['x=1, x=2', '{1, 2}'],
  ['(1,2)', '(1, 2)'],
  ['\\left(1, 2\\right)', '(1,2)'],
  ['(\\frac{1}{2}, 3)', '(0.5, 3)'],
  ['(1,2)', '1, 2'],
  ['[1,2)', '[1, 2)'],
  ['(-\\infty, 0]', '(-\\infty,0]'],
  ['{1/2, 3}', '{3, 0.5}'],
  // text fallback
  ['A', 'a'],
  ['\\text{(B)}', '(B)'],
];

const NO_MATCH: Array<[string, string]> = [
  ['0.5', '0.51'],
  ['12', '21'],
  ['-3', '3'],
  ['42', '4.2'],
  ['1,234', '1.234'],
  ['100', '1000'],
  ['12345678901234567', '12345678901234568'],
  ['1/3', '0.333'],
  ['\\frac{1}{2}', '\\frac{1}{3}'],
  ['2/3', '3/2'],
  ['\\sqrt{2}', '1.41'],
  ['\\sqrt{2}', '2'],
  ['\\pi', '3.14'],
  ['x^2', '2x'],
  ['x^2', 'x^3'],
  ['x+1', 'x-1'],
  ['\\sqrt{x^2}', 'x'],
  ['x', 'y'],
  ['x', '5'],
  ['2x', '2'],
  ['(1,2)', '(2,1)'],
  ['(1,2)', '(1,2,3)'],
  ['{1,2}', '{1,2,3}'],
  ['{1,2}', '{1,3}'],
  ['{1,1}', '{1,2}'],
  ['[1,2]', '(1,2)'],
  ['[1,2)', '[1,2]'],
  ['(1,2)', '{1,2}'],
  ['A', 'B'],
  ['', '0'],
  ['5 \\text{cm}', '6'],
  ['x=5', '6'],
];

describe('isEquivalent: matches', () => {
  it.each(MATCH)('%s ≡ %s', (a, b) => {
    expect(isEquivalent(a, b)).toBe(true);
    expect(isEquivalent(b, a)).toBe(true);
  });
});

describe('isEquivalent: near-misses that must not match', () => {
  it.each(NO_MATCH)('%s ≢ %s', (a, b) => {
    expect(isEquivalent(a, b)).toBe(false);
    expect(isEquivalent(b, a)).toBe(false);
  });
});

describe('options', () => {
  it('percent modes', () => {
    expect(isEquivalent('50%', '0.5', { percent: 'fraction' })).toBe(true);
    expect(isEquivalent('50%', '50', { percent: 'fraction' })).toBe(false);
    expect(isEquivalent('50%', '50', { percent: 'ignore' })).toBe(true);
    expect(isEquivalent('50%', '0.5', { percent: 'ignore' })).toBe(false);
    expect(isEquivalent('50%', '5', { percent: 'lenient' })).toBe(false);
  });
  it('tolerance is relative and configurable', () => {
    expect(isEquivalent('3.14', '\\pi', { relTol: 1e-3 })).toBe(true);
    expect(isEquivalent('3.14', '\\pi')).toBe(false);
    expect(isEquivalent('1000001', '1000000.5')).toBe(true); // relative, not absolute
    expect(isEquivalent('0.0000011', '0.000001')).toBe(false);
  });
});

describe('parseValue', () => {
  it('classifies', () => {
    expect(parseValue('1,234').kind).toBe('number');
    expect(parseValue('{1,2}').kind).toBe('set');
    expect(parseValue('(1,2)').kind).toBe('tuple');
    expect(parseValue('1, 2').kind).toBe('list');
    expect(parseValue('x^2+1').kind).toBe('expr');
    expect(parseValue('\\text{blue}').kind).toBe('text');
  });
  it('never throws on junk', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        parseValue(s);
        isEquivalent(s, '1');
      }),
      { numRuns: 300 },
    );
  });
  it('integers are equivalent exactly when equal (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -1e9, max: 1e9 }), (a, b) => {
        expect(isEquivalent(String(a), String(b))).toBe(a === b);
        expect(isEquivalent(a.toLocaleString('en-US'), String(a))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
  it('fractions equal their decimal value (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 999 }), (p, q) => {
        expect(isEquivalent(`\\frac{${p}}{${q}}`, String(p / q))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

it('has at least 80 table cases', () => {
  expect(MATCH.length + NO_MATCH.length).toBeGreaterThanOrEqual(80);
});
