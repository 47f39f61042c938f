/**
 * The sGPO profile a benchmark shares between the methods that need it: one per seed, made once under
 * the preset's base policy (resumable), and charged in full to every run that uses it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sgpoPlan } from '../../algo/index.js';
import type { TrainConfig } from '../config.js';
import { Ledger } from '../ledger.js';
import { PROFILE_FILES, profileWithConfig, readProfileEntries, writeProfileWithPlan } from '../profile.js';
import type { PolicyFactory, RunCallbacks } from '../run.js';
import { loadDatasets, scorerFor } from '../setup.js';

export interface ProfileSummary {
  path: string;
  prompts: number;
  k: number;
  /** Prompts by successes out of k (0..k). */
  histogram: number[];
  classes: Record<string, number>;
}

/** The profile's JSONL path, profiling the base policy first if needed; undefined in report-only mode. */
export async function ensureBenchProfile(args: {
  config: TrainConfig;
  base: string;
  dir: string;
  seed: number;
  policies: PolicyFactory;
  callbacks?: RunCallbacks;
  reportOnly?: boolean;
}): Promise<string | undefined> {
  const path = join(args.dir, PROFILE_FILES.jsonl);
  if (existsSync(path)) return path;
  if (args.reportOnly) return undefined;
  mkdirSync(args.dir, { recursive: true });
  args.callbacks?.onPhase?.(`profiling the base policy (seed ${args.seed})`);
  // The config names the base, so the factory opens the base policy itself.
  const { policy } = await args.policies({
    config: args.config,
    workdir: process.cwd(),
    callbacks: args.callbacks ?? {},
  });
  try {
    const { train } = await loadDatasets(args.config.data);
    const { rows, failed } = await profileWithConfig({
      policy,
      problems: train,
      score: scorerFor(args.config.data),
      dir: args.dir,
      ledger: new Ledger(),
      model: args.base,
      config: args.config,
      overrides: { seed: args.seed },
      onProgress: args.callbacks?.onProfile,
    });
    writeProfileWithPlan(args.dir, rows, { seed: args.seed }, failed);
  } finally {
    await policy.close();
  }
  return path;
}

export function profileSummary(path: string): ProfileSummary {
  const entries = readProfileEntries(path);
  const k = entries[0]?.k ?? 8;
  const histogram = new Array<number>(k + 1).fill(0);
  for (const e of entries) histogram[Math.round((e.successes / e.k) * k)]++;
  return { path, prompts: entries.length, k, histogram, classes: { ...sgpoPlan(entries).counts } };
}
