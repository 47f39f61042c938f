/**
 * Benchmark arithmetic: from each method's runs (one per seed) to the numbers a claim needs.
 *
 * - Target: the baseline's final accuracy, read off its seed-mean curve (the mean over seeds at
 *   matched FLOPs, so every seed still counts at the last point).
 * - Compute to target (headline): where the isotonic (non-decreasing) fit of the method's seed-mean
 *   curve first reaches the target, interpolated between evaluations (algo/stats.ts). A lucky
 *   evaluation is pooled with the lower ones after it, so it cannot decide a crossing on its own.
 *   The confirmed crossing (reach, then the next two evaluations within one seed-mean standard error
 *   below) and the old first touch are kept beside it for comparison.
 * - Saving: baseline's compute to target ÷ the method's, with a 95 % percentile bootstrap interval
 *   over seeds (each method's seeds redrawn with replacement, the target recomputed on every draw;
 *   a draw in which the method never reaches the target counts as saving 0).
 * - Final accuracy: mean over seeds with its bootstrap interval, and the difference to the baseline
 *   with its interval. A difference is resolved when its interval excludes 0 (saving: excludes 1)
 *   and both methods have at least MIN_SEEDS_TO_RESOLVE seeds: with fewer, a bootstrap over seeds
 *   has too few distinct draws to mean anything, so nothing is called resolved.
 */
import {
  bootstrapInterval,
  confirmedCrossing,
  consecutiveSpread,
  firstTouch,
  isotonicCrossing,
  mean,
  meanCurve,
  meanStd,
  type CurvePoint,
  type Interval,
} from '../algo/stats.js';

export { meanCurve, meanStd, type CurvePoint };

/** One run, as the arithmetic needs it (bench/records.ts reads it from a run directory). */
export interface RunRecord {
  seed: number;
  /** Headline held-out accuracy against charged FLOPs, one point per evaluation. */
  curve: CurvePoint[];
  /** Per evaluation: the standard error it reports (null when unknown). */
  standardErrors: Array<number | null>;
  chargedFlops: number;
  profileFlops: number;
  stoppedBy: string;
  rollouts: { generated: number; trained: number; discarded: number; groupsWithSignal: number };
}

export interface MethodRuns {
  method: string;
  description: string;
  /** The method this one is compared with (itself for the baseline). */
  baseline: string;
  protocol: 'budget' | 'schedule';
  runs: RunRecord[];
}

export interface Crossings {
  /** Headline: the isotonic fit of the seed-mean curve. */
  isotonic: number | null;
  /** Reach, then two evaluations within one seed-mean standard error below. */
  confirmed: number | null;
  /** The first evaluation at or above the target (noise-sensitive; for comparison only). */
  firstTouch: number | null;
  /** Per seed, isotonic fit of that seed's own curve. */
  perSeed: Array<number | null>;
  /** The band the confirmed rule used. */
  band: number;
}

export interface MethodResult {
  method: string;
  description: string;
  baseline: string;
  protocol: 'budget' | 'schedule';
  seeds: number[];
  target: number;
  initialAccuracy: number;
  finalAccuracy: { mean: number; std: number; ci: Interval };
  /** Final accuracy minus the baseline's, with its interval; null for the baseline itself. */
  finalDelta: { mean: number; ci: Interval; resolved: boolean } | null;
  computeToTarget: Crossings;
  /** Seeds whose own curve reached the target. */
  reached: number;
  saving: { value: number | null; ci: Interval | null; resolved: 'saves' | 'costs' | 'no' | null };
  meanChargedFlops: number;
  profileFlops: number;
  rolloutsGenerated: number;
  rolloutsTrained: number;
  rolloutsDiscarded: number;
  groupsWithSignalPerRollout: number;
  /** Spread of successive evaluations within a run (second differences), mean over seeds. */
  consecutiveSpread: number | null;
  /** One evaluation's mean reported standard error. */
  evalStandardError: number | null;
  meanCurve: CurvePoint[];
}

export const BOOTSTRAP = { resamples: 2000, level: 0.95 };

/** Seeds each side needs before an interval can resolve a difference. */
export const MIN_SEEDS_TO_RESOLVE = 3;

const enoughSeeds = (a: MethodRuns, b: MethodRuns): boolean =>
  Math.min(a.runs.length, b.runs.length) >= MIN_SEEDS_TO_RESOLVE;

/** The baseline's level: the last point of its seed-mean curve. */
export function targetOf(baseRuns: readonly RunRecord[]): number {
  const c = meanCurve(baseRuns.map((r) => r.curve));
  return c[c.length - 1].accuracy;
}

/** Standard error of a seed-mean evaluation: sqrt(Σ SE_s²) / S from each run's mean reported SE. */
export function seedMeanStandardError(runs: readonly RunRecord[]): number | null {
  const per = runs.map((r) => {
    const se = r.standardErrors.filter((x): x is number => x !== null && Number.isFinite(x));
    return se.length ? mean(se) : null;
  });
  if (per.some((x) => x === null)) return null;
  return Math.sqrt((per as number[]).reduce((s, x) => s + x ** 2, 0)) / runs.length;
}

