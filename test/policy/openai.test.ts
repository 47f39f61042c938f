import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  OpenAIPolicyError,
  Semaphore,
  checkServer,
  createOpenAIPolicy,
  derivedSeed,
} from '../../src/policy/openai.js';
import type { SampleRequest } from '../../src/policy/types.js';
import {
  closedPort,
  fakeAnswer,
  startFakeOpenAIServer,
  type FakeOpenAIServer,
} from '../helpers/fake-openai-server.js';

const MODEL = 'fake-model';

function request(prompts: string[], n: number[], over: Partial<SampleRequest> = {}): SampleRequest {
  return { prompts, n, maxNewTokens: 16, temperature: 1, seed: 42, ...over };
}

/** The rejection of `p`, asserting that it rejects. */
async function rejection(p: Promise<unknown>): Promise<OpenAIPolicyError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OpenAIPolicyError);
    return err as OpenAIPolicyError;
  }
  throw new Error('expected a rejection');
}

let server: FakeOpenAIServer;
let hanging: FakeOpenAIServer;

beforeAll(async () => {
  server = await startFakeOpenAIServer();
  hanging = await startFakeOpenAIServer({ hang: 'headers' });
});

afterAll(async () => {
  await Promise.all([server?.close(), hanging?.close()]);
});

beforeEach(() => {
  server.reset();
});

describe('derivedSeed', () => {
  it('is deterministic, 31-bit and distinct across prompts and sample offsets', () => {
    const seen = new Set<number>();
    for (const seed of [0, 1, 42, 2 ** 40 + 3, -7]) {
      for (let i = 0; i < 20; i++) {
        for (let k = 0; k < 5; k++) {
          const s = derivedSeed(seed, i, k);
          expect(s).toBe(derivedSeed(seed, i, k));
          expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
          seen.add(s);
        }
      }
    }
    expect(seen.size).toBe(5 * 20 * 5);
  });
});

