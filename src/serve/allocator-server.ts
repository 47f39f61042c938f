/**
 * The VIP allocator over HTTP (JSON in, JSON out):
 *   POST /register  {prompts: [{id, features? | text?}]}                → {registered, prompts}
 *   POST /allocate  {prompts: [{id, features? | text?}] | ids, budget}   → {allocation: [{id, n, p}], budget}
 *   POST /observe   {outcomes: [{id, successes, n}]}                      → {observed, steps}
 *   POST /predict   {ids}                                                 → {p}
 *   GET  /state, GET /health
 * Errors are JSON {error: {message, ...}} with status 400 (bad input) or 500. The state file is
 * rewritten atomically after every change, so a restarted service continues where it stopped.
 */
import { existsSync } from 'node:fs';
import type http from 'node:http';
import { readJson, writeJsonAtomic } from '../data/atomic.js';
import { HttpError, listen, readJsonBody, router, sendJson, type Listening } from './http.js';
import { VipService, type PromptSpec, type VipServiceOptions, type VipServiceState } from './vip-service.js';

export interface AllocatorServerOptions {
  /** Where the state lives; loaded at start when it exists. */
  statePath: string;
  /** Used when the state file does not exist yet (a saved state keeps its own). */
  options: VipServiceOptions;
  port?: number;
  host?: string;
}

export interface AllocatorServer extends Listening {
  service: VipService;
}

function promptsOf(body: Record<string, unknown>): PromptSpec[] {
  if (Array.isArray(body.prompts)) return body.prompts as PromptSpec[];
  if (Array.isArray(body.ids)) {
    return body.ids.map((id, i) => {
      if (typeof id !== 'string') throw new HttpError(400, `ids[${i}]: must be a string`);
      return { id };
    });
  }
  throw new HttpError(400, 'give prompts: [{id, features | text}] or ids: [...]');
}

export function loadVipService(statePath: string, options: VipServiceOptions): VipService {
  if (!existsSync(statePath)) return new VipService(options);
  const state = readJson<VipServiceState>(statePath);
  if (state.version !== 1)
    throw new Error(`${statePath}: unsupported allocator state version ${String(state.version)}`);
  return new VipService(state.options, state);
}

export async function startAllocatorServer(o: AllocatorServerOptions): Promise<AllocatorServer> {
  const service = loadVipService(o.statePath, o.options);
  const save = () => writeJsonAtomic(o.statePath, service.toState());
  const json =
    (fn: (body: Record<string, unknown>) => unknown) =>
    async (req: http.IncomingMessage, res: http.ServerResponse) =>
      sendJson(res, 200, fn(await readJsonBody(req)));

  const listening = await listen(
    router({
      'POST /register': json((body) => {
        const registered = service.register(promptsOf(body));
        if (registered > 0) save();
        return { registered, prompts: service.promptCount };
      }),
      'POST /allocate': json((body) => {
        const prompts = promptsOf(body);
        const { n, p, registered } = service.allocate(prompts, body.budget as number);
        if (registered > 0) save();
        return { allocation: prompts.map((q, i) => ({ id: q.id, n: n[i], p: p[i] })), budget: body.budget };
      }),
      'POST /observe': json((body) => {
        const observed = service.observe(
          body.outcomes as Array<{ id: string; successes: number; n: number }>,
        );
        save();
        return { observed, steps: service.summary().steps };
      }),
      'POST /predict': json((body) => {
        if (!Array.isArray(body.ids)) throw new HttpError(400, 'ids: must be a list of prompt ids');
        return { p: service.predict(body.ids as string[]) };
      }),
      'GET /state': async (_req, res) => sendJson(res, 200, service.summary()),
      'GET /health': async (_req, res) => sendJson(res, 200, { status: 'ok' }),
    }),
    o.port ?? 8100,
    o.host ?? '127.0.0.1',
  );
  return { ...listening, service };
}
