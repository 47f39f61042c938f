/**
 * What a benchmark keeps of one finished run, read from its directory: the evaluation curve with
 * each evaluation's standard error and per-level accuracy, the FLOP ledger, rollout counts overall
 * and by phase (where the method has phases), and a per-step allocation summary in columns.
 */
import type { EvalResult } from '../evaluator.js';
import { headlineAccuracy } from '../evaluator.js';
import type { LedgerState } from '../ledger.js';
import type { RunRecord } from '../report.js';
import type { RunSummary } from '../run.js';
import { RunDir } from '../rundir.js';

export interface RolloutCounts {
  steps: number;
  generated: number;
  trained: number;
  discarded: number;
  zeroAdvantage: number;
  groups: number;
  groupsWithSignal: number;
}

export interface EvalRecord {
  step: number;
  chargedFlops: number;
  accuracy: number;
  greedyAccuracy: number;
  standardError: number | null;
  byLevel: Record<string, { prompts: number; accuracy: number }> | null;
}

/** Per-step columns (one entry per training step). */
export interface StepColumns {
  step: number[];
  phase: Array<number | string | null>;
  chargedFlops: number[];
  reward: number[];
  groups: number[];
  generated: number[];
  trained: number[];
  discarded: number[];
  groupsWithSignal: number[];
}

export interface RunDetail extends RunRecord {
  method: string;
  runDir: string;
  steps: number;
  ledger: LedgerState;
  evals: EvalRecord[];
  byPhase: Record<string, RolloutCounts>;
  perStep: StepColumns;
}

type Row = Record<string, unknown>;

const num = (r: Row, k: string): number => (typeof r[k] === 'number' ? (r[k] as number) : 0);

function emptyCounts(): RolloutCounts {
  return {
    steps: 0,
    generated: 0,
    trained: 0,
    discarded: 0,
    zeroAdvantage: 0,
    groups: 0,
    groupsWithSignal: 0,
  };
}

function addRow(c: RolloutCounts, r: Row): void {
  c.steps++;
  c.generated += num(r, 'rolloutsGenerated');
  c.trained += num(r, 'rolloutsTrained');
  c.discarded += num(r, 'rolloutsDiscarded');
  c.zeroAdvantage += num(r, 'rolloutsZeroAdvantage');
  c.groups += num(r, 'groups');
  c.groupsWithSignal += num(r, 'groupsWithSignal');
}

function phaseOf(r: Row): number | string | null {
  const info = r.info as Record<string, unknown> | undefined;
  const p = info?.phase;
  return typeof p === 'number' || typeof p === 'string' ? p : null;
}

/** Rollout counts by phase ('all' always; one entry per phase the strategy reported). */
export function countsByPhase(stepRows: readonly Row[]): Record<string, RolloutCounts> {
  const out: Record<string, RolloutCounts> = { all: emptyCounts() };
  for (const r of stepRows) {
    addRow(out.all, r);
    const p = phaseOf(r);
    if (p === null) continue;
    const key = `phase ${String(p)}`;
    out[key] ??= emptyCounts();
    addRow(out[key], r);
  }
  return out;
}

export function stepColumns(stepRows: readonly Row[]): StepColumns {
  return {
    step: stepRows.map((r) => num(r, 'step')),
    phase: stepRows.map(phaseOf),
    chargedFlops: stepRows.map((r) => num(r, 'chargedFlops')),
    reward: stepRows.map((r) => num(r, 'reward')),
    groups: stepRows.map((r) => num(r, 'groups')),
    generated: stepRows.map((r) => num(r, 'rolloutsGenerated')),
    trained: stepRows.map((r) => num(r, 'rolloutsTrained')),
    discarded: stepRows.map((r) => num(r, 'rolloutsDiscarded')),
    groupsWithSignal: stepRows.map((r) => num(r, 'groupsWithSignal')),
  };
}

/** Evaluation rows in step order; a step evaluated twice (never, normally) keeps its last row. */
export function evalRecords(rows: readonly Row[], headline: 'sampled' | 'greedy'): EvalRecord[] {
  const byStep = new Map<number, EvalRecord>();
  for (const r of rows) {
    const e = r.eval as EvalResult | undefined;
    if (!e) continue;
    byStep.set(num(r, 'step'), {
      step: num(r, 'step'),
      chargedFlops: num(r, 'chargedFlops'),
      accuracy: headlineAccuracy(e, headline),
      greedyAccuracy: e.greedyAccuracy,
      standardError: headline === 'sampled' ? (e.sampledStandardError ?? null) : null,
      byLevel: e.byLevel ?? null,
    });
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

export function readRunDetail(method: string, runDir: string, summary: RunSummary): RunDetail {
  const rows = new RunDir(runDir).readMetrics();
  // Step rows carry rolloutsGenerated; evaluation-only rows (step 0, a final eval) do not.
  const stepRows = rows.filter((r) => r.rolloutsGenerated !== undefined);
  const evals = evalRecords(rows, summary.headline);
  const byPhase = countsByPhase(stepRows);
  return {
    method,
    runDir,
    seed: summary.seed,
    steps: summary.steps,
    stoppedBy: summary.stoppedBy,
    curve: evals.map((e) => ({ chargedFlops: e.chargedFlops, accuracy: e.accuracy })),
    standardErrors: evals.map((e) => e.standardError),
    chargedFlops: summary.chargedFlops,
    profileFlops: summary.ledger.profile.flops,
    ledger: summary.ledger,
    rollouts: {
      generated: byPhase.all.generated,
      trained: byPhase.all.trained,
      discarded: byPhase.all.discarded,
      groupsWithSignal: byPhase.all.groupsWithSignal,
    },
    evals,
    byPhase,
    perStep: stepColumns(stepRows),
  };
}
