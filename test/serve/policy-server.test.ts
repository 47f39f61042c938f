/** `flopwise serve`'s HTTP API against the official `openai` client, on a tiny random model. */
import OpenAI, { BadRequestError, NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CharTokenizer, createModel, saveCheckpoint, type Model } from '../../src/engine/index.js';
import { startPolicyServer, type PolicyServer } from '../../src/serve/policy-server.js';

const tokenizer = new CharTokenizer();
const CONTEXT = 24;
let model: Model;
let server: PolicyServer;
let client: OpenAI;

beforeAll(async () => {
  model = await createModel(
    { vocabSize: tokenizer.vocabSize, dModel: 16, nLayers: 1, nHeads: 2, contextLength: CONTEXT },
    { seed: 3, threads: 1 },
  );
  server = await startPolicyServer({
    model: { sampler: model, tokenizer, contextLength: CONTEXT },
    modelName: 'tiny',
    port: 0,
    maxWaitMs: 20,
  });
  client = new OpenAI({ baseURL: server.baseURL, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
  await model.dispose();
});

/** What the engine samples directly for one prompt, the reference the server must reproduce. */
function direct(prompt: string, n: number, seed: number, maxTokens: number, temperature = 1) {
  const ids = tokenizer.encode(prompt, { bos: true });
  const stop = tokenizer.encode('\n')[0];
  const out = model.sample({
    prompts: Array.from({ length: n }, () => ids),
    streams: Array.from({ length: n }, (_, j) => ({ seed, index: j })),
    maxNewTokens: maxTokens,
    temperature,
    stopToken: stop,
    seed: 0,
  });
  return out.tokens.map((t, i) => ({
    text: tokenizer.decode(t.filter((x) => x !== stop)),
    finished: out.finished[i],
    logprobs: Array.from(out.logprobs[i]).slice(0, out.finished[i] ? -1 : undefined),
  }));
}

describe('serve: OpenAI-compatible API', () => {
  it('lists the model', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['tiny']);
  });

  it('completions: n choices equal to direct sampling with the same seed, with logprobs and usage', async () => {
    const res = await client.completions.create({
      model: 'tiny',
      prompt: '12+7=',
      n: 3,
      max_tokens: 6,
      seed: 11,
      temperature: 1,
      logprobs: 0,
    });
    const want = direct('12+7=', 3, 11, 6);
    expect(res.choices.map((c) => c.text)).toEqual(want.map((w) => w.text));
    expect(res.choices.map((c) => c.finish_reason)).toEqual(
      want.map((w) => (w.finished ? 'stop' : 'length')),
    );
    res.choices.forEach((c, i) => {
      expect(c.index).toBe(i);
      expect(c.logprobs!.tokens!.join('')).toBe(c.text);
      c.logprobs!.token_logprobs!.forEach((lp, j) => expect(lp).toBeCloseTo(want[i].logprobs[j], 5));
    });
    expect(res.usage!.prompt_tokens).toBe(6); // BOS + 5 characters
  });

  it('chat: the last user message is the prompt; the same seed gives the same choices', async () => {
    const ask = () =>
      client.chat.completions.create({
        model: 'tiny',
        messages: [
          { role: 'system', content: 'ignored' },
          { role: 'user', content: '3*4=' },
        ],
        n: 2,
        max_tokens: 5,
        seed: 5,
        logprobs: true,
      });
    const [a, b] = await Promise.all([ask(), ask()]);
    const want = direct('3*4=', 2, 5, 5);
    expect(a.choices.map((c) => c.message.content)).toEqual(want.map((w) => w.text));
    expect(b.choices.map((c) => c.message.content)).toEqual(want.map((w) => w.text));
    expect(a.choices[0].logprobs!.content!.map((t) => t.token).join('')).toBe(a.choices[0].message.content);
  });

  it('stop strings cut the text before them; temperature 0 is greedy', async () => {
    const full = await client.completions.create({
      model: 'tiny',
      prompt: '9-2=',
      max_tokens: 10,
      temperature: 0,
    });
    const text = full.choices[0].text;
    expect(text.length).toBeGreaterThan(2);
    const stop = text.slice(2, 3);
    const cut = await client.completions.create({
      model: 'tiny',
      prompt: '9-2=',
      max_tokens: 10,
      temperature: 0,
      stop: [stop],
    });
    expect(cut.choices[0].text).toBe(text.slice(0, text.indexOf(stop)));
    expect(cut.choices[0].finish_reason).toBe('stop');
  });

  it('concurrent requests are batched into fewer engine calls', async () => {
    const before = { ...server.batcher.stats };
    const replies = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        client.completions.create({ model: 'tiny', prompt: `${i}+1=`, max_tokens: 4, seed: i }),
      ),
    );
    expect(replies).toHaveLength(16);
    const calls = server.batcher.stats.calls - before.calls;
    expect(calls).toBeLessThan(16);
    expect(server.batcher.stats.sequences - before.sequences).toBe(16);
    // batching does not change what a seeded request samples
    expect(replies[3].choices[0].text).toBe(direct('3+1=', 1, 3, 4)[0].text);
  });

  it('bad requests get 400 in OpenAI error shape, naming the field; the server keeps serving', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ n: 0 }, /^n: must be an integer in \[1, 128\]/],
      [{ n: 'two' }, /^n: must be an integer/],
      [{ temperature: 'hot' }, /^temperature: must be a number/],
      [{ max_tokens: -1 }, /^max_tokens/],
      [{ prompt: 'x'.repeat(CONTEXT) }, /context is 24 tokens/],
      [{ prompt: 'é' }, /not in the vocabulary/],
      [{ prompt: [1, 2] }, /^prompt: must be a string/],
      [{ stop: 5 }, /^stop:/],
      [{ logprobs: 2 }, /^logprobs: only 0/],
      [{ stream: true }, /^stream: streaming is not supported/],
    ];
    for (const [patch, message] of cases) {
      const err = await client.completions
        .create({ model: 'tiny', prompt: '1+1=', max_tokens: 2, ...patch } as never)
        .catch((e: unknown) => e);
      expect(err, JSON.stringify(patch)).toBeInstanceOf(BadRequestError);
      const body = (err as BadRequestError).error as { message: string; type: string; param: string };
      expect(body.message).toMatch(message);
      expect(body.type).toBe('invalid_request_error');
    }
    const chatErr = await client.chat.completions
      .create({ model: 'tiny', messages: [{ role: 'system', content: 'x' }] })
      .catch((e: unknown) => e);
    expect((chatErr as BadRequestError).status).toBe(400);
    const wrongModel = await client.completions
      .create({ model: 'other', prompt: '1' })
      .catch((e: unknown) => e);
    expect(wrongModel).toBeInstanceOf(NotFoundError);
    expect((wrongModel as NotFoundError).message).toMatch(/other.*does not exist/);
    // still answering
    expect(
      (await client.completions.create({ model: 'tiny', prompt: '1+1=', max_tokens: 2 })).choices,
    ).toHaveLength(1);
  });

  it('raw HTTP: invalid JSON is 400, an unknown path 404, a wrong method 405', async () => {
    const bad = await fetch(`${server.baseURL}/completions`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    expect((await fetch(`${server.baseURL}/embeddings`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${server.baseURL}/completions`)).status).toBe(405);
  });
});

describe('flopwise serve (the command)', () => {
  it('serves a checkpoint under its directory name until stopped', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'flopwise-serve-')), 'tiny-ckpt');
    saveCheckpoint(dir, model, { optimizer: false, tokenizer });
    const root = join(import.meta.dirname, '..', '..');
    const child = spawn(join(root, 'node_modules/.bin/tsx'), [
      join(root, 'src/cli/index.ts'),
      'serve',
      '--checkpoint',
      dir,
      '--port',
      '0',
    ]);
    try {
      const baseURL = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /at (http:\/\/\S+\/v1)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const c = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
      expect((await c.models.list()).data.map((m) => m.id)).toEqual(['tiny-ckpt']);
      const res = await c.completions.create({ model: 'tiny-ckpt', prompt: '1+1=', max_tokens: 4, seed: 2 });
      expect(res.choices[0].text).toBe(direct('1+1=', 1, 2, 4)[0].text);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
