/** Where the compute went (ledger by phase) and how much of it carried signal, for every method. */
import { num, perStep, seedBand, smooth, type XY } from './curves.js';
import { fmtFlops, fmtSeconds } from './format.js';
import type { MethodGroup, Subject } from './groups.js';
import type { Row } from './load.js';
import type { Chart, Section, Stacks, Table } from './types.js';

const CHARGED = ['profile', 'rollout', 'logprob', 'train'] as const;
const PHASE_COLORS = ['#9467bd', '#1f77b4', '#ff7f0e', '#2ca02c'];

/** The latest cumulative ledger a run recorded (summary first, else its last metrics row with one). */
export function finalLedger(rows: Row[], summary: Row | null): Row | null {
  if (summary?.ledger && typeof summary.ledger === 'object') return summary.ledger as Row;
  for (let i = rows.length - 1; i >= 0; i--) {
    const l = rows[i].ledger;
    if (l && typeof l === 'object') return l as Row;
  }
  return null;
}

function phaseValue(ledger: Row, phase: string, field: 'flops' | 'wallMs'): number {
  return num((ledger[phase] as Row | undefined)?.[field]) ?? 0;
}

type PhaseMean = { flops: number; wallMs: number; uncounted: boolean };

function meanLedger(g: MethodGroup): Record<string, PhaseMean> | null {
  const ledgers = g.runs.map((r) => finalLedger(r.rows, r.summary)).filter((l): l is Row => l !== null);
  if (ledgers.length === 0) return null;
  const out: Record<string, PhaseMean> = {};
  for (const phase of [...CHARGED, 'eval']) {
    out[phase] = {
      flops: ledgers.reduce((s, l) => s + phaseValue(l, phase, 'flops'), 0) / ledgers.length,
      wallMs: ledgers.reduce((s, l) => s + phaseValue(l, phase, 'wallMs'), 0) / ledgers.length,
      // A phase that ran on a remote server of undeclared size has no FLOP count: its 0 is not a zero.
      uncounted: ledgers.some((l) => (l[phase] as Row | undefined)?.uncounted === true),
    };
  }
  return out;
}

function flopsCell(p: PhaseMean): string {
  return p.uncounted ? 'not counted' : fmtFlops(p.flops);
}

function ledgerParts(s: Subject): { stacks: Stacks; table: Table } {
  const stacks: Stacks = {
    title: 'Training-side compute by phase (seed mean)',
    note: 'Evaluation is recorded but not charged; it is listed apart in the table.',
    parts: CHARGED.map((name, i) => ({ name, color: PHASE_COLORS[i] })),
    rows: [],
  };
  const table: Table = {
    title: 'Compute ledger (seed mean)',
    head: ['method', ...CHARGED, 'charged total', 'eval (not charged)', 'wall time'],
    rows: [],
  };
  for (const g of s.groups) {
    const l = meanLedger(g);
    if (!l) continue;
    const charged = CHARGED.reduce((t, p) => t + l[p].flops, 0);
    const wall = Object.values(l).reduce((t, p) => t + p.wallMs, 0) / 1000;
    stacks.rows.push({ label: g.method, values: CHARGED.map((p) => l[p].flops), text: fmtFlops(charged) });
    table.rows.push([
      g.method,
      ...CHARGED.map((p) => flopsCell(l[p])),
      CHARGED.some((p) => l[p].uncounted) ? `${fmtFlops(charged)} + not counted` : fmtFlops(charged),
      flopsCell(l.eval),
      fmtSeconds(wall),
    ]);
  }
  return { stacks, table };
}

/** One line per method: the per-step value averaged over seeds, smoothed over `window` steps. */
export function perStepChart(
  s: Subject,
  spec: { id: string; title: string; yLabel: string; note?: string; window?: number },
  f: (r: Row) => number | null,
): Chart {
  const chart: Chart = {
    id: spec.id,
    title: spec.title,
    note: spec.note,
    xLabel: 'step',
    yLabel: spec.yLabel,
    series: [],
  };
  for (const g of s.groups) {
    const curves = g.runs.map((r) => perStep(r.rows, f)).filter((c) => c.length > 0);
    if (curves.length === 0) continue;
    const band = seedBand(curves);
    const mean = band.x.map((x, i): XY => [x, band.mean[i]]);
    chart.series.push({
      label: g.method,
      color: g.color,
      points: smooth(mean, spec.window ?? 10),
      legend: true,
    });
  }
  return chart;
}

const ratio = (a: unknown, b: unknown): number | null => {
  const x = num(a);
  const y = num(b);
  return x !== null && y !== null && y > 0 ? x / y : null;
};

export function computeSection(s: Subject): Section {
  const { stacks, table } = ledgerParts(s);
  const smoothing = 'Seed mean, moving average over 10 steps.';
  const charts = [
    perStepChart(
      s,
      {
        id: 'signal',
        title: 'Groups with signal per rollout',
        yLabel: 'groups with signal per rollout',
        note: smoothing,
      },
      (r) => ratio(r.groupsWithSignal, r.rolloutsGenerated),
    ),
    perStepChart(
      s,
      {
        id: 'discarded',
        title: 'Rollouts thrown away per step',
        yLabel: 'rollouts discarded',
        note: `${smoothing} Discarded: generated, then dropped before training (e.g. groups without signal).`,
      },
      (r) => num(r.rolloutsDiscarded),
    ),
    perStepChart(
      s,
      {
        id: 'zero-adv',
        title: 'Kept rollouts with zero advantage per step',
        yLabel: 'rollouts',
        note: `${smoothing} Not trained on unless trainOnZeroAdvantage.`,
      },
      (r) => num(r.rolloutsZeroAdvantage),
    ),
  ];
  const missing = stacks.rows.length === 0 ? ['compute ledger (no run recorded one yet)'] : [];
  if (charts.every((c) => c.series.length === 0))
    missing.push('per-step rollout counts (no training step recorded yet)');
  return {
    id: 'compute',
    title: 'Compute and signal',
    charts: charts.filter((c) => c.series.length),
    tables: [table],
    stacks: [stacks],
    missing,
  };
}
