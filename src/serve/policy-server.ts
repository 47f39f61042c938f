/**
 * The embedded policy behind an OpenAI-compatible HTTP API: POST /v1/completions,
 * POST /v1/chat/completions (n, temperature, top_p, max_tokens, stop, seed, logprobs), GET /v1/models,
 * GET /health. Concurrent requests are batched into the engine's batched sampler (see batcher.ts).
 *
 * Generation ends at the checkpoint's answer terminator (default "\n", finish_reason "stop"; it is not
 * part of the text), at a `stop` string (cut before it), or at max_tokens / the context length
 * ("length"). Log-probs are the untempered ones of the sampled tokens (what RL's old log-probs are).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { CharTokenizer } from '../engine/index.js';
import { stepSeed } from '../run/seeds.js';
import { SampleBatcher, type BatcherOptions, type BatchSampler, type Generated } from './batcher.js';
import { HttpError, listen, readJsonBody, router, sendJson, type Listening } from './http.js';
import { parseChatRequest, parseCompletionRequest, type SamplingParams } from './openai-api.js';

export interface ServedModel {
  sampler: BatchSampler;
  tokenizer: CharTokenizer;
  contextLength: number;
}

export interface PolicyServerOptions extends BatcherOptions {
  model: ServedModel;
  /** The id clients pass as `model` (GET /v1/models lists it). */
  modelName: string;
  port?: number;
  host?: string;
  /** The checkpoint's answer terminator: one token (default "\n"). */
  stopText?: string;
}

export interface PolicyServer extends Listening {
  /** Base URL including /v1, as OpenAI clients want it. */
  baseURL: string;
  batcher: SampleBatcher;
}

interface Choice {
  text: string;
  finishReason: 'stop' | 'length';
  tokens: string[];
  logprobs: number[];
}

/** Text, finish reason and per-token pieces of one generated sequence, cut at the terminator or a stop string. */
export function toChoice(g: Generated, tokenizer: CharTokenizer, stopToken: number, stop: string[]): Choice {
  let ids = g.tokens;
  let lps = Array.from(g.logprobs);
  let finishReason: Choice['finishReason'] = g.finished ? 'stop' : 'length';
  if (g.finished && ids[ids.length - 1] === stopToken) {
    ids = ids.slice(0, -1);
    lps = lps.slice(0, -1);
  }
  const pieces = ids.map((t) => tokenizer.decode([t]));
  let text = pieces.join('');
  const cut = Math.min(...stop.map((s) => text.indexOf(s)).filter((i) => i >= 0));
  if (Number.isFinite(cut)) {
    text = text.slice(0, cut);
    finishReason = 'stop';
    let offset = 0;
    let keep = 0;
    while (keep < pieces.length && offset + pieces[keep].length <= cut) offset += pieces[keep++].length;
    pieces.length = keep;
    lps = lps.slice(0, keep);
  }
  return { text, finishReason, tokens: pieces, logprobs: lps };
}

function completionLogprobs(c: Choice) {
  let offset = 0;
  const textOffset = c.tokens.map((t) => ((offset += t.length), offset - t.length));
  return {
    tokens: c.tokens,
    token_logprobs: c.logprobs,
    top_logprobs: c.tokens.map(() => ({})),
    text_offset: textOffset,
  };
}

function chatLogprobs(c: Choice) {
  return {
    content: c.tokens.map((token, i) => ({
      token,
      logprob: c.logprobs[i],
      bytes: [...Buffer.from(token, 'utf8')],
      top_logprobs: [],
    })),
    refusal: null,
  };
}

