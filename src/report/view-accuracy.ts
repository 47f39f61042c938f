/** The headline section: held-out accuracy against training-side FLOPs, steps and wall time. */
import {
  firstCrossing,
  phaseChanges,
  rowX,
  seedBand,
  xOf,
  type Axis,
  type EvalPoint,
  type XY,
} from './curves.js';
import { headlineOf, reportedCrossing, type MethodGroup, type Subject } from './groups.js';
import type { Chart, ChartSeries, Section, Table } from './types.js';
import { fmtFlops, fmtPct } from './format.js';
import { resultsTable } from './view-results.js';

const AXES: Array<{ axis: Axis; label: string; title: string }> = [
  {
    axis: 'flops',
    label: 'training-side FLOPs (profiling included)',
    title: 'Held-out accuracy vs training compute',
  },
  { axis: 'step', label: 'step', title: 'Held-out accuracy vs steps' },
  {
    axis: 'wall',
    label: 'wall seconds (all phases, eval included)',
    title: 'Held-out accuracy vs wall time',
  },
];

/** The x on `axis` where each run first spent `flops`, averaged over runs (null if none got there). */
function atFlops(g: MethodGroup, axis: Axis, flops: number): number | null {
  const xs = g.evals
    .map((ev) => ev.find((p) => p.flops >= flops - 1e-6 * flops))
    .filter((p) => p !== undefined)
    .map((p) => xOf(p, axis))
    .filter((x) => x !== null);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/**
 * Where the mean reaches the target on this axis. With results.json, the benchmark's own crossing
 * (its rule, in FLOPs), carried to steps and wall time through the runs' own evaluations; without,
 * the first mean point at or above the target.
 */
function crossingX(s: Subject, g: MethodGroup, axis: Axis, x: number[], mean: number[]): number | null {
  if (s.target === null) return null;
  const reported = reportedCrossing(s.results, g.method);
  if (reported === null) return null;
  if (reported === undefined) return firstCrossing(x, mean, s.target);
  return axis === 'flops' ? reported : atFlops(g, axis, reported);
}

/** (x, accuracy) on `axis`, leaving out evaluations with no x there (no ledger, so no wall time). */
function onAxis(points: EvalPoint[], axis: Axis): XY[] {
  return points.flatMap((p): XY[] => {
    const x = xOf(p, axis);
    return x === null ? [] : [[x, p.accuracy]];
  });
}

function methodLayers(s: Subject, g: MethodGroup, axis: Axis, chart: Chart): void {
  const curves = g.evals.map((ev) => onAxis(ev, axis));
  const many = curves.filter((c) => c.length).length > 1;
  curves.forEach((c, i) => {
    if (c.length === 0) return;
    const seed = g.runs[i].seed;
    chart.series.push({
      label: `${g.method}${seed !== null ? ` seed ${seed}` : ''}`,
      color: g.color,
      points: c,
      faint: many,
      legend: !many,
    });
  });
  if (!many) return;
  const band = seedBand(curves);
  chart.bands!.push({ color: g.color, x: band.x, lo: band.lo, hi: band.hi });
  chart.series.push({
    label: `${g.method} (mean of ${curves.length} seeds)`,
    color: g.color,
    points: band.x.map((x, i): XY => [x, band.mean[i]]),
    legend: true,
  });
  const cx = crossingX(s, g, axis, band.x, band.mean);
  if (cx !== null && s.target !== null)
    chart.markers!.push({ x: cx, y: s.target, label: `${g.method} reaches the target`, color: g.color });
}

function singleCrossing(s: Subject, g: MethodGroup, axis: Axis, chart: Chart): void {
  const pts = g.evals.find((e) => e.length);
  if (g.evals.filter((e) => e.length).length !== 1 || !pts || s.target === null) return;
  const xy = onAxis(pts, axis);
  const cx = crossingX(
    s,
    g,
    axis,
    xy.map((p) => p[0]),
    xy.map((p) => p[1]),
  );
  if (cx !== null)
    chart.markers!.push({ x: cx, y: s.target, label: `${g.method} reaches the target`, color: g.color });
}

function phaseLines(s: Subject, axis: Axis): Array<{ x: number; label: string }> {
  const out: Array<{ x: number; label: string }> = [];
  for (const g of s.groups) {
    const run = g.runs[0];
    for (const c of phaseChanges(run?.rows ?? [])) {
      const x = rowX(c.row, axis);
      if (x !== null) out.push({ x, label: `${g.method}: phase ${c.phase}` });
    }
  }
  return out;
}

export function accuracyChart(s: Subject, axis: Axis, idPrefix = 'acc'): Chart {
  const spec = AXES.find((a) => a.axis === axis)!;
  const chart: Chart = {
    id: `${idPrefix}-${axis}`,
    title: spec.title,
    note:
      'Line: seed mean; band: range over seeds; faint: each seed; dashed: target; ring: where the mean reaches it' +
      (axis === 'flops' && s.results ? ' (the benchmark’s crossing rule)' : '') +
      '; grey verticals: sGPO phase changes.',
    xLabel: spec.label,
    yLabel: `held-out accuracy (${s.groups[0] ? headlineOf(s.groups[0]) : 'sampled'})`,
    series: [] as ChartSeries[],
    bands: [],
    markers: [],
    hlines: s.target !== null ? [{ y: s.target, label: `target ${fmtPct(s.target)}` }] : [],
    vlines: phaseLines(s, axis),
  };
  for (const g of s.groups) {
    methodLayers(s, g, axis, chart);
    singleCrossing(s, g, axis, chart);
  }
  return chart;
}

function summaryRow(g: MethodGroup, s: Subject): string[] {
  const firsts = g.evals.map((e) => e[0]).filter(Boolean);
  const lasts = g.evals.map((e) => e[e.length - 1]).filter(Boolean);
  const mean = (xs: Array<number | null>) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  const pair = (f: (p: (typeof firsts)[number]) => number | null) =>
    `${fmtPct(mean(firsts.map(f)))} → ${fmtPct(mean(lasts.map(f)))}`;
  const k = firsts[0]?.k;
  const crossing = s.target === null ? 'no target' : reportedCrossing(s.results, g.method);
  return [
    g.method,
    String(g.runs.length),
    pair((p) => p.greedy),
    pair((p) => p.sampled),
    `${pair((p) => p.passAtK)}${k ? ` (k=${k})` : ''}`,
    typeof crossing === 'string'
      ? crossing
      : crossing === undefined
        ? 'not recorded'
        : crossing === null
          ? 'not reached'
          : fmtFlops(crossing),
  ];
}

export function accuracySection(s: Subject): Section {
  const table: Table = {
    title: 'Before and after (seed means)',
    head: ['method', 'seeds', 'greedy', 'sampled', 'pass@k', 'compute to target'],
    rows: s.groups.map((g) => summaryRow(g, s)),
  };
  const missing: string[] = [];
  if (s.groups.every((g) => g.evals.every((e) => e.length === 0)))
    missing.push('held-out evaluations (no metrics row has an eval yet)');
  if (s.target === null) missing.push('target accuracy (only a benchmark defines one)');
  const verdicts = resultsTable(s.results);
  return {
    id: 'accuracy',
    title: 'Held-out accuracy',
    charts: AXES.map((a) => accuracyChart(s, a.axis)),
    tables: verdicts ? [verdicts, table] : [table],
    missing,
  };
}
