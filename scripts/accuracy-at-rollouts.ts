/**
 * Held-out accuracy against rollouts generated instead of FLOPs, from a benchmark's results.json:
 * per method, the seed-mean accuracy at a few rollout counts (linear between evaluations, each
 * seed's curve read only within the rollouts it generated). The benchmark charges FLOPs, where a
 * method that trains more of its rollouts buys fewer of them; this reads the same runs in the unit
 * some papers count in (responses generated), to tell the two effects apart. Profiling rollouts
 * are not counted here (runs with a profile are marked).
 *
 *   npx tsx scripts/accuracy-at-rollouts.ts <bench-dir>/results.json [rollouts,rollouts,...]
 */
import { readFileSync } from 'node:fs';
import type { BenchResult } from '../src/run/bench.js';
import { onRolloutAxis } from '../src/run/bench/axis.js';
import type { RunDetail } from '../src/run/bench/records.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: npx tsx scripts/accuracy-at-rollouts.ts <results.json> [rollouts,...]\n');
  process.exit(2);
}
const result = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;

/** Each evaluation's x = rollouts generated in the steps up to and including its step (no profile). */
function curveByRollouts(run: RunDetail): Array<{ rollouts: number; accuracy: number }> {
  return onRolloutAxis(run, new Map()).curve.map((p) => ({ rollouts: p.chargedFlops, accuracy: p.accuracy }));
}

/** Linear interpolation of a curve at x; null beyond its last point. */
function at(curve: Array<{ rollouts: number; accuracy: number }>, x: number): number | null {
  for (let i = 1; i < curve.length; i++) {
    const [a, b] = [curve[i - 1], curve[i]];
    if (x <= b.rollouts) {
      const t = b.rollouts === a.rollouts ? 1 : (x - a.rollouts) / (b.rollouts - a.rollouts);
      return a.accuracy + t * (b.accuracy - a.accuracy);
    }
  }
  return null;
}

const runs = Object.entries(result.runs);
const largest = Math.max(...runs.flatMap(([, rs]) => rs.map((r) => r.rollouts.generated)));
const grid = process.argv[3]
  ? process.argv[3].split(',').map(Number)
  : [0.1, 0.25, 0.5, 0.75, 1].map((f) => Math.round((f * largest) / 1000) * 1000);

const pct = (x: number | null): string => (x === null ? '–' : (100 * x).toFixed(1));
const lines = [
  `| method | seeds | rollouts generated (mean) | ${grid.map((g) => `at ${(g / 1000).toFixed(0)}k`).join(' | ')} |`,
  `|---|---|---|${grid.map(() => '---').join('|')}|`,
];
for (const [method, rs] of runs) {
  const curves = rs.map(curveByRollouts);
  const cells = grid.map((g) => {
    const ys = curves.map((c) => at(c, g));
    // a seed-mean only where every seed got that far
    return ys.every((y) => y !== null) ? pct(ys.reduce((a, y) => a + y!, 0) / ys.length) : null;
  });
  const generated = rs.reduce((a, r) => a + r.rollouts.generated, 0) / rs.length;
  const profiled = rs.some((r) => r.profileFlops > 0) ? ' (+ profile)' : '';
  lines.push(
    `| ${method}${profiled} | ${rs.length} | ${Math.round(generated)} | ${cells.map((c) => c ?? '–').join(' | ')} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
