// Serving benchmark: completion tokens per second through `flopwise serve`'s HTTP API at concurrency
// 1, 8 and 64, against the engine's own batched sampling of the same batches in the same process.
// Each level alternates the two, REPS times, over at least SEQS sequences each, and reports medians.
// Run: npm run bench:serve   (BENCH_REPS, default 5; BENCH_SEQS, default 128)
import { CharTokenizer, createModel } from '../src/engine/index.js';
import { startPolicyServer } from '../src/serve/policy-server.js';

const tok = new CharTokenizer();
// The engine's reference model (see ENGINE.md): vocab 64, d = 128, 4 layers, 4 heads, context 48.
const cfg = { vocabSize: tok.vocabSize, dModel: 128, nLayers: 4, nHeads: 4, contextLength: 48 };
const MAX_TOKENS = 32;
const REPS = Number(process.env.BENCH_REPS ?? 5);
const SEQS = Number(process.env.BENCH_SEQS ?? 128);
const LEVELS = [1, 8, 64];
const prompt = (i: number) => `${(i * 37) % 100}+${(i * 11) % 100}=`;

const model = await createModel(cfg, { seed: 1, threads: 2 });
const stop = tok.encode('\n')[0];
const server = await startPolicyServer({
  model: { sampler: model, tokenizer: tok, contextLength: cfg.contextLength },
  modelName: 'bench',
  port: 0,
});

/** The engine alone: `rounds` calls of `batch` prompts, the seeds the server would use. */
function direct(batch: number, rounds: number): number {
  let tokens = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const ids = Array.from({ length: batch }, (_, i) => r * batch + i);
    const out = model.sample({
      prompts: ids.map((i) => tok.encode(prompt(i), { bos: true })),
      streams: ids.map((i) => ({ seed: i, index: 0 })),
      maxNewTokens: MAX_TOKENS,
      temperature: 1,
      stopToken: stop,
      seed: 0,
    });
    for (const t of out.tokens) tokens += t.length;
  }
  return tokens / ((performance.now() - t0) / 1000);
}

/** `clients` concurrent clients, each sending `rounds` requests one after another. */
async function served(clients: number, rounds: number): Promise<number> {
  let tokens = 0;
  const client = async (c: number) => {
    for (let r = 0; r < rounds; r++) {
      const i = r * clients + c;
      const res = await fetch(`${server.baseURL}/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'bench',
          prompt: prompt(i),
          max_tokens: MAX_TOKENS,
          seed: i,
          temperature: 1,
        }),
      });
      const body = (await res.json()) as { usage: { completion_tokens: number } };
      tokens += body.usage.completion_tokens;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  return tokens / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

direct(8, 1); // warm up
await served(8, 1);
console.log(
  `model ${JSON.stringify(cfg)}, max_tokens ${MAX_TOKENS}, 2 threads, median of ${REPS} alternating reps`,
);
console.log('concurrency | served tok/s | direct batched tok/s | ratio | sequences per engine call (served)');
for (const c of LEVELS) {
  const rounds = Math.max(8, Math.ceil(SEQS / c)); // 8 rounds at least: past the start-up transient
  const before = { ...server.batcher.stats };
  const s: number[] = [];
  const d: number[] = [];
  for (let r = 0; r < REPS; r++) {
    d.push(direct(c, rounds));
    s.push(await served(c, rounds));
  }
  const ratio = median(s.map((x, i) => x / d[i]));
  const row = [String(c).padStart(11), median(s).toFixed(0).padStart(12), median(d).toFixed(0).padStart(20)];
  const calls = server.batcher.stats.calls - before.calls;
  const perCall = (server.batcher.stats.sequences - before.sequences) / calls;
  console.log(`${row.join(' | ')} | ${ratio.toFixed(2)} | ${perCall.toFixed(1)}`);
}
await server.close();
await model.dispose();
