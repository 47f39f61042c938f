/**
 * A tiny OpenAI-compatible server for tests: node:http on 127.0.0.1, ephemeral port.
 *
 * Implements GET /v1/models, POST /v1/chat/completions and POST /v1/completions with canned,
 * deterministic completions: the text is a function of the prompt, the request's seed and the
 * choice index. Switches (mutable on `server.options`, or via `reset()`) mimic real servers' quirks:
 * `ignoreN` (Ollama: one choice whatever `n` asks), `rejectN` (llama.cpp: an error for `n` > 1),
 * `hang` (never answer, or send headers then stall the body), `fail500` (answer 500 that many times,
 * then succeed), `failOn` (500 for every request about one prompt), `delayMs`, `usage`; a model not in `models` gets vLLM's 404.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServerOptions {
  /** Served model ids; any other → 404 like vLLM. */
  models: string[];
  /** One choice per request, whatever `n` asks (Ollama). */
  ignoreN: boolean;
  /** 'headers': never answer; 'body': send 200 headers and part of the body, then stall. */
  hang: false | 'headers' | 'body';
  /** Refuse n > 1 with this status, as llama.cpp does (500 in older builds, 400 in newer). */
  rejectN: false | 400 | 500;
  /** Answer this many completion requests with HTTP 500 before succeeding (counts down). */
  fail500: number;
  /** Answer HTTP 500, every time, to a request whose prompt or messages contain this text. */
  failOn: string | null;
  /** Delay before each completion answer, to make requests overlap (concurrency tests). */
  delayMs: number;
  /** Report `usage` in replies. */
  usage: boolean;
}

export interface FakeServerStats {
  /** Completion requests received (both endpoints), 500s and hangs included. */
  completionRequests: number;
  modelRequests: number;
  inFlight: number;
  maxInFlight: number;
  /** Parsed bodies of completion requests, in arrival order. */
  bodies: Array<Record<string, unknown>>;
  /** Path of each completion request, in arrival order. */
  paths: string[];
}

export interface FakeOpenAIServer {
  /** Base URL including /v1, e.g. http://127.0.0.1:41234/v1 */
  baseURL: string;
  port: number;
  options: FakeServerOptions;
  stats: FakeServerStats;
  /** Resets stats and options to the defaults (plus `overrides`). */
  reset(overrides?: Partial<FakeServerOptions>): void;
  close(): Promise<void>;
}

const DEFAULTS: FakeServerOptions = {
  models: ['fake-model'],
  ignoreN: false,
  hang: false,
  rejectN: false,
  fail500: 0,
  failOn: null,
  delayMs: 0,
  usage: true,
};

/** FNV-1a over a string, 32 bits. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The canned completion: four words, a function of prompt, seed and choice index only. */
export function fakeAnswer(prompt: string, seed: number, choice: number): string {
  const h = fnv1a(`${prompt}\u0000${seed}\u0000${choice}`);
  return `the answer is ${h % 1000}`;
}

function words(s: string): number {
  return s.split(/\s+/).filter(Boolean).length;
}

export async function startFakeOpenAIServer(
  overrides: Partial<FakeServerOptions> = {},
): Promise<FakeOpenAIServer> {
  const options: FakeServerOptions = { ...DEFAULTS, ...overrides };
  const stats: FakeServerStats = {
    completionRequests: 0,
    modelRequests: 0,
    inFlight: 0,
    maxInFlight: 0,
    bodies: [],
    paths: [],
  };
  // Without a seed, real servers sample randomly; a counter stands in for that here.
  let unseeded = 1_000_000;

  const sendJson = (res: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && url === '/v1/models') {
        stats.modelRequests++;
        sendJson(res, 200, {
          object: 'list',
          data: options.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })),
        });
        return;
      }
      const chat = url === '/v1/chat/completions';
      if (req.method !== 'POST' || (!chat && url !== '/v1/completions')) {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${url}`, type: 'not_found' } });
        return;
      }

      stats.completionRequests++;
      stats.paths.push(url);
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      res.on('close', () => stats.inFlight--);

      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        sendJson(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } });
        return;
      }
      stats.bodies.push(body);

      if (options.hang === 'headers') return; // never answer
      if (options.hang === 'body') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"stalled","choices":[');
        return;
      }
      if (options.fail500 > 0) {
        options.fail500--;
        sendJson(res, 500, { error: { message: 'transient failure', type: 'server_error' } });
        return;
      }
      if (options.failOn !== null && JSON.stringify([body.prompt, body.messages]).includes(options.failOn)) {
        sendJson(res, 500, { error: { message: 'this prompt always fails', type: 'server_error' } });
        return;
      }
      const model = String(body.model);
      if (!options.models.includes(model)) {
        // vLLM's wording and shape.
        sendJson(res, 404, {
          object: 'error',
          message: `The model \`${model}\` does not exist.`,
          type: 'NotFoundError',
          param: null,
          code: 404,
        });
        return;
      }

      const nAsked = typeof body.n === 'number' ? body.n : 1;
      if (options.rejectN !== false && nAsked !== 1) {
        // llama.cpp's wording and shape.
        const status = options.rejectN;
        sendJson(res, status, {
          error: {
            code: status,
            message: 'Only one completion choice is allowed',
            type: status === 500 ? 'server_error' : 'invalid_request_error',
          },
        });
        return;
      }

      let prompt: string;
      if (chat) {
        const messages = (body.messages ?? []) as Array<{ role: string; content: string }>;
        prompt = messages.map((m) => `${m.role}: ${m.content}`).join('\n');
      } else {
        prompt = String(body.prompt);
      }
      const n = options.ignoreN ? 1 : nAsked;
      const seed = typeof body.seed === 'number' ? body.seed : unseeded++;
      const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 16;

      let completionTokens = 0;
      const choices = Array.from({ length: n }, (_, index) => {
        let text = fakeAnswer(prompt, seed, index);
        let finish = 'stop';
        if (words(text) > maxTokens) {
          text = text.split(' ').slice(0, maxTokens).join(' ');
          finish = 'length';
        }
        completionTokens += words(text);
        return chat
          ? { index, message: { role: 'assistant', content: text }, finish_reason: finish, logprobs: null }
          : { index, text, finish_reason: finish, logprobs: null };
      });
      const promptTokens = words(prompt);
      const reply = {
        id: `fake-${stats.completionRequests}`,
        object: chat ? 'chat.completion' : 'text_completion',
        created: 0,
        model,
        choices,
        ...(options.usage
          ? {
              usage: {
                prompt_tokens: promptTokens,
                completion_tokens: completionTokens,
                total_tokens: promptTokens + completionTokens,
              },
            }
          : {}),
      };
      if (options.delayMs > 0) setTimeout(() => sendJson(res, 200, reply), options.delayMs);
      else sendJson(res, 200, reply);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    port,
    options,
    stats,
    reset(o: Partial<FakeServerOptions> = {}) {
      Object.assign(options, DEFAULTS, o);
      stats.completionRequests = 0;
      stats.modelRequests = 0;
      stats.maxInFlight = stats.inFlight;
      stats.bodies.length = 0;
      stats.paths.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests keep their sockets open; drop them so close() returns.
        server.closeAllConnections();
      });
    },
  };
}

/** A 127.0.0.1 port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
