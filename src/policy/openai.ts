/**
 * Policy adapter for any OpenAI-compatible HTTP server: vLLM, SGLang, llama.cpp server, Ollama.
 *
 * Sampling only (profiling and evaluation of real models); nothing here trains. Each prompt's group
 * is requested with `n` in one call. Servers that ignore `n` (Ollama) answer with one choice, and
 * llama.cpp's server refuses `n` > 1 with an error ("Only one completion choice is allowed"); both
 * are detected, remembered for the policy's lifetime, and the group is topped up with single-choice
 * requests, each with its own seed. Requests go out at most `concurrency` at a time, across prompts.
 *
 * FLOPs: a remote server's compute is unknown, so `flops` is always 0. The run layer may estimate it
 * from a declared parameter count and the `tokens` reported here (≈ 2·params·tokens); not done here.
 *
 * `baseURL` follows the OpenAI client's convention and includes the `/v1` path, e.g.
 * `http://127.0.0.1:8000/v1` (vLLM), `http://127.0.0.1:8080/v1` (llama.cpp),
 * `http://127.0.0.1:11434/v1` (Ollama), `http://127.0.0.1:30000/v1` (SGLang).
 */
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  NotFoundError,
} from 'openai';
import { setMaxListeners } from 'node:events';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { Completion, CompletionCreateParamsNonStreaming } from 'openai/resources/completions';
import type { Policy, Rollout, SampleRequest, SampleResult } from './types.js';
import { fmix32 } from '../tasks/rng.js';

export interface OpenAIPolicyOptions {
  /** Server root including `/v1`, e.g. `http://127.0.0.1:8000/v1`. */
  baseURL: string;
  /** Model name as the server serves it (`/v1/models`). */
  model: string;
  /** Defaults to `$OPENAI_API_KEY`, else `'EMPTY'` (local servers accept anything). */
  apiKey?: string;
  /** `'chat'` (default) sends the prompt as a user message; `'completions'` sends it raw. */
  mode?: 'completions' | 'chat';
  /**
   * Chat mode: a system message before the prompt. Completions mode: prepended to the prompt,
   * separated by a blank line.
   */
  systemPrompt?: string;
  /** Per-request limit (each attempt, headers and body), default 120000 ms. */
  timeoutMs?: number;
  /** Retries on 408/409/429/5xx, connection errors and timeouts, with backoff; default 2. */
  maxRetries?: number;
  /** Requests in flight at once, across all prompts of a call; default 8. */
  concurrency?: number;
  stop?: string[];
  /** Merged last into every request body (server-specific knobs: `min_p`, `repetition_penalty`…). */
  extraBody?: Record<string, unknown>;
}

export type OpenAIPolicyErrorKind =
  | 'timeout'
  | 'connection-refused'
  | 'connection'
  | 'model-not-served'
  | 'not-found'
  | 'http'
  | 'protocol'
  | 'aborted';

/** Every failure of the adapter: names the server, the model and (when known) the prompt index. */
export class OpenAIPolicyError extends Error {
  readonly kind: OpenAIPolicyErrorKind;
  readonly baseURL: string;
  readonly model: string;
  readonly promptIndex: number | undefined;
  readonly status: number | undefined;

