/**
 * Benchmark arithmetic: compute to target and the per-method table. The target is the baseline's
 * final mean held-out accuracy. A method's compute to target is read off its mean curve (accuracy
 * averaged over seeds at matched training-side FLOPs, profiling included): the FLOPs where that
 * curve first reaches the target. Per-seed crossings are reported too.
 */
import type { RunSummary } from './run.js';

export interface CurvePoint {
  chargedFlops: number;
  accuracy: number;
}

/** FLOPs at the first point with accuracy ≥ target (minus a float tolerance); null if never reached. */
export function computeToTarget(curve: CurvePoint[], target: number, tol = 1e-9): number | null {
  for (const p of curve) if (p.accuracy >= target - tol) return p.chargedFlops;
  return null;
}

/**
 * The seeds' curves averaged at matched FLOPs: at every FLOP value where some seed evaluated, each
 * seed contributes its latest evaluation at or before it (its first one before that). The curve
 * stops where the shortest run stops, so every point averages all seeds.
 */
export function meanCurve(curves: CurvePoint[][]): CurvePoint[] {
  if (curves.length === 0) return [];
  const end = Math.min(...curves.map((c) => c[c.length - 1].chargedFlops));
  const grid = [...new Set(curves.flat().map((p) => p.chargedFlops))]
    .filter((f) => f <= end)
    .sort((a, b) => a - b);
  return grid.map((f) => {
    let sum = 0;
    for (const c of curves) {
      let acc = c[0].accuracy;
      for (const p of c) if (p.chargedFlops <= f) acc = p.accuracy;
      sum += acc;
    }
    return { chargedFlops: f, accuracy: sum / curves.length };
  });
}

export function meanStd(xs: number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.length > 1 ? xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

export interface MethodResult {
  method: string;
  description: string;
  seeds: number[];
  finalAccuracy: { mean: number; std: number };
  initialAccuracy: number;
  /** Per seed: FLOPs to reach the target, null where not reached. */
  computeToTarget: Array<number | null>;
  /** Where the mean curve over seeds first reaches the target; null if it never does. */
  meanComputeToTarget: number | null;
  /** Seeds whose own curve reached the target. */
  reached: number;
  /** Baseline's mean compute to target ÷ this method's (> 1 = saves compute); null if not reached. */
  savingVsBaseline: number | null;
  meanChargedFlops: number;
  profileFlops: number;
  rolloutsGenerated: number;
  rolloutsTrained: number;
  groupsWithSignalPerRollout: number;
}

export interface MethodRuns {
  method: string;
  description: string;
  runs: RunSummary[];
  /** Per run: rollouts generated and trained, and groups with signal (from metrics rows). */
  counts: Array<{ generated: number; trained: number; groupsWithSignal: number }>;
}

export function benchmarkTable(
  methods: MethodRuns[],
  baseline: string,
): { target: number; results: MethodResult[] } {
  const base = methods.find((m) => m.method === baseline);
  if (!base) throw new Error(`bench: no baseline method '${baseline}'`);
  const target = meanStd(base.runs.map((r) => r.finalAccuracy)).mean;
  const ctt = (m: MethodRuns): Array<number | null> => m.runs.map((r) => computeToTarget(r.curve, target));
  const meanCtt = (m: MethodRuns): number | null =>
    computeToTarget(meanCurve(m.runs.map((r) => r.curve)), target);
  const baseCtt = meanCtt(base);
  const results = methods.map((m): MethodResult => {
    const c = ctt(m);
    const mean = meanCtt(m);
    const sum = (f: (x: MethodRuns['counts'][number]) => number) => m.counts.reduce((s, x) => s + f(x), 0);
    return {
      method: m.method,
      description: m.description,
      seeds: m.runs.map((r) => r.seed),
      finalAccuracy: meanStd(m.runs.map((r) => r.finalAccuracy)),
      initialAccuracy: meanStd(m.runs.map((r) => r.initialAccuracy)).mean,
      computeToTarget: c,
      meanComputeToTarget: mean,
      reached: c.filter((x) => x !== null).length,
      savingVsBaseline: mean !== null && baseCtt !== null && mean > 0 ? baseCtt / mean : null,
      meanChargedFlops: meanStd(m.runs.map((r) => r.chargedFlops)).mean,
      profileFlops: meanStd(m.runs.map((r) => r.ledger.profile.flops)).mean,
      rolloutsGenerated: sum((x) => x.generated) / m.runs.length,
      rolloutsTrained: sum((x) => x.trained) / m.runs.length,
      groupsWithSignalPerRollout:
        sum((x) => x.groupsWithSignal) /
        Math.max(
          1,
          sum((x) => x.generated),
        ),
    };
  });
  return { target, results };
}

const gflop = (f: number | null): string => (f === null ? 'not reached' : `${(f / 1e9).toFixed(1)}`);

export function markdownTable(table: { target: number; results: MethodResult[] }, note: string): string {
  const head =
    '| method | start | final accuracy (mean ± std) | compute to target, GFLOP (seeds reaching it alone) | saving vs baseline | profile GFLOP | rollouts generated / trained | groups with signal per 100 rollouts |\n' +
    '|---|---|---|---|---|---|---|---|\n';
  const rows = table.results
    .map(
      (r) =>
        `| ${r.method} | ${(100 * r.initialAccuracy).toFixed(1)} % | ${(100 * r.finalAccuracy.mean).toFixed(1)} ± ${(100 * r.finalAccuracy.std).toFixed(1)} % | ` +
        `${gflop(r.meanComputeToTarget)} (${r.reached}/${r.seeds.length}) | ` +
        `${r.savingVsBaseline === null ? '–' : `${r.savingVsBaseline.toFixed(2)}×`} | ${(r.profileFlops / 1e9).toFixed(1)} | ` +
        `${Math.round(r.rolloutsGenerated)} / ${Math.round(r.rolloutsTrained)} | ${(100 * r.groupsWithSignalPerRollout).toFixed(1)} |`,
    )
    .join('\n');
  return `Target: the baseline's final mean held-out accuracy, ${(100 * table.target).toFixed(1)} %. ${note}\n\n${head}${rows}\n`;
}
