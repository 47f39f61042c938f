// Fork-join thread pool over one shared WebAssembly.Memory (worker_threads + Atomics).
// `run(kernel, n, align, ...args)` splits the range [0, n) into chunks whose boundaries are multiples
// of `align` (4 chunks per thread, or 1 for kernels that stream all rows per chunk); the calling
// thread and the workers claim chunks from an atomic counter until none is left (so a thread that
// the OS deschedules does not hold the others up), and the caller waits for all to finish.
// Every output element is computed by one chunk with the same arithmetic whatever the chunking, so
// results do not depend on the thread count. With threads = 1 everything runs on the calling thread
// and no worker is started.
// Each call is one generation: the workers wait for the generation to move (a wake-up without a new
// one waits again: a notify can arrive late, after the call it announced was already done), and each
// worker acknowledges the generation it finished, so the caller writes the next call's kernel and
// arguments only after every worker has read and run this one's.
import { Worker } from 'node:worker_threads';
import {
  KERNEL_ARGS,
  KERNEL_NAMES,
  KERNEL_PARAMS,
  instantiate,
  kernelModule,
  workerUrl,
  type KernelArgs,
  type KernelFn,
  type KernelName,
  type WasmMemory,
} from './wasm.js';

const GEN = 0,
  FN = 2,
  NARGS = 3,
  N = 4,
  CHUNK = 5,
  ERR = 6,
  NT = 7,
  NEXT = 8,
  ERR_LEN = 9,
  /** ACK + t: the last generation worker t finished. */
  ACK = 16;
const ERR_TEXT_BYTES = 1024;
const SPINS = 20000;
/** Kernels whose every chunk streams all rows (column splits, weight gradients): one chunk per thread. */
const ONE_CHUNK_PER_THREAD = new Set<KernelName>(['mm_tn', 'ln_bwd_params', 'embed_bwd']);
const MAX_ARGS = 32;

export class Pool {
  readonly threads: number;
  readonly kernels: Record<KernelName, KernelFn>;
  private readonly workers: Worker[];
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly ids: Record<string, number>;
  private disposed = false;

  private constructor(
    threads: number,
    kernels: Record<KernelName, KernelFn>,
    workers: Worker[],
    ctrl: Int32Array,
    args: Float64Array,
    private readonly errText: Uint8Array,
  ) {
    this.threads = threads;
    this.kernels = kernels;
    this.workers = workers;
    this.ctrl = ctrl;
    this.args = args;
    this.ids = Object.fromEntries(KERNEL_NAMES.map((n, i) => [n, i]));
    // a forgotten pool does not keep the process alive
    for (const w of workers) w.unref();
  }

