import { z } from 'zod';
import { extractCompletionAnswer, makePrompt, MAX_ANSWER_CHARS } from '../format.js';
import { rngFor } from '../rng.js';
import type { Problem, ScoreResult } from '../types.js';
import { defineFamily } from './common.js';

/** Parsed arithmetic expression over + - * and parentheses (non-negative integer literals). */
export interface ParsedExpr {
  value: number;
  numbers: number[];
}

/** Parses and evaluates "2*(3+4)"; returns undefined when malformed (no unary minus, no spaces). */
export function parseCountdownExpr(text: string): ParsedExpr | undefined {
  let pos = 0;
  const numbers: number[] = [];
  const peek = () => text[pos];
  const parseAtom = (): number | undefined => {
    if (peek() === '(') {
      pos++;
      const v = parseSum();
      if (v === undefined || peek() !== ')') return undefined;
      pos++;
      return v;
    }
    const start = pos;
    while (pos < text.length && text[pos] >= '0' && text[pos] <= '9') pos++;
    if (pos === start) return undefined;
    const n = Number(text.slice(start, pos));
    numbers.push(n);
    return n;
  };
  const parseProduct = (): number | undefined => {
    let v = parseAtom();
    while (v !== undefined && peek() === '*') {
      pos++;
      const r = parseAtom();
      v = r === undefined ? undefined : v * r;
    }
    return v;
  };
  function parseSum(): number | undefined {
    let v = parseProduct();
    while (v !== undefined && (peek() === '+' || peek() === '-')) {
      const op = text[pos++];
      const r = parseProduct();
      v = r === undefined ? undefined : op === '+' ? v + r : v - r;
    }
    return v;
  }
  if (text.length === 0 || text.length > 64) return undefined;
  const value = parseSum();
  if (value === undefined || pos !== text.length) return undefined;
  return { value, numbers };
}

type Node = { n: number } | { op: '+' | '-' | '*'; l: Node; r: Node };

function show(node: Node): string {
  if ('n' in node) return String(node.n);
  const wrap = (child: Node, cond: boolean) => (cond ? `(${show(child)})` : show(child));
  const isSum = (c: Node) => 'op' in c && c.op !== '*';
  if (node.op === '+') return `${show(node.l)}+${show(node.r)}`;
  if (node.op === '-') return `${show(node.l)}-${wrap(node.r, isSum(node.r))}`;
  return `${wrap(node.l, isSum(node.l))}*${wrap(node.r, isSum(node.r))}`;
}

function evalNode(node: Node): number {
  if ('n' in node) return node.n;
  const l = evalNode(node.l);
  const r = evalNode(node.r);
  return node.op === '+' ? l + r : node.op === '-' ? l - r : l * r;
}

/** True when the multiset `used` is contained in the multiset `available`. */
function subMultiset(used: number[], available: number[]): boolean {
  const left = new Map<number, number>();
  for (const a of available) left.set(a, (left.get(a) ?? 0) + 1);
  for (const u of used) {
    const k = left.get(u) ?? 0;
    if (k === 0) return false;
    left.set(u, k - 1);
  }
  return true;
}

export const COUNTDOWN_MAX_TARGET = 999;

/**
 * Countdown: "make 24 from 2 3 4 8=" — any expression with + - * and parentheses over the given
 * numbers (each used at most once, not all needed) equal to the target is correct. The stored
 * answer is one valid solution (built from all the numbers), used for warm starts.
 */
export const countdownFamily = defineFamily({
  name: 'countdown',
  description: 'reach the target with + - * over `numbers` numbers in 1..maxValue (difficulty = numbers)',
  schema: z
    .object({
      numbers: z.number().int().min(2).max(4).default(3),
      maxValue: z.number().int().min(2).max(25).default(10),
    })
    .strict(),
  levels: [
    { numbers: 2, maxValue: 10 },
    { numbers: 3, maxValue: 10 },
    { numbers: 3, maxValue: 25 },
    { numbers: 4, maxValue: 10 },
    { numbers: 4, maxValue: 25 },
  ],
  generate(config, seed, index): Problem {
    const rng = rngFor('countdown', config.numbers, config.maxValue, seed, index);
    const nums: number[] = [];
    for (let i = 0; i < config.numbers; i++) nums.push(rng.int(1, config.maxValue));
    let best: { expr: string; target: number } | undefined;
    for (let attempt = 0; attempt < 200 && best === undefined; attempt++) {
      const pool: Node[] = nums.map((n) => ({ n }));
      while (pool.length > 1) {
        const i = rng.int(0, pool.length - 1);
        const l = pool.splice(i, 1)[0];
        const j = rng.int(0, pool.length - 1);
        const r = pool.splice(j, 1)[0];
        pool.push({ op: rng.pick(['+', '-', '*'] as const), l, r });
      }
      const target = evalNode(pool[0]);
      const expr = show(pool[0]);
      if (target >= 1 && target <= COUNTDOWN_MAX_TARGET && expr.length <= MAX_ANSWER_CHARS)
        best = { expr, target };
    }
    // Always reachable: the sum of the first two numbers (short and positive).
    best ??= { expr: `${nums[0]}+${nums[1]}`, target: nums[0] + nums[1] };
    return {
      id: `countdown-n${config.numbers}v${config.maxValue}-s${seed}-i${index}`,
      prompt: makePrompt(`make ${best.target} from ${nums.join(' ')}`),
      answer: best.expr,
      meta: {
        family: 'countdown',
        difficulty: config.numbers + config.maxValue / 100,
        numbers: nums,
        count: config.numbers,
        maxValue: config.maxValue,
        target: best.target,
      },
    };
  },
  score(problem, completion): ScoreResult {
    const extracted = extractCompletionAnswer(completion);
    if (extracted === undefined) return { reward: 0, reason: 'no_answer' };
    const parsed = parseCountdownExpr(extracted);
    if (!parsed) return { reward: 0, reason: 'malformed', extracted };
    const nums = problem.meta.numbers as number[];
    const target = problem.meta.target as number;
    const ok = subMultiset(parsed.numbers, nums) && parsed.value === target;
    return ok ? { reward: 1, reason: 'correct', extracted } : { reward: 0, reason: 'wrong', extracted };
  },
});
