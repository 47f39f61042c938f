/**
 * Benchmark of the math verifier. Prints, from one run:
 *  1. checks per second and p50/p99 latency of one in-process check on a realistic mix (MATH-style
 *     boxed answers, Minerva "Final Answer" lines, GSM8K "####", expressions, intervals, matrices;
 *     half right, half wrong, each after ~1 KB of reasoning), next to a baseline measured in the same
 *     process: the trivial verifier (last \boxed or last number, compared as trimmed strings);
 *  2. throughput of the worker pool (2 workers) on the same mix;
 *  3. the wall time for 20 pathological completions with 2 workers and a 1 s time limit each.
 * Run: npm run bench:verify
 */
import { extractBoxed, lastNumber, VerifierPool, verifyAnswer } from '../src/verify/index.js';

const FILLER =
  'We start by writing down what is given. Let $x$ be the unknown; then $2x + 3 = 11$ gives $x = 4$, ' +
  'and substituting back, $2(4) + 3 = 11$ checks out. Next we consider the second condition, which ' +
  'says the sum of the first $n$ terms is $\\frac{n(n+1)}{2}$, so for $n = 10$ we get $55$. ';

/** [answer as the model writes it, gold, wrong answer]. */
const ANSWERS: Array<[string, string, string]> = [
  ['42', '42', '43'],
  ['1,234', '1234', '1,243'],
  ['\\frac{3}{4}', '0.75', '\\frac{4}{3}'],
  ['2\\sqrt{2}', '\\sqrt{8}', '3\\sqrt{2}'],
  ['x^2+2x+1', '(x+1)^2', 'x^2+2x+2'],
  ['[2, \\infty)', 'x \\ge 2', '(2, \\infty)'],
  ['\\{1, 2, 3\\}', '\\{3, 2, 1\\}', '\\{1, 2, 4\\}'],
  ['(3, -1)', '(3,-1)', '(-1, 3)'],
  [
    '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}',
    '\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}',
    '\\begin{pmatrix} 1 & 2 \\\\ 3 & 5 \\end{pmatrix}',
  ],
  ['10!', '3628800', '3628801'],
  ['y = 2x + 1', '2x - y + 1 = 0', 'y = 2x - 1'],
  ['28\\%', '28', '29\\%'],
  ['\\frac{\\pi}{4}', '\\frac{\\pi}{4}', '\\frac{\\pi}{3}'],
  ['\\text{Evelyn}', '\\text{Evelyn}', '\\text{Carla}'],
];

const STYLES: Array<(a: string) => string> = [
  (a) => `${FILLER}Therefore the answer is $\\boxed{${a}}$.`,
  (a) => `${FILLER}\nFinal Answer: The final answer is $${a}$. I hope it is correct.`,
  (a) => `${FILLER}\n#### ${a}`,
  (a) => `${FILLER}\nAnswer: $${a}$`,
];

function mix(n: number): Array<{ completion: string; gold: string }> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const [right, gold, wrong] = ANSWERS[i % ANSWERS.length];
    const style = STYLES[Math.floor(i / ANSWERS.length) % STYLES.length];
    out.push({ completion: style(i % 2 === 0 ? right : wrong), gold });
  }
  return out;
}

/** The trivial verifier: last \boxed (or last number), compared as trimmed text. */
function trivial(completion: string, gold: string): number {
  const got = extractBoxed(completion) ?? lastNumber(completion) ?? '';
  return got.trim() === gold.trim() ? 1 : 0;
}

function timeEach(
  items: Array<{ completion: string; gold: string }>,
  check: (c: string, g: string) => number,
) {
  const lat: number[] = [];
  const t0 = performance.now();
  for (const { completion, gold } of items) {
    const s = performance.now();
    check(completion, gold);
    lat.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  return { perSec: items.length / (total / 1000), p50: q(0.5), p99: q(0.99) };
}

const PATHOLOGICAL: string[] = [
  `\\boxed{${'('.repeat(5000)}x${')'.repeat(5000)}}`,
  '\\boxed{10^{10^{10^{10}}}}',
  '\\boxed{100000!}',
  '\\boxed{\\binom{1000000000}{500000000}}',
  '$'.repeat(200000) + ' 5',
  `\\boxed{\\begin{pmatrix} ${Array.from({ length: 150 }, () => Array(150).fill('x^2+1').join(' & ')).join(' \\\\ ')} \\end{pmatrix}}`,
  `\\boxed{${Array(50000).fill('1').join('+')}}`,
  `\\boxed{${Array(200).fill('x').join('^')}}`,
  `\\boxed{${Array.from({ length: 3000 }, (_, i) => i).join(', ')}}`,
  `\\boxed{\\{${Array(400).fill('1').join(', ')}\\}}`,
  'The answer is ' + '\\frac{1}{'.repeat(3000) + '2' + '}'.repeat(3000),
  `\\boxed{${Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i)).join('+')}^{99}}`,
  'x'.repeat(1_000_000),
  `${'Answer: '.repeat(20000)}3`,
  `\\boxed{\\sqrt{${'\\sqrt{'.repeat(2000)}2${'}'.repeat(2000)}}}`,
  `\\boxed{9^{9^{9^{9}}} - 9^{9^{9^{9}}}}`,
  `\\boxed{(x+1)^{1000000}}`,
  `${'$x$ '.repeat(100000)}`,
  `\\boxed{${'1.'.repeat(50000)}}`,
  `\\boxed{\\sin(${'\\sin('.repeat(3000)}x${')'.repeat(3000)})}`,
];

async function main(): Promise<void> {
  const items = mix(2800);
  for (const it of items.slice(0, 200)) verifyAnswer(it.completion, it.gold); // warm-up
  const base = timeEach(items, trivial);
  const ours = timeEach(items, (c, g) => verifyAnswer(c, g).reward);
  const fmt = (x: number) => x.toFixed(x < 10 ? 3 : 0);
  console.log(`realistic mix: ${items.length} checks (half right, half wrong), in-process, one thread`);
  console.log(
    `  verifier        ${fmt(ours.perSec)} checks/s   p50 ${fmt(ours.p50)} ms   p99 ${fmt(ours.p99)} ms`,
  );
  console.log(
    `  trivial baseline ${fmt(base.perSec)} checks/s   p50 ${fmt(base.p50)} ms   p99 ${fmt(base.p99)} ms`,
  );
  console.log(`  ratio verifier/baseline throughput: ${(ours.perSec / base.perSec).toFixed(3)}`);

  const pool = new VerifierPool({ size: 2, timeoutMs: 1000 });
  try {
    await pool.verifyMany(items.slice(0, 20).map((x) => ({ completion: x.completion, groundTruth: x.gold })));
    const t0 = performance.now();
    await pool.verifyMany(items.map((x) => ({ completion: x.completion, groundTruth: x.gold })));
    const s = (performance.now() - t0) / 1000;
    console.log(`pool, 2 workers: ${(items.length / s).toFixed(0)} checks/s on the same mix`);

    const t1 = performance.now();
    const res = await pool.verifyMany(PATHOLOGICAL.map((c) => ({ completion: c, groundTruth: '7' })));
    const wall = (performance.now() - t1) / 1000;
    const reasons: Record<string, number> = {};
    for (const r of res) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
    console.log(
      `${PATHOLOGICAL.length} pathological completions, 2 workers, 1 s limit each: ${wall.toFixed(2)} s wall ` +
        `(${Object.entries(reasons)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}; accepted ${res.filter((r) => r.reward === 1).length})`,
    );
  } finally {
    await pool.close();
  }
}

await main();
