/**
 * Benchmark of the VIP hot path: GP update (batch of B observed prompts) + prediction for all prompts +
 * greedy allocation of 8,192 rollouts over 1,024 prompts. Prints the median time per call next to a
 * baseline measured in the same run (sorting 1,024 numbers, 1,000 times), so the figure reads as a ratio.
 * Run: npm run bench:algo
 */
import { allocateGreedy, bernoulliVariance } from '../src/algo/allocate.js';
import { hashedNgramFeatures } from '../src/algo/features.js';
import { createGp, gpPredict, gpUpdate } from '../src/algo/gp.js';
import { createRng } from '../src/tasks/rng.js';

const P = 1024;
const BUDGET = 8192;
const REPS = 200;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}

function baselineSortMs(): number {
  const rng = createRng(1);
  const src = new Float64Array(1024).map(() => rng.next());
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) new Float64Array(src).sort();
    runs.push(performance.now() - t0);
  }
  return median(runs);
}

const rng = createRng(2024);
const words = ['add', 'sum', 'sort', 'reverse', 'prime', 'count', 'digits', 'list', 'the', 'of', 'and', 'is'];
const families = ['arith', 'sort', 'prime', 'count'];
const feature = hashedNgramFeatures({ dim: 128, metaDim: 16 });
const ids: string[] = [];
const feats: number[][] = [];
for (let i = 0; i < P; i++) {
  const text = Array.from({ length: 8 + rng.below(8) }, () =>
    rng.next() < 0.3 ? String(rng.below(1000)) : words[rng.below(words.length)],
  ).join(' ');
  ids.push(`p${i}`);
  feats.push(feature({ id: `p${i}`, text, meta: { family: families[i % 4], difficulty: rng.next() } }));
}

const tSetup0 = performance.now();
const baseGp = createGp(ids, feats, { priorMean: -1 });
const setupMs = performance.now() - tSetup0;
console.log(
  `flopwise bench:algo — node ${process.version}, ${P} prompts × ${feats[0].length} features, budget ${BUDGET}`,
);
console.log(
  `setup (features → GP, median bandwidth over ${(P * (P - 1)) / 2} pairs): ${setupMs.toFixed(1)} ms`,
);

const sortMs = baselineSortMs();
console.log(
  `baseline: sort 1,024 numbers × 1,000 = ${sortMs.toFixed(2)} ms (${((sortMs / 1000) * 1000).toFixed(1)} µs per sort)`,
);

const pred = new Float64Array(P);
const a = new Float64Array(P);
for (const B of [64, 128, 256]) {
  const gp = createGp(ids, feats, { priorMean: -1, bandwidth: baseGp.bandwidth });
  const batch = new Int32Array(B);
  const y = new Float64Array(B);
  let offset = 0;
  const call = (): void => {
    for (let b = 0; b < B; b++) {
      batch[b] = (offset + b) % P;
      y[b] = rng.below(9) / 8;
    }
    offset = (offset + B) % P;
    gpUpdate(gp, batch, y);
    gpPredict(gp, undefined, pred);
    bernoulliVariance(pred, a);
    allocateGreedy({ a, budget: BUDGET, lower: 2, upper: 32, objective: 'rloo' });
  };
  const tc = performance.now();
  call();
  const coldMs = performance.now() - tc;
  for (let i = 0; i < P / B + 5; i++) call(); // fill the kernel column cache, warm the JIT
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    call();
    times.push(performance.now() - t0);
  }
  const med = median(times);
  // parts, for the record
  const tu = performance.now();
  for (let i = 0; i < 50; i++) gpUpdate(gp, batch, y);
  const updMs = (performance.now() - tu) / 50;
  const ta = performance.now();
  for (let i = 0; i < 50; i++) allocateGreedy({ a, budget: BUDGET, lower: 2, upper: 32, objective: 'rloo' });
  const allocMs = (performance.now() - ta) / 50;
  console.log(
    `B=${String(B).padStart(3)}: update+predict+allocate median ${med.toFixed(3)} ms ` +
      `(p90 ${[...times].sort((x, z) => x - z)[Math.floor(REPS * 0.9)].toFixed(3)} ms, first call ${coldMs.toFixed(1)} ms) ` +
      `| update ${updMs.toFixed(3)} ms, allocate ${allocMs.toFixed(3)} ms ` +
      `| = ${(med / sortMs).toFixed(3)} × baseline, target ≤ 5 ms: ${med <= 5 ? 'met' : 'MISSED'}`,
  );
}
