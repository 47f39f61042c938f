/**
 * A fleet of OpenAI-compatible servers behind one Policy: each prompt's group is one task, sent to
 * the least-loaded healthy server that has a free slot (at most `perServer` requests in flight on
 * each). A server whose request fails or times out is backed off (1 s, doubling up to 30 s); its
 * other requests in flight are cancelled and re-queued elsewhere, and after the back-off it gets
 * one probe request before it is trusted with more. A prompt is retried on other servers until it
 * has failed `maxAttempts` times; then, when the request allows failures, it comes back in
 * `failed` (with the last server's error) instead of sinking the whole call.
 *
 * Seeds: a prompt's group gets the same seeds whichever server answers it (see derivedSeed), so a
 * re-queued prompt samples the same rollouts on a deterministic server.
 */
import { setMaxListeners } from 'node:events';
import {
  OpenAIPolicy,
  OpenAIPolicyError,
  validateRequest,
  type OpenAIPolicyOptions,
  type Reply,
} from './openai.js';
import type { Policy, SampleFailure, SampleRequest, SampleResult } from './types.js';

/** What the fleet needs of one server; OpenAIPolicy provides it (tests may pass doubles). */
export interface FleetMember {
  readonly name: string;
  sampleGroup(req: SampleRequest, prompt: string, i: number, signal: AbortSignal): Promise<Reply>;
  close(): Promise<void>;
}

export interface FleetOptions {
  /** Requests in flight per server (default 8). */
  perServer?: number;
  /** Failed attempts before a prompt is given up (default 3). */
  maxAttempts?: number;
  /** First back-off of a failing server; doubles per consecutive failure (default 1000 ms). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Declared model parameters: FLOPs are estimated as 2·params·tokens; absent = not counted. */
  params?: number;
}

export interface FleetCounters {
  requests: number;
  retries: number;
  timeouts: number;
  failures: number;
}

interface ServerState {
  member: FleetMember;
  inFlight: Set<Task>;
  consecutiveFailures: number;
  backoffUntil: number;
  /** After a back-off: one probe in flight until a success. */
  probing: boolean;
  lastError?: string;
}

interface Task {
  req: SampleRequest;
  index: number;
  attempts: number;
  lastError?: string;
  running?: AbortController;
  resolve(r: Reply | SampleFailure): void;
  reject(err: unknown): void;
}

/** Errors that say the request itself is bad: retrying it elsewhere cannot help. */
function isRequestFault(err: unknown): boolean {
  const status = err instanceof OpenAIPolicyError ? err.status : undefined;
  return status === 400 || status === 413 || status === 422;
}

/** Errors that say the fleet is misconfigured (wrong model name, wrong URL path): stop, do not retry. */
function isConfigurationFault(err: unknown): boolean {
  return err instanceof OpenAIPolicyError && (err.kind === 'model-not-served' || err.kind === 'not-found');
}

function isTimeout(err: unknown): boolean {
  return err instanceof OpenAIPolicyError && err.kind === 'timeout';
}

