import { z } from 'zod';
import { makePrompt } from '../format.js';
import { randomDigits, rngFor } from '../rng.js';
import { defineFamily, exactScore, INT_SHAPE } from './common.js';

const digits = (max: number, dflt: number) => z.number().int().min(1).max(max).default(dflt);

/** Multi-digit addition "a+b=": both operands have exactly `digits` digits. */
export const addFamily = defineFamily({
  name: 'add',
  description: 'a+b with operands of `digits` digits each (difficulty = digits)',
  schema: z.object({ digits: digits(10, 2) }).strict(),
  levels: [1, 2, 3, 4, 5, 6, 7, 8].map((d) => ({ digits: d })),
  generate(config, seed, index) {
    const rng = rngFor('add', config.digits, seed, index);
    const a = randomDigits(rng, config.digits);
    const b = randomDigits(rng, config.digits);
    return {
      id: `add-d${config.digits}-s${seed}-i${index}`,
      prompt: makePrompt(`${a}+${b}`),
      answer: String(a + b),
      meta: { family: 'add', difficulty: config.digits, digits: config.digits },
    };
  },
  score: (p, c) => exactScore(p, c, INT_SHAPE),
});

/** Multiplication "a*b=" with `digitsA` × `digitsB` digit operands (difficulty = digitsA·digitsB). */
export const mulFamily = defineFamily({
  name: 'mul',
  description: 'a*b with a of `digitsA` and b of `digitsB` digits (difficulty = digitsA*digitsB)',
  schema: z.object({ digitsA: digits(6, 2), digitsB: digits(6, 1) }).strict(),
  levels: [
    [1, 1],
    [2, 1],
    [3, 1],
    [2, 2],
    [3, 2],
    [4, 2],
    [3, 3],
    [4, 3],
    [4, 4],
    [5, 5],
    [6, 6],
  ].map(([a, b]) => ({ digitsA: a, digitsB: b })),
  generate(config, seed, index) {
    const rng = rngFor('mul', config.digitsA, config.digitsB, seed, index);
    const a = randomDigits(rng, config.digitsA);
    const b = randomDigits(rng, config.digitsB);
    const d = config.digitsA * config.digitsB;
    return {
      id: `mul-d${config.digitsA}x${config.digitsB}-s${seed}-i${index}`,
      prompt: makePrompt(`${a}*${b}`),
      answer: String(a * b),
      meta: { family: 'mul', difficulty: d, digitsA: config.digitsA, digitsB: config.digitsB },
    };
  },
  score: (p, c) => exactScore(p, c, INT_SHAPE),
});

const modOp = z.enum(['+', '-', '*']);
const DEFAULT_MOD_OPS = ['+', '-', '*'];

/** The operator set in the id ('' for the default set, so existing ids stay as they were): `-oPM` for + and −. */
function opsTag(ops: readonly string[]): string {
  if (ops.join('') === DEFAULT_MOD_OPS.join('')) return '';
  return '-o' + ops.map((op) => ({ '+': 'P', '-': 'M', '*': 'X' })[op]).join('');
}

/** Modular arithmetic "a op b mod m=", m of `modDigits` digits (≥ 2), 0 ≤ a, b < m; answer in 0..m−1. */
export const modFamily = defineFamily({
  name: 'mod',
  description: '(a op b) mod m with m of `modDigits` digits and a, b < m (difficulty = modDigits)',
  schema: z
    .object({
      modDigits: digits(4, 2),
      ops: z
        .array(modOp)
        .min(1)
        .default(DEFAULT_MOD_OPS as Array<'+' | '-' | '*'>),
    })
    .strict(),
  levels: [1, 2, 3, 4].map((d) => ({ modDigits: d })),
  generate(config, seed, index) {
    const rng = rngFor('mod', config.modDigits, config.ops.join(''), seed, index);
    const m = config.modDigits === 1 ? rng.int(2, 9) : randomDigits(rng, config.modDigits);
    const a = rng.int(0, m - 1);
    const b = rng.int(0, m - 1);
    const op = rng.pick(config.ops);
    const raw = op === '+' ? a + b : op === '-' ? a - b : a * b;
    const ans = ((raw % m) + m) % m;
    return {
      id: `mod-d${config.modDigits}${opsTag(config.ops)}-s${seed}-i${index}`,
      prompt: makePrompt(`${a}${op}${b} mod ${m}`),
      answer: String(ans),
      meta: { family: 'mod', difficulty: config.modDigits, modDigits: config.modDigits, op, m },
    };
  },
  score: (p, c) => exactScore(p, c, INT_SHAPE),
});
