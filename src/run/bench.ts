/**
 * The benchmark runner: every method of a preset, several seeds each, from the same base policy,
 * with the same model, hyperparameters, held-out prompts and training-side FLOP budget (profiling
 * included), or on a method's own schedule. Runs go seed by seed (every method's seed 1, then seed
 * 2, …) so that a benchmark cut short still compares all methods on the seeds it finished; results
 * are rewritten after each seed. Finished runs are reused, a killed run resumes from its last
 * checkpoint, and a run directory made with another config is refused rather than mixed in.
 */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { KernelTrapError } from '../engine/index.js';
import { ensureBase, PretrainConfigSchema } from '../policy/pretrain.js';
import { benchMethod, SCHEDULE_CAP, type BenchMethod } from './bench/methods.js';
import type { BenchAxis } from './bench/axis.js';
import type { BenchPreset } from './bench/presets.js';
import { ensureBenchProfile, profileSummary, type ProfileSummary } from './bench/profiles.js';
import { readRunDetail, type RunDetail } from './bench/records.js';
import { buildResults, type BenchResult } from './bench/results.js';
import { applyOverrides, parseConfig, TrainConfigSchema, type TrainConfig } from './config.js';
import { readJson, writeJsonAtomic } from './rundir.js';
import { runTraining, type PolicyFactory, type RunCallbacks, type RunSummary } from './run.js';

export { BENCH_METHODS, benchMethod, type BenchMethod } from './bench/methods.js';
export { BENCH_PRESETS, benchPreset, type BenchPreset } from './bench/presets.js';
export type { BenchResult } from './bench/results.js';

export interface BenchCallbacks extends RunCallbacks {
  onRun?: (method: string, seed: number, index: number, total: number, reused: boolean) => void;
}

export interface BenchArgs {
  preset: BenchPreset;
  outDir: string;
  /** Methods to run (default: the preset's); the baselines they are compared with are added. */
  methods?: string[];
  extraSets?: string[];
  machine: string;
  /** Base-policy cache (default: $FLOPWISE_CACHE or .cache/flopwise). */
  cacheDir?: string;
  /** Only read the finished runs and write the results (nothing is trained). */
  reportOnly?: boolean;
  /** Methods every other is also read against, besides its own baseline (e.g. grpo-g16). */
  against?: string[];
  /** What the tables count compute in: training-side FLOPs (default) or rollouts generated. */
  axis?: BenchAxis;
  callbacks?: BenchCallbacks;
  /** Opens each run's policy (cli/ composes the embedded engine). */
  policies: PolicyFactory;
}

/** Where results go: results.json / .md, or results-rollouts.* when read against rollouts (so neither clobbers the other). */
export function resultFiles(outDir: string, axis: BenchAxis = 'flops'): [string, string] {
  const stem = axis === 'flops' ? 'results' : `results-${axis}`;
  return [join(outDir, `${stem}.json`), join(outDir, `${stem}.md`)];
}

/** The methods to run: the requested ones plus every baseline they are compared with, baselines first. */
export function methodsToRun(preset: BenchPreset, requested?: string[]): BenchMethod[] {
  const names = requested ?? preset.methods;
  const baselineOf = (name: string) => benchMethod(name).baseline ?? preset.baseline;
  const baselines = [...new Set(names.map(baselineOf))];
  const ordered = [...baselines, ...names.filter((n) => !baselines.includes(n))];
  return ordered.map(benchMethod);
}

/** The base policy a preset starts from (its warm start, trained once and cached). */
export async function benchBase(args: BenchArgs, threads: number): Promise<string> {
  const cfg = parseConfig(
    PretrainConfigSchema,
    { ...(args.preset.pretrain ?? {}), threads },
    `preset ${args.preset.name}: pretrain`,
  );
  args.callbacks?.onPhase?.('base policy: supervised warm start (cached after the first run)');
  return (await ensureBase(cfg, { cacheDir: args.cacheDir, onProgress: args.callbacks?.onPretrain })).dir;
}

/** One run's config: the preset's shared settings, the caller's, the method's, then seed, base and profile. */
export function runConfig(
  args: BenchArgs,
  m: BenchMethod,
  seed: number,
  extra: { base?: string; profile?: string } = {},
): TrainConfig {
  const sets = [...args.preset.sets, ...(args.extraSets ?? []), ...m.sets, `seed=${seed}`];
  if (extra.base) sets.push(`base=${JSON.stringify(extra.base)}`);
  if (extra.profile && m.profile === 'sgpo') sets.push(`allocator.profile=${JSON.stringify(extra.profile)}`);
  if (extra.profile && m.profile === 'vip-prior')
    sets.push(`allocator.prior.profile=${JSON.stringify(extra.profile)}`);
  const config = parseConfig(TrainConfigSchema, applyOverrides({}, sets), `bench ${m.name}`);
  if (m.protocol === 'schedule') config.flopBudget *= SCHEDULE_CAP;
  return config;
}

