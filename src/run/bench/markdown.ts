/** The benchmark's tables as Markdown: one row per method, with intervals and what is resolved. */
import type { Interval } from '../../algo/stats.js';
import { MIN_SEEDS_TO_RESOLVE, type MethodResult } from '../report.js';
import { axisUnit, type AxisUnit } from './axis.js';

const pct = (x: number): string => `${(100 * x).toFixed(1)}`;
const FLOPS: AxisUnit = axisUnit('flops');
const amount = (f: number | null, unit: AxisUnit): string =>
  f === null ? 'not reached' : (f / unit.scale).toFixed(0);
const ciPct = (ci: Interval): string => `[${pct(ci.lo)}, ${pct(ci.hi)}]`;
const signedPct = (x: number): string => `${x >= 0 ? '+' : '−'}${pct(Math.abs(x))}`;

/** A ratio; one reached at the very start (no compute) is shown as ∞. */
const ratio = (x: number): string => (x > 1e6 ? '∞' : x.toFixed(2));

function savingCell(r: MethodResult): string {
  if (r.method === r.baseline) return '1 (baseline)';
  const v = r.saving.value === null ? 'not reached' : `${ratio(r.saving.value)}×`;
  if (!r.saving.ci) return v;
  return `${v} [${ratio(r.saving.ci.lo)}, ${ratio(r.saving.ci.hi)}]`;
}

function deltaCell(r: MethodResult): string {
  if (!r.finalDelta) return '–';
  const d = r.finalDelta;
  return `${signedPct(d.mean)} [${signedPct(d.ci.lo)}, ${signedPct(d.ci.hi)}]${d.resolved ? ' ✓' : ''}`;
}

export function methodRow(r: MethodResult, unit: AxisUnit = FLOPS): string {
  const c = r.computeToTarget;
  const cells = [
    r.method,
    r.baseline === r.method ? '–' : r.baseline,
    `${pct(r.initialAccuracy)} %`,
    `${pct(r.finalAccuracy.mean)} ${ciPct(r.finalAccuracy.ci)}`,
    deltaCell(r),
    `${amount(c.isotonic, unit)} (${r.reached}/${r.seeds.length})`,
    savingCell(r),
    `${amount(r.meanChargedFlops, unit)}${r.protocol === 'schedule' ? ' (own schedule)' : ''}`,
    amount(r.profileFlops, unit),
    `${Math.round(r.rolloutsGenerated)} / ${Math.round(r.rolloutsTrained)} / ${Math.round(r.rolloutsDiscarded)}`,
    (100 * r.groupsWithSignalPerRollout).toFixed(1),
  ];
  return `| ${cells.join(' | ')} |`;
}

function head(unit: AxisUnit): string {
  const u = unit.label;
  return (
    `| method | vs | start | final accuracy, % [95 % CI] | Δ final vs baseline, points [95 % CI] | compute to target, ${u} (seeds reaching it alone) | saving [95 % CI] | total ${u} | profile ${u} | rollouts generated / trained / thrown away | groups with signal per 100 rollouts |\n` +
    '|---|---|---|---|---|---|---|---|---|---|---|\n'
  );
}

/** What the intervals resolve, in words: one line per method that differs from its baseline. */
export function resolvedLines(results: readonly MethodResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    if (r.method === r.baseline) continue;
    const seeds = Math.min(r.seeds.length, results.find((b) => b.method === r.baseline)?.seeds.length ?? 0);
    if (seeds < MIN_SEEDS_TO_RESOLVE) {
      lines.push(`- ${r.method} vs ${r.baseline}: too few seeds (${seeds}) to resolve anything`);
      continue;
    }
    const parts: string[] = [];
    if (r.saving.resolved === 'saves') parts.push(`saves compute (${ratio(r.saving.value!)}×, resolved)`);
    else if (r.saving.resolved === 'costs') parts.push('needs more compute to reach the target (resolved)');
    else parts.push('compute to target: not resolved');
    if (r.finalDelta?.resolved)
      parts.push(`final accuracy ${signedPct(r.finalDelta.mean)} points (resolved)`);
    else parts.push('final accuracy: not resolved');
    lines.push(`- ${r.method} vs ${r.baseline}: ${parts.join('; ')}`);
  }
  return lines;
}

export function markdownTable(
  results: readonly MethodResult[],
  note: string,
  unit: AxisUnit = FLOPS,
): string {
  const targets = [...new Map(results.map((r) => [r.baseline, r.target])).entries()]
    .map(([b, t]) => `${b} ${pct(t)} %`)
    .join(', ');
  if (results.length === 0) return `No finished runs to compare yet. ${note}\n`;
  return (
    `Target: each baseline's final seed-mean held-out accuracy (${targets}). ${note}\n\n` +
    (unit.axis === 'flops'
      ? ''
      : `Compute is counted in ${unit.label} generated (profiling included), not FLOPs.\n\n`) +
    head(unit) +
    results.map((r) => methodRow(r, unit)).join('\n') +
    '\n\n' +
    resolvedLines(results).join('\n') +
    '\n'
  );
}
