/**
 * Batches concurrent generation requests into the engine's batched sampler. Requests that arrive
 * within a short window (and all that arrive while a batch is decoding) go into one `sample` call
 * per (temperature, top_p) pair; each sequence's randomness is keyed by its request's seed and its
 * choice index, so a seeded request samples the same whatever it was batched with. A batch decodes
 * up to the largest `max_tokens` among its requests; each request keeps only its own prefix (the
 * tokens are sampled causally, so the prefix is exactly what a shorter call would have drawn).
 */
import type { SampleOptions, SampleResult } from '../engine/index.js';

export interface BatchSampler {
  sample(o: SampleOptions): Omit<SampleResult, 'flops'> & { flops?: number };
}

export interface GenerationJob {
  /** Prompt token ids (BOS first). */
  prompt: number[];
  n: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  seed: number;
}

export interface Generated {
  tokens: number[];
  /** Untempered log-prob of each token. */
  logprobs: Float32Array;
  /** Ended on the stop token (false: max_tokens or the context length). */
  finished: boolean;
}

interface Pending {
  job: GenerationJob;
  resolve(out: Generated[]): void;
  reject(err: unknown): void;
}

export interface BatcherOptions {
  /** Longest a request waits for company (ms); default 20. */
  maxWaitMs?: number;
  /** Sequences per engine call at most; default 512. */
  maxSequences?: number;
}

/** What the HTTP layer reports about one request: body read and submitted (or refused), and answered. */
export interface Arrival {
  submitted(): void;
  closed(): void;
}

/**
 * When a batch goes: as soon as every request the server holds is waiting in it, i.e. as many
 * requests wait as were open at once during the previous cycle (under steady load the same clients
 * come back) and none is still being read; or when the maximum batch is reached; or `maxWaitMs` after
 * the first waiting request (clients that left). The flush runs after the event loop's next poll, so
 * requests whose bytes are already here still join.
 */
export class SampleBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private firstWaiting = 0;
  /** Requests begun to be read but not yet submitted. */
  private inbound = 0;
  /** Requests received and not yet answered, and their peak since the last batch went. */
  private open = 0;
  private peakOpen = 0;
  /** Requests to wait for: the peak of open requests in the previous cycle. */
  private expected = 1;
  private readonly maxWaitMs: number;
  private readonly maxSequences: number;
  /** Engine calls made and sequences decoded, for tests and the benchmark. */
  readonly stats = { calls: 0, sequences: 0 };

  constructor(
    private readonly sampler: BatchSampler,
    private readonly stopToken: number,
    opts: BatcherOptions = {},
  ) {
    this.maxWaitMs = opts.maxWaitMs ?? 20;
    this.maxSequences = opts.maxSequences ?? 512;
  }

  /** A request has begun to arrive; report when it is submitted (or refused) and when it is answered. */
  arriving(): Arrival {
    this.inbound++;
    this.open++;
    this.peakOpen = Math.max(this.peakOpen, this.open);
    let submitted = false;
    let closed = false;
    return {
      submitted: () => {
        if (submitted) return;
        submitted = true;
        this.inbound--;
        this.schedule();
      },
      closed: () => {
        if (closed) return;
        closed = true;
        this.open--;
      },
    };
  }

  submit(job: GenerationJob): Promise<Generated[]> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) this.firstWaiting = performance.now();
      this.pending.push({ job, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.pending.length === 0) return;
    const queued = this.pending.reduce((s, p) => s + p.job.n, 0);
    const ready = this.inbound === 0 && this.pending.length >= this.expected;
    const left = this.maxWaitMs - (performance.now() - this.firstWaiting);
    const wait = ready || queued >= this.maxSequences ? 0 : Math.max(0, left);
    clearTimeout(this.timer);
    // setTimeout(0) would wait a millisecond; a batch that is ready goes right after the next poll
    if (wait === 0) setImmediate(() => this.flush());
    else this.timer = setTimeout(() => setImmediate(() => this.flush()), wait);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.expected = Math.max(1, this.peakOpen);
    this.peakOpen = this.open;
    const groups = new Map<string, Pending[]>();
    for (const p of batch) {
      const key = `${p.job.temperature}|${p.job.topP}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    for (const group of groups.values()) {
      for (const part of this.split(group)) this.run(part);
    }
  }

  /** Splits a group into engine calls of at most maxSequences sequences (a larger request goes alone). */
  private split(group: Pending[]): Pending[][] {
    const parts: Pending[][] = [];
    let current: Pending[] = [];
    let size = 0;
    for (const p of group) {
      if (size > 0 && size + p.job.n > this.maxSequences) {
        parts.push(current);
        current = [];
        size = 0;
      }
      current.push(p);
      size += p.job.n;
    }
    if (current.length > 0) parts.push(current);
    return parts;
  }

  private run(part: Pending[]): void {
    const prompts: number[][] = [];
    const streams: Array<{ seed: number; index: number }> = [];
    for (const { job } of part) {
      for (let j = 0; j < job.n; j++) {
        prompts.push(job.prompt);
        streams.push({ seed: job.seed, index: j });
      }
    }
    let out: ReturnType<BatchSampler['sample']>;
    try {
      out = this.sampler.sample({
        prompts,
        streams,
        maxNewTokens: Math.max(...part.map((p) => p.job.maxTokens)),
        temperature: part[0].job.temperature,
        topP: part[0].job.topP,
        stopToken: this.stopToken,
        seed: 0,
      });
    } catch (err) {
      for (const p of part) p.reject(err);
      return;
    }
    this.stats.calls++;
    this.stats.sequences += prompts.length;
    let k = 0;
    for (const { job, resolve } of part) {
      const results: Generated[] = [];
      for (let j = 0; j < job.n; j++, k++)
        results.push(prefix(out.tokens[k], out.logprobs[k], out.finished[k], job.maxTokens));
      resolve(results);
    }
  }
}

/** The first `max` tokens of a sequence; cut short means not finished. */
function prefix(tokens: number[], logprobs: Float32Array, finished: boolean, max: number): Generated {
  if (tokens.length <= max) return { tokens, logprobs, finished };
  return { tokens: tokens.slice(0, max), logprobs: logprobs.slice(0, max), finished: false };
}