export async function startPolicyServer(o: PolicyServerOptions): Promise<PolicyServer> {
  const { tokenizer, contextLength } = o.model;
  const stopIds = tokenizer.encode(o.stopText ?? '\n');
  if (stopIds.length !== 1)
    throw new Error(`serve: the stop text must be one token, got ${JSON.stringify(o.stopText)}`);
  const stopToken = stopIds[0];
  const batcher = new SampleBatcher(o.model.sampler, stopToken, o);
  const created = Math.floor(Date.now() / 1000);

  /** Samples n choices of each prompt (prompt-major order), checking model, prompt and context. */
  const generate = async (params: SamplingParams, prompts: string[], param: string) => {
    if (params.model !== o.modelName) {
      throw new HttpError(
        404,
        `The model \`${params.model}\` does not exist; this server serves "${o.modelName}"`,
        'model',
        'model_not_found',
      );
    }
    const encoded = prompts.map((p, i) => {
      let ids: number[];
      try {
        ids = tokenizer.encode(p, { bos: true });
      } catch (err) {
        throw new HttpError(400, `${param}: ${(err as Error).message}`, param, 'invalid_value');
      }
      if (ids.length >= contextLength) {
        const which = prompts.length > 1 ? ` ${i}` : '';
        throw new HttpError(
          400,
          `${param}${which} is ${ids.length} tokens; this model's context is ${contextLength} tokens (prompt and completion together)`,
          param,
          'context_length_exceeded',
        );
      }
      return ids;
    });
    const seed = params.seed ?? randomInt(2 ** 31);
    const results = await Promise.all(
      encoded.map((prompt, i) =>
        batcher.submit({
          prompt,
          n: params.n,
          temperature: params.temperature,
          topP: params.topP,
          maxTokens: Math.min(params.maxTokens ?? contextLength, contextLength - prompt.length),
          seed: i === 0 ? seed : stepSeed(seed, 'prompt', i),
        }),
      ),
    );
    const choices = results.flat().map((g) => toChoice(g, tokenizer, stopToken, params.stop));
    const promptTokens = encoded.reduce((s, e) => s + e.length, 0);
    const completionTokens = results.flat().reduce((s, g) => s + g.tokens.length, 0);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    return { choices, usage };
  };

  const reply = (res: http.ServerResponse, object: string, id: string, choices: unknown[], usage: unknown) =>
    sendJson(res, 200, {
      id: `${id}-${randomUUID()}`,
      object,
      created: Math.floor(Date.now() / 1000),
      model: o.modelName,
      choices,
      usage,
    });

  /** Reads and checks a body, telling the batcher a request is on its way until then. */
  const arrive = async <T>(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    parse: (body: Record<string, unknown>) => T,
  ): Promise<T> => {
    const arrival = batcher.arriving();
    res.once('close', arrival.closed);
    try {
      return parse(await readJsonBody(req));
    } finally {
      arrival.submitted();
    }
  };

  const completions = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const params = await arrive(req, res, parseCompletionRequest);
    const { choices, usage } = await generate(params, params.prompts, 'prompt');
    const out = choices.map((c, index) => ({
      index,
      text: c.text,
      finish_reason: c.finishReason,
      logprobs: params.logprobs ? completionLogprobs(c) : null,
    }));
    reply(res, 'text_completion', 'cmpl', out, usage);
  };

  const chat = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const params = await arrive(req, res, parseChatRequest);
    const { choices, usage } = await generate(params, [params.prompt], 'messages');
    const out = choices.map((c, index) => ({
      index,
      message: { role: 'assistant', content: c.text, refusal: null },
      finish_reason: c.finishReason,
      logprobs: params.logprobs ? chatLogprobs(c) : null,
    }));
    reply(res, 'chat.completion', 'chatcmpl', out, usage);
  };

  const models = async (_req: http.IncomingMessage, res: http.ServerResponse) =>
    sendJson(res, 200, {
      object: 'list',
      data: [{ id: o.modelName, object: 'model', created, owned_by: 'flopwise' }],
    });

  const listening = await listen(
    router({
      'POST /v1/completions': completions,
      'POST /v1/chat/completions': chat,
      'GET /v1/models': models,
      'GET /health': async (_req, res) => sendJson(res, 200, { status: 'ok' }),
    }),
    o.port ?? 8000,
    o.host ?? '127.0.0.1',
  );
  return { ...listening, baseURL: `${listening.url}/v1`, batcher };
}
