/**
 * Why an sGPO variant wins or loses, from a benchmark directory's metrics rows: per method (mean over
 * seeds) the final accuracy by held-out level against the start, and per phase the share of rollouts
 * by class, groups with signal per rollout by class, and the profile's staleness (observed − planned
 * success rate of the prompts trained).
 *
 *   npx tsx scripts/sgpo-diagnostics.ts <bench-dir> [level,level,...]
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunDir } from '../src/run/rundir.js';

type Row = Record<string, unknown>;
type ByLevel = Record<string, { accuracy: number }>;

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: npx tsx scripts/sgpo-diagnostics.ts <bench-dir> [level,level,...]\n');
  process.exit(2);
}
const levels = (process.argv[3] ?? 'add/1,add/2,copy/2,copy/3,add/3,count/3').split(',');

const runsDir = join(dir, 'runs');
const byMethod = new Map<string, Row[][]>();
const skipped: string[] = [];
for (const name of readdirSync(runsDir).sort()) {
  // an unfinished run's last evaluation is not a final accuracy
  if (!existsSync(join(runsDir, name, 'summary.json'))) {
    skipped.push(name);
    continue;
  }
  const method = name.replace(/-seed\d+$/, '');
  const rows = new RunDir(join(runsDir, name)).readMetrics();
  byMethod.set(method, [...(byMethod.get(method) ?? []), rows]);
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}` : '–');

function evalRows(rows: Row[]): Row[] {
  return rows.filter((r) => r.eval !== undefined);
}

function levelAccuracy(row: Row, level: string): number {
  const by = (row.eval as { byLevel?: ByLevel }).byLevel;
  return by?.[level]?.accuracy ?? NaN;
}

const out: string[] = [];
out.push(`| method | final | ${levels.map((l) => `${l} start → end`).join(' | ')} |`);
out.push(`|---|---|${levels.map(() => '---').join('|')}|`);
for (const [method, runs] of byMethod) {
  const finals = runs.map((rows) => evalRows(rows).at(-1)!);
  const starts = runs.map((rows) => evalRows(rows)[0]);
  const acc = mean(finals.map((r) => (r.eval as { sampledAccuracy: number }).sampledAccuracy));
  const cells = levels.map(
    (l) =>
      `${pct(mean(starts.map((r) => levelAccuracy(r, l))))} → ${pct(mean(finals.map((r) => levelAccuracy(r, l))))}`,
  );
  out.push(`| ${method} | ${pct(acc)} | ${cells.join(' | ')} |`);
}

const keys = [
  'share.trivial',
  'share.learnable',
  'share.unsolved',
  'signalPerRollout.trivial',
  'signalPerRollout.learnable',
  'signalPerRollout.unsolved',
  'staleness.drift',
  'staleness.abs',
];
out.push(
  '',
  `| method | phase | steps | ${keys.join(' | ')} |`,
  `|---|---|---|${keys.map(() => '---').join('|')}|`,
);
for (const [method, runs] of byMethod) {
  const steps = runs.flat().filter((r) => r.info && typeof (r.info as Row).phase === 'number');
  const phases = [...new Set(steps.map((r) => (r.info as Row).phase as number))].sort();
  for (const phase of phases) {
    const inPhase = steps.filter((r) => (r.info as Row).phase === phase).map((r) => r.info as Row);
    const cells = keys.map((k) => {
      const xs = inPhase.map((i) => i[k]).filter((x): x is number => typeof x === 'number');
      return xs.length ? mean(xs).toFixed(3) : '–';
    });
    out.push(
      `| ${method} | ${phase} | ${(inPhase.length / runs.length).toFixed(0)} | ${cells.join(' | ')} |`,
    );
  }
}
process.stdout.write(out.join('\n') + '\n');
if (skipped.length) process.stderr.write(`not finished, left out: ${skipped.join(', ')}\n`);