export class FleetPolicy implements Policy {
  readonly kind = 'openai';
  readonly counters: FleetCounters = { requests: 0, retries: 0, timeouts: 0, failures: 0 };
  private readonly servers: ServerState[];
  private readonly queue: Task[] = [];
  private readonly closing = new AbortController();
  private readonly cancelled = new WeakSet<SampleRequest>();
  /** The counters of each sample() call, so concurrent calls report their own. */
  private readonly perCall = new WeakMap<SampleRequest, FleetCounters>();
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly perServer: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    members: FleetMember[],
    private readonly opts: FleetOptions = {},
  ) {
    if (members.length === 0) throw new Error('fleet: give at least one server');
    this.perServer = opts.perServer ?? 8;
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.backoffMs = opts.backoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    if (!Number.isInteger(this.perServer) || this.perServer < 1)
      throw new RangeError(`fleet: per-server concurrency must be an integer ≥ 1, got ${this.perServer}`);
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1)
      throw new RangeError(`fleet: maxAttempts must be an integer ≥ 1, got ${this.maxAttempts}`);
    if (opts.params !== undefined && !(opts.params > 0))
      throw new RangeError(`fleet: params must be > 0, got ${opts.params}`);
    this.servers = members.map((member) => ({
      member,
      inFlight: new Set(),
      consecutiveFailures: 0,
      backoffUntil: 0,
      probing: false,
    }));
    setMaxListeners(0, this.closing.signal);
  }

  async sample(req: SampleRequest): Promise<SampleResult> {
    if (this.closing.signal.aborted) throw new Error('fleet: sample() after close()');
    validateRequest(req);
    const counts = { requests: 0, retries: 0, timeouts: 0, failures: 0 };
    this.perCall.set(req, counts);
    const pending = req.prompts.map(
      (_, index) =>
        new Promise<Reply | SampleFailure>((resolve, reject) =>
          this.queue.push({ req, index, attempts: 0, resolve, reject }),
        ),
    );
    this.pump();
    let outcomes: Array<Reply | SampleFailure>;
    try {
      outcomes = await Promise.all(pending);
    } catch (err) {
      this.cancel(req);
      throw err;
    }
    const failed = outcomes.filter((o): o is SampleFailure => 'error' in o);
    if (failed.length > 0 && !req.allowFailures) throw new Error(failed[0].error);
    const groups = outcomes.map((o) => ('error' in o ? [] : o.rollouts));
    const tokens = outcomes.reduce((sum, o) => sum + ('error' in o ? 0 : o.tokens), 0);
    const counted = this.opts.params !== undefined;
    return {
      groups,
      tokens,
      flops: counted ? 2 * this.opts.params! * tokens : 0,
      flopsCounted: counted,
      failed: failed.length > 0 ? failed : undefined,
      requests: { retries: counts.retries, timeouts: counts.timeouts, failures: counts.failures },
    };
  }

  /** Drops a call's queued tasks and cancels its requests in flight (one of its prompts hit a fatal error). */
  private cancel(req: SampleRequest): void {
    this.cancelled.add(req);
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].req === req) this.queue.splice(i, 1);
    for (const s of this.servers) for (const t of s.inFlight) if (t.req === req) t.running?.abort();
  }

  async close(): Promise<void> {
    this.closing.abort();
    clearTimeout(this.wakeTimer);
    for (const s of this.servers) await s.member.close();
  }

  /** The server to send the next task to: free slot, not backed off, fewest in flight relative to its limit. */
  private pickServer(now: number): ServerState | undefined {
    let best: ServerState | undefined;
    for (const s of this.servers) {
      if (s.backoffUntil > now) continue;
      const limit = s.probing ? 1 : this.perServer;
      if (s.inFlight.size >= limit) continue;
      if (!best || s.inFlight.size < best.inFlight.size) best = s;
    }
    return best;
  }

  private pump(): void {
    if (this.closing.signal.aborted) return;
    const now = Date.now();
    while (this.queue.length > 0) {
      const server = this.pickServer(now);
      if (!server) break;
      this.dispatch(server, this.queue.shift()!);
    }
    this.scheduleWake(now);
  }

  /** When every server is backed off, wake at the first one's end of back-off. */
  private scheduleWake(now: number): void {
    clearTimeout(this.wakeTimer);
    if (this.queue.length === 0) return;
    const until = Math.min(...this.servers.map((s) => (s.backoffUntil > now ? s.backoffUntil : Infinity)));
    if (Number.isFinite(until)) this.wakeTimer = setTimeout(() => this.pump(), until - now + 1);
  }

  private dispatch(server: ServerState, task: Task): void {
    const controller = new AbortController();
    task.running = controller;
    server.inFlight.add(task);
    this.count(task, 'requests');
    const signal = AbortSignal.any([controller.signal, this.closing.signal]);
    const prompt = task.req.prompts[task.index];
    server.member.sampleGroup(task.req, prompt, task.index, signal).then(
      (reply) => {
        server.inFlight.delete(task);
        server.consecutiveFailures = 0;
        server.probing = false;
        task.resolve(reply);
        this.pump();
      },
      (err: unknown) => {
        server.inFlight.delete(task);
        this.onFailure(server, task, err, controller.signal.aborted);
        this.pump();
      },
    );
  }

  private onFailure(server: ServerState, task: Task, err: unknown, cancelledByUs: boolean): void {
    if (this.closing.signal.aborted || this.cancelled.has(task.req)) {
      task.resolve({ index: task.index, error: 'cancelled', server: server.member.name });
      return;
    }
    if (cancelledByUs) {
      this.queue.unshift(task); // pulled off a server that was backed off: not the prompt's fault
      this.count(task, 'retries');
      return;
    }
    if (isConfigurationFault(err)) {
      task.reject(err);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    task.attempts++;
    task.lastError = message;
    if (isTimeout(err)) this.count(task, 'timeouts');
    if (!isRequestFault(err)) this.backOff(server, message);
    if (isRequestFault(err) || task.attempts >= this.maxAttempts) {
      this.count(task, 'failures');
      task.resolve({ index: task.index, error: message, server: server.member.name });
      return;
    }
    this.count(task, 'retries');
    this.queue.unshift(task);
  }

  private count(task: Task, key: keyof FleetCounters): void {
    this.counters[key]++;
    const call = this.perCall.get(task.req);
    if (call) call[key]++;
  }

  /** Backs the server off and moves its other requests in flight to the queue (re-sent elsewhere). */
  private backOff(server: ServerState, message: string): void {
    server.consecutiveFailures++;
    server.lastError = message;
    const wait = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (server.consecutiveFailures - 1));
    server.backoffUntil = Date.now() + wait;
    server.probing = true;
    for (const t of [...server.inFlight]) t.running?.abort();
  }
}

/** A fleet of OpenAI-compatible servers sharing one model name and request options. */
export function createFleetPolicy(
  urls: string[],
  server: Omit<OpenAIPolicyOptions, 'baseURL' | 'concurrency' | 'maxRetries'>,
  fleet: FleetOptions = {},
): FleetPolicy {
  const unique = [...new Set(urls.map((u) => u.replace(/\/+$/, '')))];
  const members = unique.map((baseURL) => {
    const p = new OpenAIPolicy({ ...server, baseURL, concurrency: fleet.perServer ?? 8, maxRetries: 0 });
    return { name: baseURL, sampleGroup: p.sampleGroup.bind(p), close: () => p.close() };
  });
  return new FleetPolicy(members, fleet);
}
