// A kernel that traps must say why, where and with what, on the calling thread and in a worker alike.
import { describe, expect, it } from 'vitest';
import { KernelTrapError, Pool } from '../../src/engine/pool.js';
import { KERNEL_ARGS, KERNEL_NAMES, KERNEL_PARAMS, WA } from '../../src/engine/wasm.js';

describe('kernel traps', () => {
  for (const threads of [1, 2])
    it(`report the trap's message, the kernel and its arguments (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
      const memory = new WA.Memory({ initial: 4, maximum: 4, shared: true }); // 256 KiB
      const pool = await Pool.create(memory, threads);
      try {
        // x points far past the end of memory: every chunk reads out of bounds
        const call = () => pool.call('sumsq_chunks', 64, 1, { out: 1024, x: 1 << 30, n: 64 * 16, chunk: 16 });
        expect(call).toThrow(
          /engine: kernel sumsq_chunks trapped \((worker 1|main thread): memory access out of bounds\); rows \[0, 64\), arguments \(out=1024, x=1073741824, n=1024, chunk=16\)/,
        );
        expect(call).toThrow(KernelTrapError);
        // the pool still works after a trap
        pool.call('sumsq_chunks', 4, 1, { out: 1024, x: 2048, n: 64, chunk: 16 });
      } finally {
        await pool.dispose();
      }
    });
});

describe('named kernel arguments', () => {
  it('each kernel passes its named arguments in the order KERNEL_PARAMS gives', () => {
    for (const name of KERNEL_NAMES) {
      const params: readonly string[] = KERNEL_PARAMS[name];
      const args = Object.fromEntries(params.map((p, i) => [p, i]));
      expect((KERNEL_ARGS[name] as (a: Record<string, number>) => number[])(args)).toEqual(
        params.map((_, i) => i),
      );
    }
  });
});