export function crossingsOf(runs: readonly RunRecord[], target: number): Crossings {
  const curve = meanCurve(runs.map((r) => r.curve));
  const band = seedMeanStandardError(runs) ?? 0;
  return {
    isotonic: isotonicCrossing(curve, target),
    confirmed: confirmedCrossing(curve, target, band),
    firstTouch: firstTouch(curve, target),
    perSeed: runs.map((r) => isotonicCrossing(r.curve, target)),
    band,
  };
}

/** Baseline ÷ method compute to target on one draw of both methods' seeds. */
function savingOn(base: readonly RunRecord[], method: readonly RunRecord[]): number | null {
  const target = targetOf(base);
  const b = isotonicCrossing(meanCurve(base.map((r) => r.curve)), target);
  const m = isotonicCrossing(meanCurve(method.map((r) => r.curve)), target);
  if (b === null || m === null) return null;
  // Reached at the very start: equal when both are, else unboundedly better (kept finite for JSON).
  if (m === 0) return b === 0 ? 1 : Number.MAX_VALUE;
  return b / m;
}

function savingOf(base: MethodRuns, m: MethodRuns, seed: string): MethodResult['saving'] {
  const value = savingOn(base.runs, m.runs);
  if (m.method === base.method) return { value, ci: null, resolved: null };
  const ci = bootstrapInterval([base.runs, m.runs], ([b, x]) => savingOn(b, x), {
    ...BOOTSTRAP,
    seed: `saving:${seed}:${m.method}`,
    whenUndefined: 0,
  });
  const resolved = !enoughSeeds(base, m) ? 'no' : ci.lo > 1 ? 'saves' : ci.hi < 1 ? 'costs' : 'no';
  return { value, ci, resolved };
}

function finalOf(r: RunRecord): number {
  return r.curve[r.curve.length - 1].accuracy;
}

function finalDeltaOf(base: MethodRuns, m: MethodRuns, seed: string): MethodResult['finalDelta'] {
  if (m.method === base.method) return null;
  const diff = (b: RunRecord[], x: RunRecord[]) => mean(x.map(finalOf)) - mean(b.map(finalOf));
  const ci = bootstrapInterval([base.runs, m.runs], ([b, x]) => diff(b, x), {
    ...BOOTSTRAP,
    seed: `delta:${seed}:${m.method}`,
  });
  const resolved = enoughSeeds(base, m) && (ci.lo > 0 || ci.hi < 0);
  return { mean: diff([...base.runs], [...m.runs]), ci, resolved };
}

function sumRollouts(m: MethodRuns, key: keyof RunRecord['rollouts']): number {
  return m.runs.reduce((s, r) => s + r.rollouts[key], 0);
}

export function methodResult(m: MethodRuns, base: MethodRuns, seed = 'bench'): MethodResult {
  const target = targetOf(base.runs);
  const finals = m.runs.map(finalOf);
  const crossings = crossingsOf(m.runs, target);
  const spreads = m.runs.map((r) => consecutiveSpread(r.curve.map((p) => p.accuracy)));
  const ses = m.runs.flatMap((r) => r.standardErrors.filter((x): x is number => x !== null));
  return {
    method: m.method,
    description: m.description,
    baseline: base.method,
    protocol: m.protocol,
    seeds: m.runs.map((r) => r.seed),
    target,
    initialAccuracy: mean(m.runs.map((r) => r.curve[0].accuracy)),
    finalAccuracy: {
      ...meanStd(finals),
      ci: bootstrapInterval([finals], ([x]) => mean(x), { ...BOOTSTRAP, seed: `final:${seed}:${m.method}` }),
    },
    finalDelta: finalDeltaOf(base, m, seed),
    computeToTarget: crossings,
    reached: crossings.perSeed.filter((x) => x !== null).length,
    saving: savingOf(base, m, seed),
    meanChargedFlops: mean(m.runs.map((r) => r.chargedFlops)),
    profileFlops: mean(m.runs.map((r) => r.profileFlops)),
    rolloutsGenerated: sumRollouts(m, 'generated') / m.runs.length,
    rolloutsTrained: sumRollouts(m, 'trained') / m.runs.length,
    rolloutsDiscarded: sumRollouts(m, 'discarded') / m.runs.length,
    groupsWithSignalPerRollout: sumRollouts(m, 'groupsWithSignal') / Math.max(1, sumRollouts(m, 'generated')),
    consecutiveSpread: spreads.every((s) => s !== null) ? mean(spreads as number[]) : null,
    evalStandardError: ses.length ? mean(ses) : null,
    meanCurve: meanCurve(m.runs.map((r) => r.curve)),
  };
}

/** Every method against its baseline (its own `baseline`, which must be among the methods). */
export function benchmarkTable(methods: MethodRuns[], seed = 'bench'): MethodResult[] {
  const byName = new Map(methods.map((m) => [m.method, m]));
  return methods.map((m) => {
    const base = byName.get(m.baseline);
    if (!base) throw new Error(`bench: ${m.method} is compared with ${m.baseline}, which has no runs`);
    return methodResult(m, base, seed);
  });
}