/** Refuses to continue a run directory that was started with another config. */
function checkSameConfig(runDir: string, wanted: TrainConfig): void {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) return;
  const saved = readJson<Record<string, unknown>>(path);
  const normalised = JSON.parse(JSON.stringify(wanted)) as Record<string, unknown>;
  const differing = Object.keys({ ...saved, ...normalised }).filter(
    (k) => !isDeepStrictEqual(saved[k], normalised[k]),
  );
  if (differing.length > 0) {
    throw new Error(
      `bench: ${runDir} was started with another config (fields: ${differing.join(', ')}); ` +
        'use another --out directory, or delete that run to redo it',
    );
  }
}

/** A finished run's summary, training (or resuming) it first when needed. */
async function ensureRun(
  args: BenchArgs,
  config: TrainConfig,
  runDir: string,
): Promise<{ summary: RunSummary | null; reused: boolean }> {
  const summaryPath = join(runDir, 'summary.json');
  checkSameConfig(runDir, config);
  if (existsSync(summaryPath)) return { summary: readJson<RunSummary>(summaryPath), reused: true };
  if (args.reportOnly) return { summary: null, reused: false };
  for (let attempt = 1; ; attempt++) {
    try {
      const summary = await runTraining(
        { config, runDir, resume: true, policies: args.policies },
        args.callbacks,
      );
      return { summary, reused: false };
    } catch (err) {
      if (!(err instanceof KernelTrapError) || attempt > ENGINE_TRAP_RETRIES) throw err;
      // A trap that a rerun of the same steps does not repeat (seen once in hundreds of runs; most
      // probably the thread-pool race fixed in engine/pool.ts) should not end an hours-long
      // benchmark: resuming replays the same numbers (checkpoints are exact), and the event is
      // written down, never hidden.
      const event = { time: new Date().toISOString(), runDir, attempt, error: (err as Error).message };
      appendFileSync(join(args.outDir, 'events.jsonl'), JSON.stringify(event) + '\n');
      args.callbacks?.onPhase?.(
        `${runDir}: ${(err as Error).message}; resuming from its last checkpoint (see events.jsonl)`,
      );
    }
  }
}

/** How often a run whose engine trapped is resumed before the benchmark stops. */
export const ENGINE_TRAP_RETRIES = 2;

export async function runBench(args: BenchArgs): Promise<BenchResult> {
  const { preset, outDir } = args;
  mkdirSync(outDir, { recursive: true });
  const methods = methodsToRun(preset, args.methods);
  const threads = runConfig(args, methods[0], preset.seeds[0]).threads;
  const base = await benchBase(args, threads);
  const details = new Map<string, RunDetail[]>(methods.map((m) => [m.name, []]));
  let profile: ProfileSummary | null = null;
  let result: BenchResult | null = null;
  const total = methods.length * preset.seeds.length;
  let index = 0;
  for (const seed of preset.seeds) {
    let profilePath: string | undefined;
    if (methods.some((m) => m.profile)) {
      const cfg = runConfig(
        args,
        methods.find((m) => m.profile)!,
        seed,
        { base },
      );
      profilePath = await ensureBenchProfile({
        config: cfg,
        base,
        dir: join(outDir, `profile-seed${seed}`),
        seed,
        policies: args.policies,
        callbacks: args.callbacks,
        reportOnly: args.reportOnly,
      });
      if (profilePath && !profile) profile = profileSummary(profilePath);
    }
    let complete = true;
    for (const m of methods) {
      const runDir = join(outDir, 'runs', `${m.name}-seed${seed}`);
      const config = runConfig(args, m, seed, { base, profile: profilePath });
      const reusedBefore = existsSync(join(runDir, 'summary.json'));
      args.callbacks?.onRun?.(m.name, seed, ++index, total, reusedBefore);
      const { summary } = await ensureRun(args, config, runDir);
      if (!summary) {
        complete = false;
        continue;
      }
      details.get(m.name)!.push(readRunDetail(m.name, runDir, summary));
    }
    if (!complete && !args.reportOnly) break;
    result = writeResults(args, methods, details, profile, base);
  }
  return result ?? writeResults(args, methods, details, profile, base);
}

function writeResults(
  args: BenchArgs,
  methods: BenchMethod[],
  details: Map<string, RunDetail[]>,
  profile: ProfileSummary | null,
  base: string,
): BenchResult {
  const shared = runConfig(args, methods[0], args.preset.seeds[0], { base });
  const result = buildResults({ args, methods, details, profile, shared, base });
  const [json, md] = resultFiles(args.outDir, args.axis);
  writeJsonAtomic(json, result);
  writeFileSync(md, result.markdown);
  return result;
}
