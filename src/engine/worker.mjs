// flopwise engine worker: instantiates the kernels over the shared memory and runs chunks of each
// fork-join call. Plain JavaScript so that it loads unchanged under vitest, tsx and compiled dist/.
// Control block (Int32Array over a SharedArrayBuffer), see pool.ts:
//   [0] generation, [2] kernel id (-1 = exit), [3] arg count, [4] n, [5] chunk, [6] error flag,
//   [7] thread count, [8] next chunk (claimed with Atomics.add), [9] error text length,
//   [16 + tid] the last generation this worker finished.
// Arguments: Float64Array. A trap's text goes into the shared error buffer before the flag is set: the
// caller waits synchronously, so a posted message would arrive only after it has thrown.
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, ctrl, args, names, errText, tid } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => inst.exports[n]);
const c = new Int32Array(ctrl);
const a = new Float64Array(args);
const err = new Uint8Array(errText);
parentPort.postMessage('ready');

const ACK = 16 + tid;
let gen = 0;
for (;;) {
  // Wait until the generation moves. A wake-up without a new call (the caller's notify can come late,
  // after this worker already ran the call it announced) waits again: running the finished call
  // again would read its kernel while the caller writes the next call's arguments.
  let next;
  for (let spins = 0; (next = Atomics.load(c, 0)) === gen; spins++) {
    if (spins >= 20000) Atomics.wait(c, 0, gen);
  }
  gen = next;
  const fn = Atomics.load(c, 2);
  if (fn < 0) break;
  try {
    const n = c[4];
    const chunk = c[5];
    const na = c[3];
    const f = fns[fn];
    const x = Array.from(a.subarray(0, na));
    for (;;) {
      const lo = Atomics.add(c, 8, 1) * chunk;
      if (lo >= n) break;
      const hi = Math.min(n, lo + chunk);
      f(lo, hi, ...x);
    }
  } catch (e) {
    const text = new TextEncoder().encode(`worker ${tid}: ${e && e.message ? e.message : String(e)}`);
    const len = Math.min(text.length, err.length);
    if (Atomics.compareExchange(c, 6, 0, 1) === 0) {
      err.set(text.subarray(0, len));
      Atomics.store(c, 9, len);
    }
    Atomics.store(c, 8, 1 << 30);
  }
  Atomics.store(c, ACK, gen);
  Atomics.notify(c, ACK);
}
