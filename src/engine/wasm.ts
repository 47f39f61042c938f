// Loads build/kernels.wasm (compiled from src/engine/kernels/ by scripts/build-wasm.mjs).
// From src/engine/wasm.ts and from dist/engine/wasm.js the relative path is the same.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Kernel names in a fixed order: the index is the id that the thread pool passes to workers. */
export const KERNEL_NAMES = [
  'mm_nn',
  'mm_tn',
  'transpose',
  'ln_fwd',
  'ln_bwd_dx',
  'ln_bwd_params',
  'embed_fwd',
  'embed_bwd',
  'attn_fwd',
  'attn_bwd',
  'attn_decode',
  'logsumexp_rows',
  'logit_grad',
  'sumsq_chunks',
  'adamw',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/**
 * Every kernel's parameters after the row range (lo, hi), by name and in the order the kernel takes
 * them (see src/engine/kernels/index.ts). Callers pass a record (`KernelArgs`), so the compiler
 * checks each name; pointers are byte offsets into the shared memory, 0 = absent where optional.
 */
export const KERNEL_PARAMS = {
  // out[rows×N] = in[rows×K]·w[K×N] (+ bias) (+ residual); geluIn: × gelu'(geluIn); geluOut: gelu(out) stored there
  mm_nn: ['out', 'a', 'w', 'bias', 'residual', 'K', 'N', 'geluIn', 'geluOut'],
  // out[K×N] += a[M×K]ᵀ·b[M×N] (weight gradients); biasGrad: += column sums of b
  mm_tn: ['out', 'a', 'b', 'M', 'K', 'N', 'biasGrad'],
  transpose: ['dst', 'src', 'rows', 'cols'],
  ln_fwd: ['out', 'mean', 'rstd', 'inp', 'gain', 'bias', 'C'],
  ln_bwd_dx: ['dinp', 'dout', 'inp', 'mean', 'rstd', 'gain', 'C'],
  ln_bwd_params: ['dgain', 'dbias', 'dout', 'inp', 'mean', 'rstd', 'M', 'C'],
  embed_fwd: ['out', 'tok', 'pos', 'wte', 'wpe', 'C'],
  embed_bwd: ['dwte', 'dwpe', 'dout', 'tok', 'pos', 'M', 'C'],
  attn_fwd: ['out', 'att', 'qkv', 'T', 'C', 'NH'],
  attn_bwd: ['dqkv', 'datt', 'dout', 'qkv', 'att', 'T', 'C', 'NH'],
  attn_decode: ['out', 'att', 'qkv', 'kcache', 'vcache', 'slots', 'pos', 'C', 'NH', 'Tmax'],
  logsumexp_rows: ['lse', 'logits', 'V'],
  logit_grad: ['logits', 'lse', 'targets', 'w', 'V'],
  sumsq_chunks: ['out', 'x', 'n', 'chunk'],
  adamw: ['p', 'g', 'm', 'v', 'lr', 'b1', 'b2', 'eps', 'wd', 'bc1', 'bc2', 'gscale'],
} as const satisfies Record<KernelName, readonly string[]>;

/** The named arguments of kernel K. */
export type KernelArgs<K extends KernelName> = { [P in (typeof KERNEL_PARAMS)[K][number]]: number };

/**
 * Each kernel's named arguments as the list it takes, in KERNEL_PARAMS order (a test checks the
 * two agree). Written out so that every read is a property load by a fixed name, which V8 keeps
 * fast; a loop of keyed loads over the names costs ~10 µs a call, more than a small kernel.
 */
export const KERNEL_ARGS: { [K in KernelName]: (a: KernelArgs<K>) => number[] } = {
  mm_nn: (a) => [a.out, a.a, a.w, a.bias, a.residual, a.K, a.N, a.geluIn, a.geluOut],
  mm_tn: (a) => [a.out, a.a, a.b, a.M, a.K, a.N, a.biasGrad],
  transpose: (a) => [a.dst, a.src, a.rows, a.cols],
  ln_fwd: (a) => [a.out, a.mean, a.rstd, a.inp, a.gain, a.bias, a.C],
  ln_bwd_dx: (a) => [a.dinp, a.dout, a.inp, a.mean, a.rstd, a.gain, a.C],
  ln_bwd_params: (a) => [a.dgain, a.dbias, a.dout, a.inp, a.mean, a.rstd, a.M, a.C],
  embed_fwd: (a) => [a.out, a.tok, a.pos, a.wte, a.wpe, a.C],
  embed_bwd: (a) => [a.dwte, a.dwpe, a.dout, a.tok, a.pos, a.M, a.C],
  attn_fwd: (a) => [a.out, a.att, a.qkv, a.T, a.C, a.NH],
  attn_bwd: (a) => [a.dqkv, a.datt, a.dout, a.qkv, a.att, a.T, a.C, a.NH],
  attn_decode: (a) => [a.out, a.att, a.qkv, a.kcache, a.vcache, a.slots, a.pos, a.C, a.NH, a.Tmax],
  logsumexp_rows: (a) => [a.lse, a.logits, a.V],
  logit_grad: (a) => [a.logits, a.lse, a.targets, a.w, a.V],
  sumsq_chunks: (a) => [a.out, a.x, a.n, a.chunk],
  adamw: (a) => [a.p, a.g, a.m, a.v, a.lr, a.b1, a.b2, a.eps, a.wd, a.bc1, a.bc2, a.gscale],
};
export type KernelFn = (lo: number, hi: number, ...args: number[]) => void;

// Minimal local typings: the project's lib (ES2022, no DOM) does not declare the WebAssembly API.
export type WasmModule = object;
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let cached: WasmModule | undefined;

export function wasmPath(): string {
  return fileURLToPath(new URL('../../build/kernels.wasm', import.meta.url));
}

export function kernelModule(): WasmModule {
  if (cached) return cached;
  const path = wasmPath();
  if (!existsSync(path)) {
    throw new Error(`flopwise engine: ${path} is missing; run \`npm run build:wasm\` first`);
  }
  const mod = new WA.Module(readFileSync(path));
  cached = mod;
  return mod;
}

export function instantiate(memory: WasmMemory): Record<KernelName, KernelFn> {
  const inst = new WA.Instance(kernelModule(), { env: { memory } });
  const out = {} as Record<KernelName, KernelFn>;
  for (const name of KERNEL_NAMES) {
    const f = inst.exports[name];
    if (typeof f !== 'function')
      throw new Error(`flopwise engine: kernel ${name} missing from ${wasmPath()}`);
    out[name] = f as KernelFn;
  }
  return out;
}

/** The worker script: next to this module (dist/engine/worker.mjs, copied by build-wasm), else in src/engine. */
export function workerUrl(): URL {
  const local = new URL('./worker.mjs', import.meta.url);
  if (existsSync(fileURLToPath(local))) return local;
  return new URL('../../src/engine/worker.mjs', import.meta.url);
}