  constructor(
    message: string,
    details: {
      kind: OpenAIPolicyErrorKind;
      baseURL: string;
      model: string;
      promptIndex?: number;
      status?: number;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'OpenAIPolicyError';
    this.kind = details.kind;
    this.baseURL = details.baseURL;
    this.model = details.model;
    this.promptIndex = details.promptIndex;
    this.status = details.status;
  }
}

/**
 * A tiny counting semaphore bounding requests in flight. p-limit would do, but it is not a
 * dependency of this project (only a transitive one of eslint) and twenty lines do not justify one.
 */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`concurrency must be an integer ≥ 1, got ${limit}`);
    }
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) {
      this.active++;
    } else {
      // The releasing task hands its slot over directly, so `active` stays unchanged.
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    try {
      return await fn();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * The seed sent for the request whose first choice is sample `sampleOffset` of prompt
 * `promptIndex`: a 31-bit hash of the call's seed and both indices (every server accepts 31 bits).
 * Indexing by sample offset keeps a group the same whether it came in one `n` request or was
 * topped up one choice at a time.
 */
export function derivedSeed(seed: number, promptIndex: number, sampleOffset: number): number {
  const s = Math.floor(seed);
  const lo = s >>> 0;
  const hi = Math.floor(s / 2 ** 32) >>> 0;
  let h = fmix32(lo ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul(hi ^ 0x7f4a7c15, 0x27d4eb2f));
  h = fmix32(h ^ Math.imul(promptIndex + 1, 0x165667b1));
  h = fmix32(h ^ Math.imul(sampleOffset + 1, 0x9e3779b1));
  return h & 0x7fffffff;
}

/** How llama.cpp's server refuses `n` > 1 ("Only one completion choice is allowed"). */
const REJECTS_N = /only one completion choice/i;

/**
 * Wraps fetch so the per-attempt deadline also covers reading the body: the OpenAI client's own
 * timeout stops once the headers arrive, and a server that sends headers then stalls would hang.
 * Responses are small JSON documents (no streaming), so buffering them is fine. The abort surfaces
 * as an AbortError, which the client treats as a timeout (retried, then APIConnectionTimeoutError).
 */
function fetchWithDeadline(
  timeoutMs: number,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const controller = new AbortController();
    const outer = init?.signal ?? undefined;
    const onAbort = (): void => controller.abort();
    if (outer?.aborted) controller.abort();
    else outer?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await fetch(input, { ...init, signal: controller.signal });
      const nullBody = [101, 204, 205, 304].includes(res.status);
      const body = nullBody ? null : await res.arrayBuffer();
      const headers = new Headers(res.headers);
      // Older llama.cpp servers answer n > 1 with a 500; retrying cannot help, so tell the client not to.
      if (res.status >= 500 && body && REJECTS_N.test(new TextDecoder().decode(body))) {
        headers.set('x-should-retry', 'false');
      }
      return new Response(body, { status: res.status, statusText: res.statusText, headers });
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  };
}

interface ClientConfig {
  baseURL: string;
  apiKey?: string;
  timeoutMs: number;
  maxRetries: number;
}

function makeClient(c: ClientConfig): OpenAI {
  return new OpenAI({
    baseURL: c.baseURL,
    apiKey: c.apiKey ?? process.env.OPENAI_API_KEY ?? 'EMPTY',
    timeout: c.timeoutMs,
    maxRetries: c.maxRetries,
    fetch: fetchWithDeadline(c.timeoutMs),
  });
}

/** Walks an error's cause chain (and AggregateError members) for a Node system error code. */
function findErrorCode(err: unknown, depth = 0): string | undefined {
  if (err === null || typeof err !== 'object' || depth > 8) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors)) {
    for (const e of errors) {
      const c = findErrorCode(e, depth + 1);
      if (c) return c;
    }
  }
  return findErrorCode((err as { cause?: unknown }).cause, depth + 1);
}

function portOf(baseURL: string): string {
  try {
    const u = new URL(baseURL);
    return u.port || (u.protocol === 'https:' ? '443' : '80');
  } catch {
    return '8000';
  }
}

/** Stands for the model in errors of checkServer() called without one. */
const ANY_MODEL = '(any)';

/** The one-line hint for a URL where nothing listens. */
function startHint(baseURL: string, model: string): string {
  const port = portOf(baseURL);
  return (
    `start one, e.g. \`vllm serve ${model} --port ${port}\`, ` +
    `\`python -m sglang.launch_server --model-path ${model} --port ${port}\`, ` +
    `\`llama-server -m model.gguf --port ${port}\` or \`ollama serve\` (port 11434), ` +
    `and pass its URL including /v1`
  );
}

/** Fetches the served model ids; undefined where the list cannot be had (used for hints only). */
async function tryListModels(client: OpenAI, timeoutMs: number): Promise<string[] | undefined> {
  try {
    const page = await client.models.list({ timeout: Math.min(timeoutMs, 10_000), maxRetries: 0 });
    return page.data.map((m) => m.id);
  } catch {
    return undefined;
  }
}

