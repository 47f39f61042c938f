/**
 * The benchmark: every allocation method, several seeds each, from the same base policy, with the
 * same model, learning rate, eval prompts and the same training-side FLOP budget (profiling
 * included). It reports final held-out accuracy and compute to target (the FLOPs until held-out
 * accuracy first reaches the baseline's final mean) against the baseline.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbeddedPolicy } from '../policy/embedded.js';
import { applyOverrides, parseConfig, TrainConfigSchema, type TrainConfig } from './config.js';
import { Ledger } from './ledger.js';
import { PROFILE_FILES, readProfileEntries, runProfile, writeProfileWithPlan } from './profile.js';
import { sgpoPlan } from '../algo/index.js';
import { benchmarkTable, markdownTable, type MethodRuns } from './report.js';
import { readJson, RunDir, writeJsonAtomic } from './rundir.js';
import { resolveBase, runTraining, type RunCallbacks, type RunSummary } from './run.js';
import { loadDatasets, scorerFor } from './setup.js';

export interface BenchMethod {
  name: string;
  description: string;
  /** `key.path=value` overrides on top of the preset's shared config. */
  sets: string[];
  /** Needs the sGPO profile of the training prompts (its FLOPs are charged to each run). */
  profile?: 'sgpo' | 'vip-prior';
}

export const BENCH_METHODS: BenchMethod[] = [
  { name: 'grpo', description: 'uniform GRPO, G = 8 (baseline)', sets: ['allocator.type=uniform'] },
  {
    name: 'dapo',
    description: 'DAPO dynamic sampling: oversample, keep groups with signal',
    sets: ['allocator.type=dynamic'],
  },
  {
    name: 'sgpo',
    description: 'sGPO: profile, filter, G ≈ 1/p̂, easy → hard',
    sets: ['allocator.type=sgpo'],
    profile: 'sgpo',
  },
  {
    name: 'vip',
    description: 'VIP: GP predictor + exact variance-optimal split',
    sets: ['allocator.type=vip'],
  },
  {
    name: 'sgpo+sqrt-r',
    description: 'sGPO with Sqrt-R asymmetric prompt weights',
    sets: ['allocator.type=sgpo', 'weighting.type=sqrt-r'],
    profile: 'sgpo',
  },
  {
    name: 'vip+profile',
    description: 'combination: VIP with the sGPO profile as its prior',
    sets: ['allocator.type=vip', 'allocator.prior.type=profile'],
    profile: 'vip-prior',
  },
  {
    name: 'sgpo-online+sqrt-r',
    description: 'combination: sGPO with p̂ re-estimated online, Sqrt-R weights',
    sets: ['allocator.type=sgpo', 'allocator.online=true', 'weighting.type=sqrt-r'],
    profile: 'sgpo',
  },
];

export interface BenchPreset {
  name: string;
  seeds: number[];
  /** Shared config for every method (as `key.path=value`). */
  sets: string[];
}

export const BENCH_PRESETS: Record<string, BenchPreset> = {
  quick: {
    name: 'quick',
    seeds: [1, 2, 3],
    sets: [
      'flopBudget=6e11',
      'steps=10000',
      'allocator.promptsPerStep=64',
      'allocator.rolloutsPerStep=512',
      'eval.every=10',
      'checkpointEvery=100000',
    ],
  },
  full: {
    name: 'full',
    seeds: [1, 2, 3],
    sets: [
      'flopBudget=3e12',
      'steps=100000',
      'allocator.promptsPerStep=64',
      'allocator.rolloutsPerStep=512',
      'eval.every=25',
      'checkpointEvery=100',
    ],
  },
};

export interface BenchResult {
  preset: string;
  machine: string;
  trainOnZeroAdvantage: boolean;
  flopBudget: number;
  target: number;
  table: ReturnType<typeof benchmarkTable>['results'];
  best: string | null;
  markdown: string;
  runs: Record<string, RunSummary[]>;
  profile: { histogram: number[]; k: number; prompts: number; classes: Record<string, number> } | null;
}

function countsOf(runDir: string): MethodRuns['counts'][number] {
  // Step rows carry rolloutsGenerated; evaluation-only rows (step 0, a final eval) do not.
  const rows = new RunDir(runDir).readMetrics().filter((r) => r.rolloutsGenerated !== undefined);
  const sum = (k: string) => rows.reduce((s, r) => s + (typeof r[k] === 'number' ? (r[k] as number) : 0), 0);
  return {
    generated: sum('rolloutsGenerated'),
    trained: sum('rolloutsTrained'),
    groupsWithSignal: sum('groupsWithSignal'),
  };
}

