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
