// Engine benchmark: matmul kernel GFLOP/s, train step (forward + backward + AdamW) and KV-cache
// sampling on the reference model, with 1 and 2 threads. Run: npm run bench:engine
import { CharTokenizer, createModel } from '../src/engine/index.js';
import { Pool } from '../src/engine/pool.js';
import { Rng } from '../src/engine/rng.js';
import { WA } from '../src/engine/wasm.js';

const tok = new CharTokenizer();
const cfg = { vocabSize: tok.vocabSize, dModel: 128, nLayers: 4, nHeads: 4, contextLength: 48 };
const NSEQ = 512;
const REPS = Number(process.env.BENCH_REPS ?? 3);

async function kernelGflops(threads: number): Promise<number> {
  // the shape of the MLP up-projection of one 128-sequence micro-batch: [6144 × 128]·[128 × 512]
  const M = 128 * 48, K = 128, N = 512;
  const floats = M * K + K * N + M * N;
  const pages = Math.ceil((floats * 4 + 65536) / 65536) + 1;
  const memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
  const pool = await Pool.create(memory, threads);
  const f = new Float32Array(memory.buffer);
  const A = 65536, B = A + M * K * 4, C = B + K * N * 4;
  const rng = new Rng(1);
  for (let i = 0; i < M * K + K * N; i++) f[A / 4 + i] = rng.normal();
  pool.run('mm_nn', M, 4, C, A, B, 0, 0, K, N, 0, 0);
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) pool.run('mm_nn', M, 4, C, A, B, 0, 0, K, N, 0, 0);
    best = Math.min(best, (performance.now() - t0) / 10);
  }
  await pool.dispose();
  return (2 * M * K * N) / (best / 1000) / 1e9;
}

interface Row {
  threads: number;
  kernel: number;
  trainS: number;
  trainGflops: number;
  sampleS: number;
  tokensPerS: number;
}

async function run(threads: number): Promise<Row> {
  const kernel = await kernelGflops(threads);
  const model = await createModel(cfg, { seed: 1, threads, microBatch: 128, sampleBatch: NSEQ });
  const rng = new Rng(2);
  const seqs = Array.from({ length: NSEQ }, () => [tok.bosId, ...Array.from({ length: 47 }, () => 3 + Math.floor(rng.uniform() * 95))]);
  const mask = seqs.map((s) => Uint8Array.from(s, (_, t) => (t > 0 ? 1 : 0)));
  let trainS = Infinity, flops = 0;
  for (let r = 0; r < REPS + 1; r++) {
    const t0 = performance.now();
    model.zeroGrad();
    const res = model.accumulateCrossEntropy({ sequences: seqs, lossMask: mask, normaliser: NSEQ * 47 });
    model.optimizerStep({ lr: 1e-3, weightDecay: 0.1, gradClip: 1 });
    const dt = (performance.now() - t0) / 1000;
    if (r > 0) trainS = Math.min(trainS, dt); // first run is warm-up
    flops = res.flops;
  }
  const prompts = seqs.map((s) => s.slice(0, 16));
  let sampleS = Infinity, newTokens = 0;
  for (let r = 0; r < REPS + 1; r++) {
    const t0 = performance.now();
    const s = model.sample({ prompts, maxNewTokens: 32, temperature: 1, seed: r });
    const dt = (performance.now() - t0) / 1000;
    if (r > 0) sampleS = Math.min(sampleS, dt);
    newTokens = s.tokens.reduce((a, t) => a + t.length, 0);
  }
  await model.dispose();
  return { threads, kernel, trainS, trainGflops: flops / trainS / 1e9, sampleS, tokensPerS: newTokens / sampleS };
}

const rows: Row[] = [];
for (const t of [1, 2]) rows.push(await run(t));
const m = await createModel(cfg, { seed: 1, microBatch: 1, sampleBatch: 1 });
console.log(
  `reference model: vocab ${cfg.vocabSize}, d=${cfg.dModel}, ${cfg.nLayers} layers, ${cfg.nHeads} heads, context ${cfg.contextLength}; ` +
    `${m.paramCount.toLocaleString('en-US')} parameters (${m.nonEmbeddingParamCount.toLocaleString('en-US')} non-embedding)`,
);
await m.dispose();
console.log(`train step: ${NSEQ} sequences × 48 tokens (micro-batches of 128), forward + backward + AdamW; best of ${REPS}`);
console.log(`sampling: ${NSEQ} sequences × 16-token prompt × 32 new tokens, temperature 1, KV cache; best of ${REPS}`);
console.log('');
console.log('| threads | matmul kernel GFLOP/s | train step s | train GFLOP/s | train ÷ kernel | sample s | sampled tokens/s |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.threads} | ${r.kernel.toFixed(1)} | ${r.trainS.toFixed(2)} | ${r.trainGflops.toFixed(1)} | ${(r.trainGflops / r.kernel).toFixed(2)} | ${r.sampleS.toFixed(2)} | ${Math.round(r.tokensPerS).toLocaleString('en-US')} |`,
  );
}
const two = rows[1]!;
console.log('');
console.log(
  `targets (2 threads): train step ≤ 5 s: ${two.trainS <= 5 ? 'met' : 'MISSED'}; sampling ≤ 2.5 s: ${two.sampleS <= 2.5 ? 'met' : 'MISSED'}; ` +
    `train ÷ kernel ≥ 0.7: ${two.trainGflops / two.kernel >= 0.7 ? 'met' : 'MISSED'}`,
);
