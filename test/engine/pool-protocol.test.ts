// The pool's fork-join must hand every worker one call's kernel and arguments, never a mix of two
// calls: a worker woken without a new call (Atomics.notify always ends a wait, whether or not the
// generation moved) must wait again, not rerun the finished call while the next one is being written.
import { describe, expect, it } from 'vitest';
import { Pool } from '../../src/engine/pool.js';
import { WA } from '../../src/engine/wasm.js';

describe('pool protocol', () => {
  it('a wake-up without a new call never mixes two calls (stray notify before each call)', async () => {
    const memory = new WA.Memory({ initial: 8, maximum: 8, shared: true }); // 512 KiB
    const f32 = new Float32Array(memory.buffer);
    const pool = await Pool.create(memory, 2);
    // the pool's control block: index 0 is the call generation the workers wait on
    const ctrl = (pool as unknown as { ctrl: Int32Array }).ctrl;
    const C = 16,
      N = 48,
      rows = 472; // 8 chunks of 59 rows for ln_fwd, 8 of 60 for mm_nn: the fault seen in a real run
    const at = (floats: number) => floats * 4;
    const inp = 20000,
      ln = inp + rows * C,
      mean = ln + rows * C,
      rstd = mean + rows,
      w = rstd + rows,
      out = w + C * N,
      end = out + rows * N;
    for (let i = inp; i < end; i++) f32[i] = Math.sin(i * 0.37);
    const wBefore = f32.slice(w, w + C * N);
    const lnCall = () =>
      pool.call('ln_fwd', rows, 1, {
        out: at(ln),
        mean: at(mean),
        rstd: at(rstd),
        inp: at(inp),
        gain: 0,
        bias: 0,
        C,
      });
    const mmCall = () =>
      pool.call('mm_nn', rows, 4, {
        out: at(out),
        a: at(ln),
        w: at(w),
        bias: 0,
        residual: 0,
        K: C,
        N,
        geluIn: 0,
        geluOut: 0,
      });
    lnCall();
    mmCall();
    const expected = f32.slice(out, out + rows * N);
    // let the worker finish spinning and block in Atomics.wait, where a notify reaches it
    const idle = () => {
      const t = performance.now();
      while (performance.now() - t < 0.5);
    };
    try {
      for (let i = 0; i < 2000; i++) {
        idle();
        Atomics.notify(ctrl, 0); // a wake-up that is not a new call
        lnCall();
        idle();
        Atomics.notify(ctrl, 0);
        mmCall();
        // the weights are read-only to both kernels; the product is the same every time
        const wrongW = wBefore.findIndex((x, k) => !Object.is(f32[w + k], x));
        const wrongOut = expected.findIndex((x, k) => !Object.is(f32[out + k], x));
        if (wrongW >= 0 || wrongOut >= 0)
          expect.fail(`call pair ${i}: weight ${wrongW} / output ${wrongOut} differs (-1: none)`);
      }
    } finally {
      await pool.dispose();
    }
  }, 60_000);
});
