// Fleet benchmark: prompts profiled per second through 1, 2 and 4 local OpenAI-compatible servers
// that answer every request after a fixed latency (the servers are the bottleneck), with the same
// per-server concurrency. Scaling should be close to linear. Run: npm run bench:fleet
// (BENCH_LATENCY_MS, default 200 like a short LLM completion; at 50 ms the client's CPU becomes the limit.)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFleetPolicy } from '../src/policy/fleet.js';
import { Ledger } from '../src/run/ledger.js';
import { runProfile } from '../src/run/profile.js';
import type { Problem } from '../src/tasks/types.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 200);
const PER_SERVER = 4;
const PROMPTS = Number(process.env.BENCH_PROMPTS ?? 256);
const K = 4;

/** A completions endpoint that answers n fixed choices after LATENCY_MS. */
async function fixedLatencyServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const n = (JSON.parse(body) as { n?: number }).n ?? 1;
      const reply = JSON.stringify({
        id: 'x',
        object: 'text_completion',
        created: 0,
        model: 'm',
        choices: Array.from({ length: n }, (_, index) => ({
          index,
          text: ' 42',
          finish_reason: 'stop',
          logprobs: null,
        })),
        usage: { prompt_tokens: 8, completion_tokens: n, total_tokens: 8 + n },
      });
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(reply);
      }, LATENCY_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const problems: Problem[] = Array.from({ length: PROMPTS }, (_, i) => ({
  id: `p${i}`,
  prompt: `What is ${i} + 1?`,
  answer: '42',
  meta: { family: 'bench', difficulty: 0 },
}));

async function promptsPerSecond(servers: number): Promise<number> {
  const fleet = await Promise.all(Array.from({ length: servers }, fixedLatencyServer));
  const policy = createFleetPolicy(
    fleet.map((s) => s.url),
    { model: 'm', mode: 'completions' },
    { perServer: PER_SERVER },
  );
  const dir = mkdtempSync(join(tmpdir(), 'flopwise-bench-fleet-'));
  const t0 = performance.now();
  await runProfile({
    policy,
    problems,
    score: async (_p, text) =>
      text.trim() === '42' ? { reward: 1, reason: 'correct' } : { reward: 0, reason: 'wrong' },
    dir,
    ledger: new Ledger(),
    options: { k: K, temperature: 1, maxNewTokens: 8, seed: 1, chunkSize: 64 },
  });
  const rate = PROMPTS / ((performance.now() - t0) / 1000);
  await policy.close();
  await Promise.all(fleet.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

console.log(
  `${PROMPTS} prompts × k=${K}, ${LATENCY_MS} ms per request, ${PER_SERVER} requests in flight per server`,
);
console.log(`ideal: ${((1000 / LATENCY_MS) * PER_SERVER).toFixed(0)} prompts/s per server`);
console.log('servers | prompts/s | speed-up');
let one = 0;
for (const n of [1, 2, 4]) {
  const rate = await promptsPerSecond(n);
  if (n === 1) one = rate;
  console.log(`${String(n).padStart(7)} | ${rate.toFixed(1).padStart(9)} | ${(rate / one).toFixed(2)}×`);
}