function errorDetail(err: unknown): string {
  if (err instanceof APIError) {
    // APIError messages start with the status; the server's own wording follows.
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

interface Describe {
  baseURL: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  client: OpenAI;
  promptIndex?: number;
  endpoint: string;
}

/** Turns whatever the client threw into an OpenAIPolicyError with a message a person can act on. */
async function describeError(err: unknown, d: Describe): Promise<OpenAIPolicyError> {
  if (err instanceof OpenAIPolicyError) return err;
  const where =
    `model "${d.model}" at ${d.baseURL}` + (d.promptIndex === undefined ? '' : `, prompt ${d.promptIndex}`);
  const base = { baseURL: d.baseURL, model: d.model, promptIndex: d.promptIndex, cause: err };
  const attempts = `${d.maxRetries + 1} attempt${d.maxRetries === 0 ? '' : 's'}`;

  if (err instanceof APIUserAbortError) {
    return new OpenAIPolicyError(`openai policy: request cancelled (${where})`, { ...base, kind: 'aborted' });
  }
  if (err instanceof APIConnectionTimeoutError) {
    return new OpenAIPolicyError(
      `openai policy: no answer within ${d.timeoutMs} ms from ${d.baseURL}${d.endpoint} ` +
        `(${where}; ${attempts}); the server hangs or is overloaded: raise timeoutMs or lower concurrency`,
      { ...base, kind: 'timeout' },
    );
  }
  if (err instanceof APIConnectionError) {
    const code = findErrorCode(err);
    if (code === 'ECONNREFUSED') {
      return new OpenAIPolicyError(
        `openai policy: no server answers at ${d.baseURL} (connection refused; ${where}); ` +
          startHint(d.baseURL, d.model === ANY_MODEL ? '<model>' : d.model),
        { ...base, kind: 'connection-refused' },
      );
    }
    const why = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host not found' : (code ?? errorDetail(err));
    return new OpenAIPolicyError(`openai policy: cannot reach ${d.baseURL} (${why}; ${where}; ${attempts})`, {
      ...base,
      kind: 'connection',
    });
  }
  if (err instanceof NotFoundError) {
    const models = await tryListModels(d.client, d.timeoutMs);
    if (models && models.includes(d.model)) {
      return new OpenAIPolicyError(
        `openai policy: ${d.baseURL}${d.endpoint} not found (404) though the model is served (${where}); ` +
          `the server may not offer this endpoint (try the other mode: chat/completions)`,
        { ...base, kind: 'not-found', status: 404 },
      );
    }
    if (models === undefined) {
      return new OpenAIPolicyError(
        `openai policy: ${d.baseURL}${d.endpoint} not found (404) and ${d.baseURL}/models cannot be listed ` +
          `(${where}): check that baseURL ends in /v1, e.g. http://127.0.0.1:8000/v1`,
        { ...base, kind: 'not-found', status: 404 },
      );
    }
    const list =
      models.length === 0 ? `${d.baseURL}/models lists none` : `served models: ${models.join(', ')}`;
    return new OpenAIPolicyError(
      `openai policy: model "${d.model}" is not served at ${d.baseURL} ` +
        `(404 on ${d.endpoint}${d.promptIndex === undefined ? '' : `, prompt ${d.promptIndex}`}); ${list}`,
      { ...base, kind: 'model-not-served', status: 404 },
    );
  }
  if (err instanceof APIError && err.status !== undefined) {
    const retried = err.status === 408 || err.status === 409 || err.status === 429 || err.status >= 500;
    return new OpenAIPolicyError(
      `openai policy: ${d.baseURL}${d.endpoint} answered HTTP ${err.status}` +
        (retried ? ` after ${attempts}` : '') +
        ` (${where}): ${errorDetail(err)}`,
      { ...base, kind: 'http', status: err.status },
    );
  }
  return new OpenAIPolicyError(`openai policy: request failed (${where}): ${errorDetail(err)}`, {
    ...base,
    kind: 'protocol',
  });
}

/** One HTTP reply, reduced to what a group needs. */
export interface Reply {
  rollouts: Rollout[];
  tokens: number;
}

export class OpenAIPolicy implements Policy {
  readonly kind = 'openai';
  private readonly client: OpenAI;
  private readonly semaphore: Semaphore;
  private readonly closing = new AbortController();
  /** Learned on the first short reply: the server returns one choice whatever `n` asks. */
  private ignoresN = false;
  private readonly baseURL: string;
  private readonly model: string;
  private readonly mode: 'completions' | 'chat';
  private readonly timeoutMs: number;
  private readonly maxRetries: number;

  constructor(private readonly opts: OpenAIPolicyOptions) {
    if (!opts.baseURL) throw new Error('openai policy: baseURL is required (e.g. http://127.0.0.1:8000/v1)');
    if (!opts.model) throw new Error('openai policy: model is required');
    this.baseURL = opts.baseURL.replace(/\/+$/, '');
    this.model = opts.model;
    this.mode = opts.mode ?? 'chat';
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.maxRetries = opts.maxRetries ?? 2;
    if (!(this.timeoutMs > 0)) {
      throw new RangeError(`openai policy: timeoutMs must be > 0, got ${this.timeoutMs}`);
    }
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 0) {
      throw new RangeError(`openai policy: maxRetries must be an integer ≥ 0, got ${this.maxRetries}`);
    }
    this.semaphore = new Semaphore(opts.concurrency ?? 8);
    this.client = makeClient({
      baseURL: this.baseURL,
      apiKey: opts.apiKey,
      timeoutMs: this.timeoutMs,
      maxRetries: this.maxRetries,
    });
  }

  async sample(req: SampleRequest): Promise<SampleResult> {
    if (this.closing.signal.aborted) throw new Error('openai policy: sample() after close()');
    validateRequest(req);
    // One failed prompt cancels the others' requests (queued or in flight) instead of leaving them running.
    const call = new AbortController();
    const signal = AbortSignal.any([call.signal, this.closing.signal]);
    // One listener per request in flight (see request()); more than Node's default 10 is expected.
    setMaxListeners(this.semaphore.limit + 10, signal);
    const perPrompt = req.prompts.map((prompt, i) =>
      this.sampleGroup(req, prompt, i, signal).catch((err: unknown) => {
        call.abort();
        throw err;
      }),
    );
    const results = await Promise.all(perPrompt);
    let tokens = 0;
    for (const r of results) tokens += r.tokens;
    return { groups: results.map((r) => r.rollouts), flops: 0, tokens };
  }

  async close(): Promise<void> {
    this.closing.abort();
  }

  /** The group of prompt `i` of `req` (seeds as in sample()); the unit a fleet dispatches. */
  async sampleGroup(req: SampleRequest, prompt: string, i: number, signal: AbortSignal): Promise<Reply> {
    const need = req.n[i];
    const rollouts: Rollout[] = [];
    let tokens = 0;
    // Each round makes progress or throws; the bound only guards against a misbehaving server.
    for (let round = 0; rollouts.length < need; round++) {
      if (round > need + 1) {
        throw new OpenAIPolicyError(
          `openai policy: ${this.baseURL} kept returning short replies for prompt ${i} (model "${this.model}")`,
          { kind: 'protocol', baseURL: this.baseURL, model: this.model, promptIndex: i },
        );
      }
      const offset = rollouts.length;
      const remaining = need - offset;
      let replies: Reply[];
      if (this.ignoresN && remaining > 1) {
        replies = await Promise.all(
          Array.from({ length: remaining }, (_, k) =>
            this.request(req, prompt, i, 1, derivedSeed(req.seed, i, offset + k), signal),
          ),
        );
      } else {
        let reply: Reply;
        try {
          reply = await this.request(req, prompt, i, remaining, derivedSeed(req.seed, i, offset), signal);
        } catch (err) {
          // llama.cpp refuses n > 1 outright (HTTP 400 or 500, by version): learn it and fan out.
          if (
            remaining > 1 &&
            err instanceof OpenAIPolicyError &&
            err.kind === 'http' &&
            REJECTS_N.test(err.message)
          ) {
            this.ignoresN = true;
            continue;
          }
          throw err;
        }
        if (reply.rollouts.length === 1 && remaining > 1) this.ignoresN = true;
        replies = [reply];
      }
      for (const r of replies) {
        tokens += r.tokens;
        for (const ro of r.rollouts) if (rollouts.length < need) rollouts.push(ro);
      }
      if (rollouts.length === offset) {
        throw new OpenAIPolicyError(
          `openai policy: ${this.baseURL} returned no choices for prompt ${i} (model "${this.model}")`,
          { kind: 'protocol', baseURL: this.baseURL, model: this.model, promptIndex: i },
        );
      }
    }
    return { rollouts, tokens };
  }

  private body(req: SampleRequest, n: number, seed: number): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model: this.model,
      n,
      seed,
      temperature: req.temperature,
      max_tokens: req.maxNewTokens,
    };
    if (req.topP !== undefined) body.top_p = req.topP;
    // Not part of the OpenAI API; vLLM, SGLang and llama.cpp read it, others ignore it.
    if (req.topK !== undefined && req.topK > 0) body.top_k = req.topK;
    if (this.opts.stop && this.opts.stop.length > 0) body.stop = this.opts.stop;
    return { ...body, ...this.opts.extraBody };
  }

  private async request(
    req: SampleRequest,
    prompt: string,
    i: number,
    n: number,
    seed: number,
    signal: AbortSignal,
  ): Promise<Reply> {
    const endpoint = this.mode === 'chat' ? '/chat/completions' : '/completions';
    return this.semaphore.run(async () => {
      // A per-request signal, unlinked afterwards, so the call's signal does not collect one listener
      // (held by the client until the call ends) per request.
      const own = new AbortController();
      const onAbort = (): void => own.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        if (signal.aborted) throw new APIUserAbortError();
        if (this.mode === 'chat') {
          const messages: ChatCompletionMessageParam[] = [];
          if (this.opts.systemPrompt !== undefined) {
            messages.push({ role: 'system', content: this.opts.systemPrompt });
          }
          messages.push({ role: 'user', content: prompt });
          const params = {
            ...this.body(req, n, seed),
            messages,
          } as unknown as ChatCompletionCreateParamsNonStreaming;
          const res: ChatCompletion = await this.client.chat.completions.create(params, {
            signal: own.signal,
          });
          return toReply(
            (res.choices ?? []).map((c) => ({
              index: c.index,
              text: c.message?.content ?? '',
              finish: c.finish_reason,
            })),
            res.usage,
          );
        }
        const text = this.opts.systemPrompt !== undefined ? `${this.opts.systemPrompt}\n\n${prompt}` : prompt;
        const params = {
          ...this.body(req, n, seed),
          prompt: text,
        } as unknown as CompletionCreateParamsNonStreaming;
        const res: Completion = await this.client.completions.create(params, { signal: own.signal });
        return toReply(
          (res.choices ?? []).map((c) => ({ index: c.index, text: c.text ?? '', finish: c.finish_reason })),
          res.usage,
        );
      } catch (err) {
        throw await describeError(err, {
          baseURL: this.baseURL,
          model: this.model,
          timeoutMs: this.timeoutMs,
          maxRetries: this.maxRetries,
          client: this.client,
          promptIndex: i,
          endpoint,
        });
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    });
  }
}