export async function runBench(args: {
  preset: BenchPreset;
  outDir: string;
  methods?: string[];
  extraSets?: string[];
  machine: string;
  callbacks?: RunCallbacks & { onRun?: (method: string, seed: number, index: number, total: number) => void };
}): Promise<BenchResult> {
  const { preset, outDir } = args;
  mkdirSync(outDir, { recursive: true });
  const methods = BENCH_METHODS.filter((m) => !args.methods || args.methods.includes(m.name));
  if (!methods.some((m) => m.name === 'grpo'))
    throw new Error('bench: the baseline method grpo must be included');
  const configFor = (m: BenchMethod, seed: number, profilePath?: string): TrainConfig => {
    const sets = [...preset.sets, ...(args.extraSets ?? []), ...m.sets, `seed=${seed}`];
    if (profilePath && m.profile === 'sgpo') sets.push(`allocator.profile=${JSON.stringify(profilePath)}`);
    if (profilePath && m.profile === 'vip-prior')
      sets.push(`allocator.prior.profile=${JSON.stringify(profilePath)}`);
    return parseConfig(TrainConfigSchema, applyOverrides({}, sets), `bench ${m.name}`);
  };

  // One profile per seed under the shared base policy; each run that uses it is charged its FLOPs.
  const profiles = new Map<number, string>();
  let profileInfo: BenchResult['profile'] = null;
  if (methods.some((m) => m.profile)) {
    for (const seed of preset.seeds) {
      const cfg = configFor(
        methods.find((m) => m.profile)!,
        seed,
      );
      const dir = join(outDir, `profile-seed${seed}`);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, PROFILE_FILES.jsonl);
      if (!existsSync(path)) {
        args.callbacks?.onPhase?.(`profiling the base policy (seed ${seed})`);
        const base = await resolveBase(cfg, args.callbacks);
        const policy = await loadEmbeddedPolicy(base, { threads: cfg.threads, optimizer: false });
        try {
          const { train } = await loadDatasets(cfg.data);
          const a = cfg.allocator.type === 'sgpo' ? cfg.allocator : undefined;
          const { rows } = await runProfile({
            policy,
            problems: train,
            score: scorerFor(cfg.data),
            dir,
            ledger: new Ledger(),
            options: {
              k: a?.k ?? 8,
              temperature: cfg.sampling.temperature,
              maxNewTokens: cfg.sampling.maxNewTokens,
              seed,
              chunkSize: 64,
            },
            onProgress: args.callbacks?.onProfile,
          });
          writeProfileWithPlan(dir, rows, { seed });
        } finally {
          await policy.close();
        }
      }
      profiles.set(seed, path);
    }
    // The p̂ histogram of the first seed's profile explains the savings (or their absence).
    const entries = readProfileEntries(profiles.get(preset.seeds[0])!);
    const k = entries[0]?.k ?? 8;
    const histogram = new Array<number>(k + 1).fill(0);
    for (const e of entries) histogram[Math.round((e.successes / e.k) * k)]++;
    profileInfo = { histogram, k, prompts: entries.length, classes: { ...sgpoPlan(entries).counts } };
  }

  const all: MethodRuns[] = [];
  const total = methods.length * preset.seeds.length;
  let index = 0;
  for (const m of methods) {
    const runs: RunSummary[] = [];
    const counts: MethodRuns['counts'] = [];
    for (const seed of preset.seeds) {
      args.callbacks?.onRun?.(m.name, seed, ++index, total);
      const runDir = join(outDir, 'runs', `${m.name}-seed${seed}`);
      const summaryPath = join(runDir, 'summary.json');
      let summary: RunSummary;
      if (existsSync(summaryPath)) {
        summary = readJson<RunSummary>(summaryPath); // finished before: reuse
      } else {
        summary = await runTraining(
          { config: configFor(m, seed, profiles.get(seed)), runDir, resume: true },
          args.callbacks,
        );
      }
      runs.push(summary);
      counts.push(countsOf(runDir));
    }
    all.push({ method: m.name, description: m.description, runs, counts });
  }

  const table = benchmarkTable(all, 'grpo');
  const combos = table.results.filter((r) => r.method !== 'grpo' && r.savingVsBaseline !== null);
  const best = combos.length
    ? combos.reduce((a, b) => (b.savingVsBaseline! > a.savingVsBaseline! ? b : a)).method
    : null;
  const shared = configFor(methods[0], preset.seeds[0]);
  const note =
    `Preset ${preset.name}: ${preset.seeds.length} seeds per method, FLOP budget ${(shared.flopBudget / 1e9).toFixed(0)} GFLOP per run ` +
    `(profiling included), zero-advantage rollouts ${shared.trainOnZeroAdvantage ? 'trained on' : 'not trained on'} (all methods alike). ` +
    `Machine: ${args.machine}.`;
  const result: BenchResult = {
    preset: preset.name,
    machine: args.machine,
    trainOnZeroAdvantage: shared.trainOnZeroAdvantage,
    flopBudget: shared.flopBudget,
    target: table.target,
    table: table.results,
    best,
    markdown: markdownTable(table, note),
    runs: Object.fromEntries(all.map((m) => [m.method, m.runs])),
    profile: profileInfo,
  };
  writeJsonAtomic(join(outDir, 'results.json'), result);
  writeFileSync(join(outDir, 'results.md'), result.markdown);
  return result;
}
