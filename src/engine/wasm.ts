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