  static async create(memory: WasmMemory, threads: number): Promise<Pool> {
    if (!Number.isInteger(threads) || threads < 1)
      throw new Error(`engine: threads must be a positive integer, got ${threads}`);
    const kernels = instantiate(memory);
    const ctrlBuf = new SharedArrayBuffer((ACK + threads) * 4);
    const argBuf = new SharedArrayBuffer(MAX_ARGS * 8);
    const errBuf = new SharedArrayBuffer(ERR_TEXT_BYTES);
    const ctrl = new Int32Array(ctrlBuf);
    ctrl[NT] = threads;
    const workers: Worker[] = [];
    const module = kernelModule();
    const ready: Promise<void>[] = [];
    for (let t = 1; t < threads; t++) {
      const w = new Worker(workerUrl(), {
        workerData: {
          module,
          memory,
          ctrl: ctrlBuf,
          args: argBuf,
          errText: errBuf,
          tid: t,
          names: [...KERNEL_NAMES],
        },
      });
      ready.push(
        new Promise((resolve, reject) => {
          w.once('message', () => resolve());
          w.once('error', reject);
        }),
      );
      workers.push(w);
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new Pool(threads, kernels, workers, ctrl, new Float64Array(argBuf), new Uint8Array(errBuf));
  }

  /** When set, wall time (ms) and call count per kernel are accumulated here (for profiling). */
  profile: Map<string, { ms: number; calls: number }> | undefined;

  /**
   * Runs kernel `name` over rows [0, n) split into chunks aligned to `align`, with its arguments by
   * name (checked by the compiler against KERNEL_PARAMS).
   */
  call<K extends KernelName>(name: K, n: number, align: number, args: KernelArgs<K>): void {
    this.dispatch(name, n, align, (KERNEL_ARGS[name] as (a: KernelArgs<K>) => number[])(args));
  }

  /** Positional form of `call` (the order of KERNEL_PARAMS); prefer `call`. */
  run(name: KernelName, n: number, align: number, ...args: number[]): void {
    this.dispatch(name, n, align, args);
  }

  private dispatch(name: KernelName, n: number, align: number, args: number[]): void {
    if (this.profile) {
      const t0 = performance.now();
      this.exec(name, n, align, args);
      const e = this.profile.get(name) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      this.profile.set(name, e);
    } else this.exec(name, n, align, args);
  }

  private exec(name: KernelName, n: number, align: number, args: number[]): void {
    if (this.disposed) throw new Error('engine: model was disposed');
    for (let i = 0; i < args.length; i++) {
      if (typeof args[i] !== 'number' || !Number.isFinite(args[i]))
        throw new Error(`engine: kernel ${name}: argument ${i} is ${args[i]}`);
    }
    if (n <= 0) return;
    const T = this.threads;
    const perThread = ONE_CHUNK_PER_THREAD.has(name) ? 1 : 4;
    const chunk = Math.ceil(Math.ceil(n / (T * perThread)) / align) * align;
    if (T === 1 || chunk >= n) {
      try {
        this.kernels[name](0, n, ...args);
      } catch (e) {
        throw kernelError(name, n, args, `main thread: ${(e as Error).message}`);
      }
      return;
    }
    const c = this.ctrl;
    for (let i = 0; i < args.length; i++) this.args[i] = args[i]!;
    c[FN] = this.ids[name]!;
    c[NARGS] = args.length;
    c[N] = n;
    c[CHUNK] = chunk;
    Atomics.store(c, NEXT, 0);
    const gen = Atomics.add(c, GEN, 1) + 1;
    Atomics.notify(c, GEN);
    const f = this.kernels[name];
    let err: unknown;
    try {
      for (;;) {
        const lo = Atomics.add(c, NEXT, 1) * chunk;
        if (lo >= n) break;
        f(lo, Math.min(n, lo + chunk), ...args);
      }
    } catch (e) {
      err = e;
      Atomics.store(c, NEXT, 1 << 30); // let the workers stop early
    }
    for (let t = 1; t < T; t++) {
      let spins = 0;
      for (;;) {
        const done = Atomics.load(c, ACK + t);
        if (done === gen) break;
        if (spins++ < SPINS) continue;
        Atomics.wait(c, ACK + t, done, 1000);
      }
    }
    if (Atomics.load(c, ERR)) {
      const text = new TextDecoder().decode(this.errText.slice(0, Atomics.load(c, ERR_LEN)));
      Atomics.store(c, ERR, 0);
      throw kernelError(name, n, args, text);
    }
    if (err) throw kernelError(name, n, args, `main thread: ${(err as Error).message}`);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.workers.length) {
      this.ctrl[FN] = -1;
      Atomics.add(this.ctrl, GEN, 1);
      Atomics.notify(this.ctrl, GEN);
      await Promise.all(this.workers.map((w) => w.terminate()));
    }
  }
}

/** A kernel that trapped (e.g. an out-of-bounds access): its name, and the trap's message. */
export class KernelTrapError extends Error {
  constructor(
    readonly kernel: KernelName,
    message: string,
  ) {
    super(message);
    this.name = 'KernelTrapError';
  }
}

/** A trap's message with the kernel, its range and its arguments (sizes and byte offsets), so it can be traced. */
function kernelError(name: KernelName, n: number, args: number[], cause: string): KernelTrapError {
  const names: readonly string[] = KERNEL_PARAMS[name];
  const named = args.map((v, i) => `${names[i] ?? `arg${i}`}=${v}`).join(', ');
  return new KernelTrapError(
    name,
    `engine: kernel ${name} trapped (${cause}); rows [0, ${n}), arguments (${named})`,
  );
}
