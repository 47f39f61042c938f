/**
 * OpenAI request bodies, checked field by field: a wrong type or range is a 400 naming the field
 * (`param`), never a crash. Only what the embedded engine can honour is accepted; the rest (streaming,
 * alternatives in logprobs, token-array prompts) is refused with a message that says so.
 */
import { HttpError } from './http.js';

export interface SamplingParams {
  model: string;
  n: number;
  temperature: number;
  topP: number;
  /** undefined: up to the context length (chat) */
  maxTokens: number | undefined;
  stop: string[];
  seed: number | undefined;
  logprobs: boolean;
}

type Body = Record<string, unknown>;

function bad(param: string, message: string): HttpError {
  return new HttpError(400, `${param}: ${message}`, param, 'invalid_value');
}

function present(body: Body, key: string): boolean {
  return body[key] !== undefined && body[key] !== null;
}

function numberField(
  body: Body,
  key: string,
  dflt: number,
  lo: number,
  hi: number,
  integer: boolean,
): number {
  if (!present(body, key)) return dflt;
  const v = body[key];
  const kind = integer ? 'an integer' : 'a number';
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw bad(key, `must be ${kind}, got ${JSON.stringify(v)}`);
  }
  if (v < lo || v > hi) throw bad(key, `must be ${kind} in [${lo}, ${hi}], got ${v}`);
  return v;
}

function stopField(body: Body): string[] {
  if (!present(body, 'stop')) return [];
  const v = body.stop;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && s.length > 0) || list.length > 4) {
    throw bad('stop', 'must be a non-empty string or a list of at most 4 non-empty strings');
  }
  return list as string[];
}

/** The fields both endpoints share. */
function commonParams(
  body: Body,
  maxTokensKey: string,
  maxTokensDefault: number | undefined,
): SamplingParams {
  if (typeof body.model !== 'string' || body.model === '') throw bad('model', 'must be a non-empty string');
  if (present(body, 'stream') && body.stream !== false) {
    throw bad('stream', 'streaming is not supported by this server; leave stream unset or false');
  }
  const maxTokens = present(body, maxTokensKey)
    ? numberField(body, maxTokensKey, 0, 1, 1e9, true)
    : maxTokensDefault;
  return {
    model: body.model,
    n: numberField(body, 'n', 1, 1, 128, true),
    temperature: numberField(body, 'temperature', 1, 0, 2, false),
    topP: numberField(body, 'top_p', 1, Number.MIN_VALUE, 1, false),
    maxTokens,
    stop: stopField(body),
    seed: present(body, 'seed') ? numberField(body, 'seed', 0, -(2 ** 53), 2 ** 53, true) : undefined,
    logprobs: false,
  };
}

/** POST /v1/completions: prompt is a string or a list of strings; logprobs 0 (no alternatives) only. */
export function parseCompletionRequest(body: Body): SamplingParams & { prompts: string[] } {
  const params = commonParams(body, 'max_tokens', 16);
  const p = body.prompt;
  const prompts = typeof p === 'string' ? [p] : p;
  if (!Array.isArray(prompts) || prompts.length === 0 || !prompts.every((x) => typeof x === 'string')) {
    throw bad('prompt', 'must be a string or a non-empty list of strings (token arrays are not supported)');
  }
  if (present(body, 'logprobs')) {
    const n = numberField(body, 'logprobs', 0, 0, 5, true);
    if (n > 0) throw bad('logprobs', "only 0 is supported: the sampled tokens' log-probs, no alternatives");
    params.logprobs = true;
  }
  if (present(body, 'echo') && body.echo !== false) throw bad('echo', 'echo is not supported');
  return { ...params, prompts: prompts as string[] };
}

function messageText(m: unknown, i: number): { role: string; text: string } {
  const where = `messages[${i}]`;
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw bad(where, 'must be an object {role, content}');
  const { role, content } = m as Body;
  if (typeof role !== 'string') throw bad(`${where}.role`, 'must be a string');
  if (typeof content === 'string') return { role, text: content };
  if (
    Array.isArray(content) &&
    content.every((c) => c && (c as Body).type === 'text' && typeof (c as Body).text === 'string')
  ) {
    return { role, text: content.map((c) => (c as Body).text as string).join('') };
  }
  throw bad(`${where}.content`, 'must be a string or a list of {type: "text", text} parts');
}

/**
 * POST /v1/chat/completions. The embedded models know no chat template: the prompt is the content of
 * the last user message (the same rule dataset chat prompts follow).
 */
export function parseChatRequest(body: Body): SamplingParams & { prompt: string } {
  const key = present(body, 'max_completion_tokens') ? 'max_completion_tokens' : 'max_tokens';
  const params = commonParams(body, key, undefined);
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw bad('messages', 'must be a non-empty list of {role, content}');
  }
  const messages = body.messages.map(messageText);
  const users = messages.filter((m) => m.role === 'user');
  if (users.length === 0) throw bad('messages', 'needs at least one message with role "user"');
  if (present(body, 'logprobs')) {
    if (typeof body.logprobs !== 'boolean') throw bad('logprobs', 'must be a boolean');
    params.logprobs = body.logprobs;
  }
  if (numberField(body, 'top_logprobs', 0, 0, 20, true) > 0) {
    throw bad('top_logprobs', "only 0 is supported: the sampled tokens' log-probs, no alternatives");
  }
  return { ...params, prompt: users[users.length - 1].text };
}
