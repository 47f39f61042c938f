// flopwise engine worker: instantiates the kernels over the shared memory and runs its share of each
// fork-join call. Plain JavaScript so that it loads unchanged under vitest, tsx and compiled dist/.
// Control block (Int32Array over a SharedArrayBuffer), see pool.ts:
//   [0] generation, [1] done count, [2] kernel id (-1 = exit), [3] arg count, [4] n, [5] align,
//   [6] error flag, [7] thread count. Arguments: Float64Array.
/* global WebAssembly */
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, ctrl, args, tid, names } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => inst.exports[n]);
const c = new Int32Array(ctrl);
const a = new Float64Array(args);
parentPort.postMessage('ready');

let gen = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(c, 0) === gen && spins < 20000) spins++;
  if (Atomics.load(c, 0) === gen) Atomics.wait(c, 0, gen);
  gen = Atomics.load(c, 0);
  const fn = Atomics.load(c, 2);
  if (fn < 0) break;
  try {
    const n = c[4],
      align = c[5],
      T = c[7];
    const chunk = Math.ceil(Math.ceil(n / T) / align) * align;
    const lo = Math.min(n, tid * chunk);
    const hi = Math.min(n, lo + chunk);
    if (hi > lo) {
      const na = c[3];
      const f = fns[fn];
      switch (na) {
        case 4:
          f(lo, hi, a[0], a[1], a[2], a[3]);
          break;
        case 5:
          f(lo, hi, a[0], a[1], a[2], a[3], a[4]);
          break;
        case 6:
          f(lo, hi, a[0], a[1], a[2], a[3], a[4], a[5]);
          break;
        case 7:
          f(lo, hi, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
          break;
        case 8:
          f(lo, hi, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
          break;
        default:
          f(lo, hi, ...Array.from(a.subarray(0, na)));
      }
    }
  } catch (e) {
    Atomics.store(c, 6, 1);
    parentPort.postMessage(String(e && e.stack ? e.stack : e));
  }
  Atomics.add(c, 1, 1);
  Atomics.notify(c, 1);
}
