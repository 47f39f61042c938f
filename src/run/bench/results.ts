/**
 * results.json: everything a report needs — the preset and its claim, the shared settings, the rule
 * and inputs of every crossing, intervals, per-seed curves with per-level accuracy at each
 * evaluation, FLOP ledgers, rollout counts by phase, per-step allocation summaries and the profile.
 */
import { BOOTSTRAP, benchmarkTable, methodResult, type MethodResult, type MethodRuns } from '../report.js';
import type { TrainConfig } from '../config.js';
import type { BenchArgs } from '../bench.js';
import { axisUnit, onRolloutAxis, profileRolloutsPerFlop, type BenchAxis } from './axis.js';
import { markdownTable } from './markdown.js';
import { SCHEDULE_CAP, type BenchMethod } from './methods.js';
import type { ProfileSummary } from './profiles.js';
import type { RunDetail } from './records.js';

export const CROSSING_RULE =
  'compute to target = the FLOPs where the isotonic (non-decreasing) least-squares fit of the ' +
  'seed-mean held-out curve first reaches the target, interpolated between evaluations; target = ' +
  "the mean of the baseline seeds' final evaluations (a seed that has ended holds its final value in " +
  'the seed-mean curve). Beside it: the confirmed crossing (reach, ' +
  'then the next two evaluations within one seed-mean standard error below) and the first touch.';

export interface BenchResult {
  preset: string;
  regime: string;
  claim: string;
  caveat: string | null;
  machine: string;
  writtenAt: string;
  seeds: { planned: number[]; done: Record<string, number[]> };
  protocol: {
    flopBudget: number;
    scheduleCap: number;
    trainOnZeroAdvantage: boolean;
    eval: { prompts: number; split: string; samplesPerPrompt: number; every: number; headline: string };
    crossingRule: string;
    bootstrap: typeof BOOTSTRAP & { over: string };
    /** What compute to target, savings and totals are counted in (FLOPs unless `bench --axis`). */
    axis?: BenchAxis;
  };
  /** Settings every method shares (the baseline's config, seed aside). */
  shared: Pick<TrainConfig, 'optim' | 'sampling' | 'estimator' | 'allocator' | 'data' | 'eval'>;
  base: { dir: string; pretrain: Record<string, unknown> | null };
  results: MethodResult[];
  /**
   * Every method read again against another reference method (`bench --against`), e.g. GRPO at
   * G = 16 beside the preset's G = 8 baseline: same rule, target and intervals, other target.
   */
  against: Array<{ reference: string; results: MethodResult[] }>;
  runs: Record<string, RunDetail[]>;
  profile: ProfileSummary | null;
  markdown: string;
}

function noteOf(args: BenchArgs, shared: TrainConfig, done: Record<string, number[]>): string {
  const counts = [...new Set(Object.values(done).map((s) => s.length))].sort((a, b) => a - b);
  const seeds =
    counts.length === 0
      ? 'no finished runs yet: 0'
      : counts.length === 1
        ? `${counts[0]}`
        : `${counts[0]}–${counts[counts.length - 1]}`;
  return (
    `Preset ${args.preset.name} (${args.preset.regime}): ${seeds} seeds per method, FLOP budget ` +
    `${(shared.flopBudget / 1e9).toFixed(0)} GFLOP per run (profiling included; methods on their own ` +
    `schedule may run to ${SCHEDULE_CAP}×), held-out eval ${shared.data.evalSize} prompts × ` +
    `${shared.eval.samples} samples every ${shared.eval.every} steps. Machine: ${args.machine}.` +
    (args.preset.caveat ? ` Caveat: ${args.preset.caveat}.` : '')
  );
}

/** The methods read against each `--against` reference (which must have finished runs). */
function againstTables(args: BenchArgs, methodRuns: readonly MethodRuns[]): BenchResult['against'] {
  return (args.against ?? []).map((reference) => {
    const ref = methodRuns.find((m) => m.method === reference);
    if (!ref)
      throw new Error(
        `bench --against ${reference}: no finished runs of ${reference} in this directory ` +
          `(methods with runs: ${methodRuns.map((m) => m.method).join(', ') || 'none'})`,
      );
    const others = methodRuns.filter((m) => m.method !== reference);
    return {
      reference,
      results: [ref, ...others].map((m) =>
        methodResult({ ...m, baseline: reference }, ref, `${args.preset.name}:against:${reference}`),
      ),
    };
  });
}

/** How every run was measured: budget, evaluation, crossing rule, bootstrap. */
function protocolOf(shared: TrainConfig): BenchResult['protocol'] {
  return {
    flopBudget: shared.flopBudget,
    scheduleCap: SCHEDULE_CAP,
    trainOnZeroAdvantage: shared.trainOnZeroAdvantage,
    eval: {
      prompts: shared.data.evalSize,
      split: shared.data.evalSplit,
      samplesPerPrompt: shared.eval.samples,
      every: shared.eval.every,
      headline: shared.eval.headline,
    },
    crossingRule: CROSSING_RULE,
    bootstrap: { ...BOOTSTRAP, over: 'seeds, each method redrawn separately' },
  };
}

export function buildResults(input: {
  args: BenchArgs;
  methods: BenchMethod[];
  details: Map<string, RunDetail[]>;
  profile: ProfileSummary | null;
  shared: TrainConfig;
  base: string;
}): BenchResult {
  const { args, methods, details, shared } = input;
  const withRuns = methods.filter((m) => (details.get(m.name) ?? []).length > 0);
  const baselineOf = (m: BenchMethod) => m.baseline ?? args.preset.baseline;
  const comparable = withRuns.filter((m) => withRuns.some((b) => b.name === baselineOf(m)));
  const unit = axisUnit(args.axis ?? 'flops');
  const perProfileFlop = profileRolloutsPerFlop(input.profile, [...details.values()].flat());
  const onAxis = (r: RunDetail) => (unit.axis === 'flops' ? r : onRolloutAxis(r, perProfileFlop));
  const methodRuns: MethodRuns[] = comparable.map((m) => ({
    method: m.name,
    description: m.description,
    baseline: baselineOf(m),
    protocol: m.protocol ?? 'budget',
    runs: details.get(m.name)!.map(onAxis),
  }));
  const results = benchmarkTable(methodRuns, args.preset.name);
  const against = againstTables(args, methodRuns);
  const done = Object.fromEntries(withRuns.map((m) => [m.name, details.get(m.name)!.map((r) => r.seed)]));
  return {
    preset: args.preset.name,
    regime: args.preset.regime,
    claim: args.preset.claim,
    caveat: args.preset.caveat ?? null,
    machine: args.machine,
    writtenAt: new Date().toISOString(),
    seeds: { planned: args.preset.seeds, done },
    protocol: { ...protocolOf(shared), axis: unit.axis },
    shared: {
      optim: shared.optim,
      sampling: shared.sampling,
      estimator: shared.estimator,
      allocator: shared.allocator,
      data: shared.data,
      eval: shared.eval,
    },
    base: { dir: input.base, pretrain: args.preset.pretrain ?? null },
    results,
    runs: Object.fromEntries(withRuns.map((m) => [m.name, details.get(m.name)!])),
    profile: input.profile,
    against,
    markdown:
      markdownTable(results, noteOf(args, shared, done), unit) +
      against
        .map(
          (a) =>
            `\n#### Against ${a.reference}\n\n${markdownTable(a.results, `Every method read against ${a.reference} instead of its own baseline.`, unit)}`,
        )
        .join(''),
  };
}