function toReply(
  choices: Array<{ index: number; text: string; finish: string | null | undefined }>,
  usage: { prompt_tokens?: number; completion_tokens?: number } | undefined | null,
): Reply {
  const sorted = [...choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return {
    rollouts: sorted.map((c) => ({ text: c.text, finished: c.finish === 'stop' })),
    tokens: usage ? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0) : 0,
  };
}

export function validateRequest(req: SampleRequest): void {
  if (req.n.length !== req.prompts.length) {
    throw new RangeError(`openai policy: n has ${req.n.length} entries for ${req.prompts.length} prompts`);
  }
  req.n.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`openai policy: n[${i}] must be an integer ≥ 1, got ${n}`);
    }
  });
  if (!Number.isInteger(req.maxNewTokens) || req.maxNewTokens < 1) {
    throw new RangeError(`openai policy: maxNewTokens must be an integer ≥ 1, got ${req.maxNewTokens}`);
  }
  if (!Number.isFinite(req.seed)) throw new RangeError(`openai policy: seed must be finite, got ${req.seed}`);
}

export function createOpenAIPolicy(opts: OpenAIPolicyOptions): Policy {
  return new OpenAIPolicy(opts);
}

export interface CheckServerOptions {
  baseURL: string;
  apiKey?: string;
  /** When given, the result says whether the server serves it. */
  model?: string;
  /** Default 10000 ms. */
  timeoutMs?: number;
}

