/** Runs grouped by method, each with a stable colour, and the benchmark's target and crossings. */
import { evalPoints, num, type EvalPoint } from './curves.js';
import type { Loaded, Row, RunData } from './load.js';

export interface MethodGroup {
  method: string;
  color: string;
  runs: RunData[];
  /** Held-out evaluations per run, same order as `runs`. */
  evals: EvalPoint[][];
}

export interface Subject {
  title: string;
  groups: MethodGroup[];
  /** Benchmark results.json, when the subject is a benchmark. */
  results: Row | null;
  target: number | null;
  profile: Row[] | null;
}

// Saturated, distinguishable colours (grey is kept for reference lines).
export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#17becf',
  '#e377c2',
  '#8c564b',
];

export function groupRuns(runs: RunData[]): MethodGroup[] {
  const byMethod = new Map<string, RunData[]>();
  for (const r of runs) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r]);
  return [...byMethod.entries()].map(([method, rs], i) => ({
    method,
    color: PALETTE[i % PALETTE.length],
    runs: rs,
    evals: rs.map((r) => evalPoints(r.rows, (r.config?.eval as Row | undefined)?.headline)),
  }));
}

export function subjectOf(loaded: Loaded): Subject {
  if (loaded.kind === 'run') {
    const r = loaded.run;
    return {
      title: `run ${r.name}`,
      groups: groupRuns([r]),
      results: null,
      target: null,
      profile: r.profile,
    };
  }
  const b = loaded.bench;
  return {
    title: `benchmark ${b.name}`,
    groups: groupRuns(b.runs),
    results: b.results,
    target: num(b.results?.target),
    profile: b.profile,
  };
}

/** The benchmark's own compute to target for a method (its crossing rule), when results.json has one. */
export function reportedCrossing(results: Row | null, method: string): number | null | undefined {
  const table = results?.table;
  if (!Array.isArray(table)) return undefined;
  const entry = table.find((t) => (t as Row | null)?.method === method) as Row | undefined;
  if (!entry || !('meanComputeToTarget' in entry)) return undefined;
  return num(entry.meanComputeToTarget);
}

export const headlineOf = (g: MethodGroup): string =>
  ((g.runs[0]?.config?.eval as Row | undefined)?.headline as string | undefined) ?? 'sampled';
