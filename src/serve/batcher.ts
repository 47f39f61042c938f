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
  /** How long the first request of a batch waits for company (ms); default 2. */
  windowMs?: number;
  /** Sequences per engine call at most; default 512. */
  maxSequences?: number;
}

export class SampleBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly windowMs: number;
  private readonly maxSequences: number;
  /** Engine calls made and sequences decoded, for tests and the benchmark. */
  readonly stats = { calls: 0, sequences: 0 };

  constructor(
    private readonly sampler: BatchSampler,
    private readonly stopToken: number,
    opts: BatcherOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 2;
    this.maxSequences = opts.maxSequences ?? 512;
  }

  submit(job: GenerationJob): Promise<Generated[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      const queued = this.pending.reduce((s, p) => s + p.job.n, 0);
      if (queued >= this.maxSequences) this.flushSoon(0);
      else this.flushSoon(this.windowMs);
    });
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), ms);
  }

  private flush(): void {
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
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