export interface ServerCheck {
  baseURL: string;
  /** Model ids from GET /models, in the server's order. */
  models: string[];
  model?: string;
  /** Whether `model` is among `models` (present only when `model` was given). */
  modelServed?: boolean;
}

/**
 * Lists the served models (GET {baseURL}/models) for a CLI `--check`. Throws an OpenAIPolicyError
 * naming the URL when no server answers there or the endpoint fails.
 */
export async function checkServer(opts: CheckServerOptions): Promise<ServerCheck> {
  const baseURL = opts.baseURL.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const client = makeClient({ baseURL, apiKey: opts.apiKey, timeoutMs, maxRetries: 0 });
  const label = opts.model ?? ANY_MODEL;
  try {
    const page = await client.models.list();
    const models = page.data.map((m) => m.id);
    const out: ServerCheck = { baseURL, models };
    if (opts.model !== undefined) {
      out.model = opts.model;
      out.modelServed = models.includes(opts.model);
    }
    return out;
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new OpenAIPolicyError(
        `openai policy: ${baseURL}/models not found (404); check that baseURL ends in /v1`,
        { kind: 'not-found', baseURL, model: label, status: 404, cause: err },
      );
    }
    throw await describeError(err, {
      baseURL,
      model: label,
      timeoutMs,
      maxRetries: 0,
      client,
      endpoint: '/models',
    });
  }
}
