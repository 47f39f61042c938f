/**
 * Looks for weights no optimizer step could have made: per checkpoint the largest |w| over the model's
 * weights (Adam moments left out) and the tensor holding it; with two checkpoints of one run, the
 * weights that differ between them by more than --delta, as runs of consecutive elements, with the
 * largest Adam first moment over each run in the second checkpoint.
 *
 *   npx tsx scripts/weight-scan.ts <checkpoint-or-run-dir>...      (each run: its last checkpoint)
 *   npx tsx scripts/weight-scan.ts --diff <checkpoint-a> <checkpoint-b> [--delta 0.01]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsFile } from '../src/engine/safetensors.js';
import { RunDir } from '../src/run/rundir.js';

const weights = (dir: string): SafetensorsFile => new SafetensorsFile(join(dir, 'model.safetensors'));
const names = (f: SafetensorsFile): string[] => Object.keys(f.header).filter((n) => !n.startsWith('adam.'));

/**
 * A run directory's latest complete checkpoint, or the directory itself when it is a checkpoint.
 * By step under this directory, not by latest.json's recorded path: scanned run directories may
 * have been copied or moved since they were written.
 */
function checkpointOf(dir: string): string | null {
  if (existsSync(join(dir, 'model.safetensors'))) return dir;
  const run = new RunDir(dir);
  const latest = run.latest();
  return latest ? run.checkpointDir(latest.step) : null;
}

const args = process.argv.slice(2);
if (args.length === 0) {
  process.stderr.write('usage: see the comment at the top of scripts/weight-scan.ts\n');
  process.exit(2);
}
if (args[0] === '--diff') {
  const [a, b] = [weights(args[1]!), weights(args[2]!)];
  const i = args.indexOf('--delta');
  const delta = i > 0 ? Number(args[i + 1]) : 0.01;
  for (const name of names(b)) {
    const [x, y] = [a.read(name), b.read(name)];
    let start = -1;
    for (let k = 0; k <= y.length; k++) {
      const off = k < y.length && Math.abs(y[k]! - x[k]!) > delta;
      if (off && start < 0) start = k;
      if (!off && start >= 0) {
        const shown = Array.from(y.subarray(start, Math.min(k, start + 3)), (v) => v.toFixed(2));
        // an optimizer step moves a weight by about lr·m̂/√v̂: normal moments there rule it out
        const m = b.has(`adam.m.${name}`) ? b.read(`adam.m.${name}`).subarray(start, k) : null;
        const largestM = m ? Math.max(...Array.from(m, Math.abs)).toExponential(1) : 'not saved';
        process.stdout.write(
          `${name}[${start}..${k - 1}]: ${k - start} values, e.g. ${shown.join(', ')}; largest |Adam m| there ${largestM}\n`,
        );
        start = -1;
      }
    }
  }
} else {
  for (const dir of args) {
    const ck = checkpointOf(dir);
    if (!ck) continue;
    const f = weights(ck);
    let max = 0,
      at = '';
    for (const name of names(f)) {
      for (const v of f.read(name))
        if (Math.abs(v) > max) {
          max = Math.abs(v);
          at = name;
        }
    }
    process.stdout.write(`${max.toFixed(3)}\t${at}\t${ck}\n`);
  }
}
