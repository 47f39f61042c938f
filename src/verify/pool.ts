import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { VerifyOptions, VerifyReason, VerifyResult } from './verify.js';
import type { VerifyRequest, VerifyResponse } from './worker-entry.js';

/**
 * Workers load `worker-entry` (compiled .js from dist, or the .ts source under vitest/tsx, in which
 * case the bootstrap registers tsx's ESM loader in the worker first). The bootstrap is eval'd, so
 * no extra file has to be copied next to the compiled output.
 */
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  try {
    if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
    const mod = await import(workerData.entryUrl);
    parentPort.on('message', (req) => parentPort.postMessage(mod.handleVerifyRequest(req)));
    parentPort.postMessage({ ready: true });
  } catch (e) {
    parentPort.postMessage({ fatal: String((e && e.stack) || e) });
  }
})();
`;

function workerData(): { entryUrl: string; tsxApi?: string } {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const entryUrl = new URL(fromSource ? './worker-entry.ts' : './worker-entry.js', here).href;
  if (!fromSource) return { entryUrl };
  // tsx's ESM API (the CommonJS build of register() resolves its loader wrongly inside a worker).
  const cjs = createRequire(here).resolve('tsx/esm/api');
  const esm = cjs.replace(/\.cjs$/, '.mjs');
  return { entryUrl, tsxApi: pathToFileURL(existsSync(esm) ? esm : cjs).href };
}

export interface PoolOptions {
  /** Number of workers (default 2). */
  size?: number;
  /** Time limit of one check in ms, from when a ready worker receives it (default 2000). */
  timeoutMs?: number;
}

export interface VerifyTask {
  completion: string;
  groundTruth: string;
  options?: VerifyOptions;
  /** Per-task time limit override (ms). */
  timeoutMs?: number;
  /** Test hook: 'hang' loops forever in the worker, 'throw' throws. */
  debug?: 'hang' | 'throw';
}

interface Pending {
  req: VerifyRequest;
  timeoutMs: number;
  resolve(r: VerifyResult): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  busy?: { pending: Pending; timer: NodeJS.Timeout };
}

/**
 * A pool of verifier workers reused across checks. A check that runs past its time limit scores 0
 * with reason 'timeout': its worker is terminated and replaced, and the pool goes on. An exception
 * (in the check or the worker) scores 0 with reason 'error' and its message. Never rejects.
 */
export class VerifierPool {
  readonly size: number;
  readonly timeoutMs: number;
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private fatal?: string;
  private counts: Record<VerifyReason, number> = emptyCounts();
  private peak = 0;
  private readyWaiters: Array<() => void> = [];

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, options.size ?? 2);
    this.timeoutMs = options.timeoutMs ?? 2000;
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: workerData() });
    worker.unref();
    const slot: Slot = { worker, ready: false };
    worker.on('message', (msg: VerifyResponse | { ready: true } | { fatal: string }) => {
      if ('ready' in msg) {
        slot.ready = true;
        if (this.slots.every((x) => x.ready)) for (const w of this.readyWaiters.splice(0)) w();
        this.pump();
      } else if ('fatal' in msg) {
        this.fatal = msg.fatal;
        for (const w of this.readyWaiters.splice(0)) w();
        this.failAll(`verifier worker failed to start: ${msg.fatal}`);
      } else if (slot.busy && slot.busy.pending.req.id === msg.id) {
        const { pending, timer } = slot.busy;
        clearTimeout(timer);
        slot.busy = undefined;
        pending.resolve(msg.result);
        this.pump();
      }
    });
    worker.on('error', (err) => this.replace(slot, { reward: 0, reason: 'error', message: err.message }));
    worker.on('exit', (code) => {
      if (!this.closed && this.slots.includes(slot)) {
        this.replace(slot, {
          reward: 0,
          reason: 'error',
          message: `verifier worker exited with code ${code}`,
        });
      }
    });
    return slot;
  }

  private replace(slot: Slot, result: VerifyResult): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    if (slot.busy) {
      clearTimeout(slot.busy.timer);
      slot.busy.pending.resolve(result);
      slot.busy = undefined;
    }
    this.slots.splice(i, 1);
    void slot.worker.terminate();
    if (!this.closed) {
      this.slots.push(this.spawn());
      this.pump();
    }
  }

  private failAll(message: string): void {
    for (const p of this.queue.splice(0)) p.resolve({ reward: 0, reason: 'error', message });
    for (const s of this.slots) {
      if (s.busy) {
        clearTimeout(s.busy.timer);
        s.busy.pending.resolve({ reward: 0, reason: 'error', message });
        s.busy = undefined;
      }
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.busy) continue;
      const pending = this.queue.shift()!;
      const timer = setTimeout(() => {
        this.replace(slot, {
          reward: 0,
          reason: 'timeout',
          message: `verification exceeded ${pending.timeoutMs} ms`,
        });
      }, pending.timeoutMs);
      slot.busy = { pending, timer };
      slot.worker.postMessage(pending.req);
      this.peak = Math.max(this.peak, this.slots.filter((x) => x.busy).length);
    }
  }

  /** Checks one completion under the time limit. */
  verify(task: VerifyTask): Promise<VerifyResult> {
    if (this.closed)
      return Promise.resolve({ reward: 0, reason: 'error', message: 'verifier pool is closed' });
    if (this.fatal) return Promise.resolve({ reward: 0, reason: 'error', message: this.fatal });
    return new Promise((resolve) => {
      const req: VerifyRequest = {
        id: this.nextId++,
        completion: task.completion,
        groundTruth: task.groundTruth,
        options: task.options,
        debug: task.debug,
      };
      const done = (r: VerifyResult) => {
        this.counts[r.reason]++;
        resolve(r);
      };
      this.queue.push({ req, timeoutMs: task.timeoutMs ?? this.timeoutMs, resolve: done });
      this.pump();
    });
  }

  /** How many checks ended with each reason since the pool started (timeouts and crashes included). */
  stats(): Record<VerifyReason, number> {
    return { ...this.counts };
  }

  /** Resolves once every worker has started, or one failed to (checks sent before wait in the queue). */
  whenReady(): Promise<void> {
    if (this.slots.every((x) => x.ready)) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** The most checks that were running at once (at most `size`). */
  peakInFlight(): number {
    return this.peak;
  }

  /** Checks many completions, results in order. */
  verifyMany(tasks: VerifyTask[]): Promise<VerifyResult[]> {
    return Promise.all(tasks.map((t) => this.verify(t)));
  }

  /** Terminates every worker; pending checks score 0 with reason 'error'. */
  async close(): Promise<void> {
    this.closed = true;
    this.failAll('verifier pool closed');
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

export function emptyCounts(): Record<VerifyReason, number> {
  return { correct: 0, wrong: 0, no_answer: 0, malformed: 0, timeout: 0, error: 0 };
}

let shared: VerifierPool | undefined;

/** The process-wide pool used by `verifyWithTimeout` (created on first use). */
export function sharedVerifierPool(): VerifierPool {
  shared ??= new VerifierPool();
  return shared;
}

/** Closes the shared pool (a later call creates a fresh one). */
export async function closeSharedVerifierPool(): Promise<void> {
  const p = shared;
  shared = undefined;
  if (p) await p.close();
}

/**
 * Verifies a math answer in a worker under a time limit (default 2000 ms): a timeout or an
 * exception scores 0 with reason 'timeout' / 'error' and the message; never hangs nor throws.
 */
export function verifyWithTimeout(
  completion: string,
  groundTruth: string,
  options: VerifyOptions & { timeoutMs?: number; debug?: 'hang' | 'throw' } = {},
): Promise<VerifyResult> {
  const { timeoutMs, debug, ...verifyOptions } = options;
  return sharedVerifierPool().verify({ completion, groundTruth, options: verifyOptions, timeoutMs, debug });
}
