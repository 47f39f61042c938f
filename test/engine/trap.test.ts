// A kernel that traps must say why, where and with what, on the calling thread and in a worker alike.
import { describe, expect, it } from 'vitest';
import { Pool } from '../../src/engine/pool.js';
import { WA } from '../../src/engine/wasm.js';

describe('kernel traps', () => {
  for (const threads of [1, 2])
    it(`report the trap's message, the kernel and its arguments (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
      const memory = new WA.Memory({ initial: 4, maximum: 4, shared: true }); // 256 KiB
      const pool = await Pool.create(memory, threads);
      try {
        // x points far past the end of memory: every chunk reads out of bounds
        const call = () => pool.run('sumsq_chunks', 64, 1, 1024, 1 << 30, 64 * 16, 16);
        expect(call).toThrow(
          /engine: kernel sumsq_chunks trapped \((worker 1|main thread): memory access out of bounds\); rows \[0, 64\), arguments \(1024, 1073741824, 1024, 16\)/,
        );
        // the pool still works after a trap
        pool.run('sumsq_chunks', 4, 1, 1024, 2048, 64, 16);
      } finally {
        await pool.dispose();
      }
    });
});