describe('Semaphore', () => {
  it('never runs more than its limit and runs everything', async () => {
    const sem = new Semaphore(2);
    let active = 0;
    let max = 0;
    const out = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        sem.run(async () => {
          active++;
          max = Math.max(max, active);
          await new Promise((r) => setTimeout(r, 2));
          active--;
          return i;
        }),
      ),
    );
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(max).toBe(2);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe('createOpenAIPolicy against a fake server', () => {
  it('fills groups of different sizes, in prompt order, with one n-request per prompt (chat)', async () => {
    const policy = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL });
    expect(policy.kind).toBe('openai');
    const prompts = ['what is 2+2?', 'name a prime', 'capital of France?', 'sort 3 1 2'];
    const n = [1, 3, 5, 2];
    const res = await policy.sample(request(prompts, n));
    expect(res.groups.map((g) => g.length)).toEqual(n);
    res.groups.forEach((g, i) => {
      const seed = derivedSeed(42, i, 0);
      expect(g.map((r) => r.text)).toEqual(
        Array.from({ length: n[i] }, (_, k) => fakeAnswer(`user: ${prompts[i]}`, seed, k)),
      );
      expect(g.every((r) => r.finished)).toBe(true);
    });
    expect(res.flops).toBe(0);
    // 4 words per completion, prompt words per request (one request per prompt here).
    const promptWords = prompts.reduce((s, p) => s + `user: ${p}`.split(/\s+/).length, 0);
    expect(res.tokens).toBe(promptWords + 4 * (1 + 3 + 5 + 2));
    expect(server.stats.completionRequests).toBe(4);
    expect(server.stats.paths.every((p) => p === '/v1/chat/completions')).toBe(true);
    expect(server.stats.bodies.map((b) => b.n).sort()).toEqual([1, 2, 3, 5]);
    await policy.close();
  });

  it('uses /v1/completions in completions mode and prepends the system prompt', async () => {
    const policy = createOpenAIPolicy({
      baseURL: server.baseURL,
      model: MODEL,
      mode: 'completions',
      systemPrompt: 'Answer briefly.',
    });
    const res = await policy.sample(request(['Q: 1+1?'], [2]));
    expect(server.stats.paths).toEqual(['/v1/completions']);
    expect(server.stats.bodies[0].prompt).toBe('Answer briefly.\n\nQ: 1+1?');
    expect(res.groups[0].map((r) => r.text)).toEqual([
      fakeAnswer('Answer briefly.\n\nQ: 1+1?', derivedSeed(42, 0, 0), 0),
      fakeAnswer('Answer briefly.\n\nQ: 1+1?', derivedSeed(42, 0, 0), 1),
    ]);
    await policy.close();
  });

  it('sends the system prompt as a system message in chat mode', async () => {
    const policy = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL, systemPrompt: 'Be terse.' });
    await policy.sample(request(['hi'], [1]));
    expect(server.stats.bodies[0].messages).toEqual([
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'hi' },
    ]);
    await policy.close();
  });

  it('passes sampling parameters, stop and extra body; reports truncation as unfinished', async () => {
    const policy = createOpenAIPolicy({
      baseURL: server.baseURL,
      model: MODEL,
      stop: ['\n\n'],
      extraBody: { min_p: 0.05, repetition_penalty: 1.1 },
    });
    const res = await policy.sample(
      request(['p'], [2], { maxNewTokens: 2, temperature: 0.7, topP: 0.9, topK: 20 }),
    );
    const body = server.stats.bodies[0];
    expect(body).toMatchObject({
      model: MODEL,
      n: 2,
      seed: derivedSeed(42, 0, 0),
      temperature: 0.7,
      top_p: 0.9,
      top_k: 20,
      max_tokens: 2,
      stop: ['\n\n'],
      min_p: 0.05,
      repetition_penalty: 1.1,
    });
    expect(res.groups[0].every((r) => !r.finished && r.text.split(' ').length === 2)).toBe(true);

    server.reset();
    await policy.sample(request(['p'], [1], { temperature: 0 }));
    expect(server.stats.bodies[0]).not.toHaveProperty('top_k');
    expect(server.stats.bodies[0]).not.toHaveProperty('top_p');
    expect(server.stats.bodies[0].temperature).toBe(0);
    await policy.close();
  });

  it('reports 0 tokens when the server gives no usage', async () => {
    server.reset({ usage: false });
    const policy = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL });
    const res = await policy.sample(request(['a', 'b'], [2, 1]));
    expect(res.tokens).toBe(0);
    expect(res.groups.map((g) => g.length)).toEqual([2, 1]);
    await policy.close();
  });

  it('tops up the groups of a server that ignores n, one seed per sample', async () => {
    server.reset({ ignoreN: true });
    const policy = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL });
    const prompts = ['alpha', 'beta', 'gamma'];
    const n = [4, 1, 3];
    const expected = prompts.map((p, i) =>
      Array.from({ length: n[i] }, (_, k) => fakeAnswer(`user: ${p}`, derivedSeed(7, i, k), 0)),
    );

    const first = await policy.sample(request(prompts, n, { seed: 7 }));
    expect(first.groups.map((g) => g.map((r) => r.text))).toEqual(expected);
    expect(server.stats.completionRequests).toBe(4 + 1 + 3);
    const seeds = server.stats.bodies.map((b) => b.seed);
    expect(new Set(seeds).size).toBe(seeds.length);

    // Once learned, the adapter asks for one choice per request straight away; same rollouts.
    server.reset({ ignoreN: true });
    const second = await policy.sample(request(prompts, n, { seed: 7 }));
    expect(second.groups).toEqual(first.groups);
    expect(server.stats.bodies.every((b) => b.n === 1)).toBe(true);
    expect(server.stats.completionRequests).toBe(8);
    await policy.close();
  });

  it.each([500, 400] as const)(
    'learns that a server refuses n > 1 (llama.cpp, HTTP %i) and fans out without retrying',
    async (status) => {
      server.reset({ rejectN: status });
      const policy = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL, maxRetries: 2 });
      const t0 = Date.now();
      const res = await policy.sample(request(['one', 'two'], [3, 1], { seed: 5 }));
      expect(Date.now() - t0).toBeLessThan(400); // no backoff spent on the refusal
      expect(res.groups.map((g) => g.map((r) => r.text))).toEqual([
        [0, 1, 2].map((k) => fakeAnswer('user: one', derivedSeed(5, 0, k), 0)),
        [fakeAnswer('user: two', derivedSeed(5, 1, 0), 0)],
      ]);
      // One refused n=3 request, then three single ones; prompt 1 asked n=1 all along.
      expect(server.stats.completionRequests).toBe(1 + 3 + 1);

      server.reset({ rejectN: status });
      await policy.sample(request(['one', 'two'], [3, 1], { seed: 5 }));
      expect(server.stats.completionRequests).toBe(4);
      await policy.close();
    },
  );

  it('is reproducible under a seed and varies with it', async () => {
    const policy = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL });
    const req = request(['same', 'same', 'other'], [3, 3, 2], { seed: 123 });
    const a = await policy.sample(req);
    const b = await policy.sample(req);
    const c = await policy.sample({ ...req, seed: 124 });
    expect(b.groups).toEqual(a.groups);
    expect(c.groups).not.toEqual(a.groups);
    // The same prompt at two indices gets its own seed, hence its own samples.
    expect(a.groups[1]).not.toEqual(a.groups[0]);
    // A fresh policy (no learned state) gives the same result too.
    const fresh = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL });
    expect((await fresh.sample(req)).groups).toEqual(a.groups);
    await Promise.all([policy.close(), fresh.close()]);
  });

  it('respects the concurrency limit across prompts and top-up requests', async () => {
    server.reset({ delayMs: 30 });
    const policy = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL, concurrency: 3 });
    const prompts = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const res = await policy.sample(
      request(
        prompts,
        prompts.map(() => 2),
      ),
    );
    expect(res.groups.every((g) => g.length === 2)).toBe(true);
    expect(server.stats.maxInFlight).toBe(3);

    server.reset({ delayMs: 20, ignoreN: true });
    const one = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL, concurrency: 2 });
    const r2 = await one.sample(request(['x', 'y'], [5, 4]));
    expect(r2.groups.map((g) => g.length)).toEqual([5, 4]);
    expect(server.stats.completionRequests).toBe(9);
    expect(server.stats.maxInFlight).toBe(2);
    await Promise.all([policy.close(), one.close()]);
  });

  it('retries after a 500 and succeeds', async () => {
    server.reset({ fail500: 1 });
    const policy = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL, maxRetries: 2 });
    const res = await policy.sample(request(['retry me'], [2]));
    expect(res.groups[0]).toHaveLength(2);
    expect(server.stats.completionRequests).toBe(2);
    await policy.close();
  });

  it('gives up on persistent 500s with a clear error', async () => {
    server.reset({ fail500: 100 });
    const policy = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL, maxRetries: 1 });
    const err = await rejection(policy.sample(request(['x'], [1])));
    expect(err.kind).toBe('http');
    expect(err.status).toBe(500);
    expect(err.message).toContain(server.baseURL);
    expect(err.message).toContain('HTTP 500 after 2 attempts');
    expect(err.message).toContain('prompt 0');
    expect(server.stats.completionRequests).toBe(2);
    await policy.close();
  });

  it('explains an unknown model and lists the served ones', async () => {
    server.reset({ models: ['fake-model', 'other-model'] });
    const policy = createOpenAIPolicy({ baseURL: server.baseURL, model: 'no-such-model' });
    const err = await rejection(policy.sample(request(['x'], [1])));
    expect(err.kind).toBe('model-not-served');
    expect(err.message).toContain('model "no-such-model" is not served at ' + server.baseURL);
    expect(err.message).toContain('served models: fake-model, other-model');
    expect(server.stats.completionRequests).toBe(1); // 404 is not retried
    await policy.close();
  });

  it('points at a base URL without /v1', async () => {
    const policy = createOpenAIPolicy({ baseURL: `http://127.0.0.1:${server.port}`, model: MODEL });
    const err = await rejection(policy.sample(request(['x'], [1])));
    expect(err.kind).toBe('not-found');
    expect(err.message).toContain('check that baseURL ends in /v1');
    await policy.close();
  });

  it('cuts off a server that never answers, naming URL, model and prompt', async () => {
    hanging.reset({ hang: 'headers' });
    const policy = createOpenAIPolicy({
      baseURL: hanging.baseURL,
      model: MODEL,
      timeoutMs: 300,
      maxRetries: 0,
    });
    const t0 = Date.now();
    const err = await rejection(policy.sample(request(['hang'], [2])));
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain(hanging.baseURL);
    expect(err.message).toContain(`model "${MODEL}"`);
    expect(err.message).toContain('prompt 0');
    expect(err.message).toContain('300 ms');
    expect(err.promptIndex).toBe(0);
    await policy.close();
  });

  it('retries a timed-out request before giving up', async () => {
    hanging.reset({ hang: 'headers' });
    const policy = createOpenAIPolicy({
      baseURL: hanging.baseURL,
      model: MODEL,
      timeoutMs: 200,
      maxRetries: 1,
    });
    const t0 = Date.now();
    const err = await rejection(policy.sample(request(['hang'], [1])));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('2 attempts');
    expect(hanging.stats.completionRequests).toBe(2);
    await policy.close();
  });

  it('cuts off a server that sends headers and then stalls the body', async () => {
    hanging.reset({ hang: 'body' });
    const policy = createOpenAIPolicy({
      baseURL: hanging.baseURL,
      model: MODEL,
      timeoutMs: 300,
      maxRetries: 0,
    });
    const t0 = Date.now();
    const err = await rejection(policy.sample(request(['a', 'b', 'c'], [1, 1, 1])));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain(hanging.baseURL);
    expect(err.message).toMatch(/prompt [012]/);
    await policy.close();
  });

  it('says no server answers at a closed port, and how to start one', async () => {
    const port = await closedPort();
    const baseURL = `http://127.0.0.1:${port}/v1`;
    const policy = createOpenAIPolicy({ baseURL, model: 'Qwen/Qwen2.5-0.5B-Instruct', maxRetries: 0 });
    const err = await rejection(policy.sample(request(['x'], [1])));
    expect(err.kind).toBe('connection-refused');
    expect(err.message).toContain(`no server answers at ${baseURL}`);
    expect(err.message).toContain(`vllm serve Qwen/Qwen2.5-0.5B-Instruct --port ${port}`);
    expect(err.message).toContain('llama-server -m');
    expect(err.message).not.toContain('\n');
    await policy.close();
  });

  it('close() cancels requests in flight and refuses new ones', async () => {
    hanging.reset({ hang: 'headers' });
    const policy = createOpenAIPolicy({ baseURL: hanging.baseURL, model: MODEL, timeoutMs: 10_000 });
    const pending = policy.sample(request(['a'], [1]));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await policy.close();
    const err = await rejection(pending);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err.kind).toBe('aborted');
    await expect(policy.sample(request(['a'], [1]))).rejects.toThrow(/after close/);
  });

  it('rejects malformed requests', async () => {
    const policy = createOpenAIPolicy({ baseURL: server.baseURL, model: MODEL });
    await expect(policy.sample(request(['a', 'b'], [1]))).rejects.toThrow(/n has 1 entries for 2 prompts/);
    await expect(policy.sample(request(['a'], [0]))).rejects.toThrow(/n\[0\]/);
    expect(server.stats.completionRequests).toBe(0);
    const empty = await policy.sample(request([], []));
    expect(empty).toEqual({ groups: [], flops: 0, tokens: 0 });
    await policy.close();
  });
});

describe('checkServer', () => {
  it('lists served models and says whether the model is among them', async () => {
    server.reset({ models: ['m1', 'm2'] });
    expect(await checkServer({ baseURL: server.baseURL })).toEqual({
      baseURL: server.baseURL,
      models: ['m1', 'm2'],
    });
    const r = await checkServer({ baseURL: server.baseURL + '/', model: 'm3' });
    expect(r).toEqual({ baseURL: server.baseURL, models: ['m1', 'm2'], model: 'm3', modelServed: false });
    expect((await checkServer({ baseURL: server.baseURL, model: 'm2' })).modelServed).toBe(true);
  });

  it('explains a closed port and a base URL without /v1', async () => {
    const port = await closedPort();
    const err = await rejection(checkServer({ baseURL: `http://127.0.0.1:${port}/v1` }));
    expect(err.kind).toBe('connection-refused');
    expect(err.message).toContain(`no server answers at http://127.0.0.1:${port}/v1`);
    expect(err.message).toContain('vllm serve <model>');

    const bad = await rejection(checkServer({ baseURL: `http://127.0.0.1:${server.port}` }));
    expect(bad.kind).toBe('not-found');
    expect(bad.message).toContain('/v1');
  });
});
