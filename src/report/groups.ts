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
    target: targetOf(b.results),
    profile: b.profile,
  };
}

/** The per-method rows of results.json (`results`, or `table` in files from earlier versions). */
export function resultRows(results: Row | null): Row[] {
  const rows = results?.results ?? results?.table;
  return Array.isArray(rows) ? rows.filter((r): r is Row => !!r && typeof r === 'object') : [];
}

/** The target line: results.json's own, else the baseline row's (the row compared with itself). */
export function targetOf(results: Row | null): number | null {
  const top = num(results?.target);
  if (top !== null) return top;
  const rows = resultRows(results);
  const base = rows.find((r) => r.baseline !== undefined && r.baseline === r.method) ?? rows[0];
  return num(base?.target);
}

/**
 * The benchmark's own compute to target for a method (its crossing rule: the isotonic crossing, or
 * the mean-curve crossing of earlier files); undefined when results.json does not say.
 */
export function reportedCrossing(results: Row | null, method: string): number | null | undefined {
  const entry = resultRows(results).find((t) => t.method === method);
  if (!entry) return undefined;
  const c = entry.computeToTarget;
  if (c && typeof c === 'object' && !Array.isArray(c) && 'isotonic' in c) return num((c as Row).isotonic);
  if ('meanComputeToTarget' in entry) return num(entry.meanComputeToTarget);
  return undefined;
}

export const headlineOf = (g: MethodGroup): string =>
  ((g.runs[0]?.config?.eval as Row | undefined)?.headline as string | undefined) ?? 'sampled';
