/** One line of the dashboard's run list: where, what, how far, how it is doing. */
import { relative } from 'node:path';
import { evalPoints } from '../report/curves.js';
import { loadBench, loadRun, type Row } from '../report/load.js';

export interface RunListEntry {
  id: string;
  kind: 'run' | 'bench';
  status: string;
  steps: number | null;
  lastAccuracy: number | null;
  updatedAt: number;
  runs?: number;
  /** A benchmark's runs (ids), each viewable on its own. */
  children?: string[];
}

export function listEntry(root: string, d: { kind: 'run' | 'bench'; dir: string }): RunListEntry {
  const id = relative(root, d.dir) || '.';
  if (d.kind === 'bench') {
    const b = loadBench(d.dir);
    const finished = b.runs.filter((r) => r.status === 'finished').length;
    const running = b.runs.some((r) => r.status === 'running');
    return {
      id,
      kind: 'bench',
      status: b.results ? 'finished' : running ? 'running' : `${finished}/${b.runs.length} runs finished`,
      steps: null,
      lastAccuracy: null,
      updatedAt: Math.max(0, ...b.runs.map((r) => r.updatedAt)),
      runs: b.runs.length,
      children: b.runs.filter((r) => r.dir).map((r) => relative(root, r.dir)),
    };
  }
  const r = loadRun(d.dir);
  const evals = evalPoints(r.rows, (r.config?.eval as Row | undefined)?.headline);
  const last = r.rows[r.rows.length - 1];
  return {
    id,
    kind: 'run',
    status: r.status,
    steps: typeof last?.step === 'number' ? last.step : null,
    lastAccuracy: evals.length ? evals[evals.length - 1].accuracy : null,
    updatedAt: r.updatedAt,
  };
}
