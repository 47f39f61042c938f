/**
 * Pure arithmetic from metrics rows to the points the charts draw: held-out accuracy against FLOPs,
 * steps and wall time, seed bands at matched x, crossings, sGPO phase changes, per-step ratios.
 */
import type { Row } from './load.js';

export type XY = [number, number];

export type Axis = 'flops' | 'step' | 'wall';

export interface EvalPoint {
  step: number;
  flops: number;
  /** Wall seconds so far, summed over the ledger's phases (evaluation included); null without a ledger. */
  wallS: number | null;
  accuracy: number;
  greedy: number | null;
  sampled: number | null;
  passAtK: number | null;
  k: number | null;
  byLevel: Record<string, number>;
  examples: unknown[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function wallSeconds(ledger: unknown): number | null {
  if (!ledger || typeof ledger !== 'object') return null;
  let ms = 0;
  for (const phase of Object.values(ledger as Record<string, unknown>)) {
    ms += num((phase as Row | null)?.wallMs) ?? 0;
  }
  return ms / 1000;
}

/** Accuracy per level from whatever shape the evaluator recorded: a number or an object per level. */
export function levelAccuracies(v: unknown): Record<string, number> {
  if (!v || typeof v !== 'object') return {};
  const out: Record<string, number> = {};
  for (const [level, x] of Object.entries(v as Row)) {
    const o = x as Row | null;
    const acc =
      num(x) ??
      num(o?.accuracy) ??
      num(o?.sampledAccuracy) ??
      num(o?.meanP) ??
      num(o?.greedyAccuracy) ??
      num(o?.sampled) ??
      num(o?.greedy);
    if (acc !== null) out[level] = acc;
  }
  return out;
}

/** The held-out evaluations of a run, in step order, judged by `headline` (sampled unless told). */
export function evalPoints(rows: Row[], headline: unknown): EvalPoint[] {
  const out: EvalPoint[] = [];
  for (const r of rows) {
    const e = r.eval as Row | undefined;
    const step = num(r.step);
    if (!e || typeof e !== 'object' || step === null) continue;
    const greedy = num(e.greedyAccuracy);
    const sampled = num(e.sampledAccuracy);
    const accuracy = headline === 'greedy' ? (greedy ?? sampled) : (sampled ?? greedy);
    if (accuracy === null) continue;
    out.push({
      step,
      flops: num(r.chargedFlops) ?? 0,
      wallS: wallSeconds(r.ledger),
      accuracy,
      greedy,
      sampled,
      passAtK: num(e.passAtK),
      k: num(e.k),
      byLevel: levelAccuracies(e.byLevel ?? e.levels ?? e.perLevel),
      examples: Array.isArray(e.examples) ? e.examples : [],
    });
  }
  return out;
}

export function xOf(p: EvalPoint, axis: Axis): number | null {
  return axis === 'flops' ? p.flops : axis === 'step' ? p.step : p.wallS;
}

export interface Band {
  x: number[];
  mean: number[];
  lo: number[];
  hi: number[];
}

/**
 * Seeds' curves at matched x: at every x where some seed has a point, each seed contributes its
 * latest value at or before x (its first value before it starts; a seed that has ended holds its
 * last value, as in the benchmark's seed-mean curve, so the mean ends at the mean of the finals).
 * `lo`/`hi` are the lowest and highest seed there.
 */
export function seedBand(curves: XY[][]): Band {
  const live = curves.filter((c) => c.length > 0);
  const band: Band = { x: [], mean: [], lo: [], hi: [] };
  if (live.length === 0) return band;
  const grid = [...new Set(live.flat().map((p) => p[0]))].sort((a, b) => a - b);
  for (const x of grid) {
    const ys = live.map((c) => {
      let y = c[0][1];
      for (const [px, py] of c) if (px <= x) y = py;
      return y;
    });
    band.x.push(x);
    band.mean.push(ys.reduce((s, y) => s + y, 0) / ys.length);
    band.lo.push(Math.min(...ys));
    band.hi.push(Math.max(...ys));
  }
  return band;
}

/** The first x where y reaches `target` (with a float tolerance); null if it never does. */
export function firstCrossing(xs: number[], ys: number[], target: number): number | null {
  for (let i = 0; i < xs.length; i++) if (ys[i] >= target - 1e-9) return xs[i];
  return null;
}

/** Rows of training steps (evaluation-only rows carry no rollout counts). */
export function stepRows(rows: Row[]): Row[] {
  return rows.filter((r) => num(r.step) !== null && num(r.rolloutsGenerated) !== null);
}

/** Where the sGPO phase (the step rows' `info.phase`) changes: the first row of each new phase. */
export function phaseChanges(rows: Row[]): Array<{ row: Row; phase: string }> {
  const out: Array<{ row: Row; phase: string }> = [];
  let last: unknown;
  for (const r of stepRows(rows)) {
    const phase = (r.info as Row | undefined)?.phase;
    if (phase === undefined) continue;
    if (last !== undefined && phase !== last) out.push({ row: r, phase: String(phase) });
    last = phase;
  }
  return out;
}

/** (step, value) for every step row where `f` gives a finite number. */
export function perStep(rows: Row[], f: (r: Row) => number | null): XY[] {
  const out: XY[] = [];
  for (const r of stepRows(rows)) {
    const y = f(r);
    if (y !== null && Number.isFinite(y)) out.push([r.step as number, y]);
  }
  return out;
}

/** Trailing moving average over `window` points, so per-step noise does not hide the trend. */
export function smooth(points: XY[], window: number): XY[] {
  let sum = 0;
  return points.map(([x, y], i) => {
    sum += y;
    if (i >= window) sum -= points[i - window][1];
    return [x, sum / Math.min(i + 1, window)];
  });
}

/** Cumulative wall seconds and charged FLOPs at each step row, for drawing phase boundaries on any axis. */
export function rowX(r: Row, axis: Axis): number | null {
  if (axis === 'step') return num(r.step);
  if (axis === 'flops') return num(r.chargedFlops);
  return wallSeconds(r.ledger);
}

export { num };
