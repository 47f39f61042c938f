/**
 * sGPO's offline pass: k samples of every prompt under the initial policy, scored by the verifier.
 * `profile`, `train` and `bench` all come in through `profileWithConfig` (settings from the run config).
 *
 * Results stream to `profile.partial.jsonl` one chunk of prompts at a time; a chunk is the unit of
 * resumption (its seed depends only on the chunk index), so a run that crashed resumes without
 * re-sampling finished chunks and ends with exactly the rows an uninterrupted run writes. A prompt a
 * remote policy gave up on is a row marked `failed` (with the error, naming the dataset row), never a
 * score of 0; the next run over the directory samples it again (later lines of the file supersede
 * earlier ones for the same id). `profile.settings.json` remembers what the rows were sampled with;
 * rerunning with other settings is refused (or, with `fresh`, starts over).
 *
 * When every chunk is recorded, `profile.meta.json` (FLOPs, tokens, wall time, request counters:
 * charged to the run that uses the profile) is written; the plan columns are added by
 * `writeProfileWithPlan`. A resumed profile charges the caller's ledger with what earlier passes spent.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sgpoPlan, type ProfileEntry, type SgpoOptions, type SgpoPlan } from '../algo/index.js';
import { writeJsonlRows, writeParquetRows } from '../data/index.js';
import type { Policy, SampleFailure } from '../policy/types.js';
import type { Problem } from '../tasks/types.js';
import type { TrainConfig } from './config.js';
import type { Ledger } from './ledger.js';
import { readJson, writeJsonAtomic } from './rundir.js';
import { addScoreCounts, emptyScoreCounts, scoreAll, type ScoreCounts, type Scorer } from './scoring.js';
import { stepSeed } from './seeds.js';

export interface ProfileOptions {
  k: number;
  temperature: number;
  maxNewTokens: number;
  seed: number;
  /** Prompts per sampling call (and per resumable chunk). */
  chunkSize: number;
}

/** What a profile directory's rows were sampled with; a rerun must match it. */
export interface ProfileSettings extends ProfileOptions {
  /** The policy sampled: a checkpoint directory or a served model name. */
  model: string;
  /** sha256 of the prompts' ids, texts and answers, in order. */
  dataset: string;
}

export interface ProfileRow extends ProfileEntry {
  pHat: number;
  chunk: number;
}

/** A prompt whose requests kept failing: no score, retried by the next run over the directory. */
export interface FailedProfileRow {
  id: string;
  chunk: number;
  failed: true;
  error: string;
  server?: string;
}

type StoredRow = ProfileRow | FailedProfileRow;

export interface RequestCounters {
  retries: number;
  timeouts: number;
  failures: number;
}

export interface ProfileMeta {
  prompts: number;
  k: number;
  seed: number;
  temperature: number;
  flops: number;
  /** false when a remote policy's compute is unknown (no declared parameter count): `flops` is then 0. */
  flopsCounted: boolean;
  tokens: number;
  wallMs: number;
  policy: string;
  requests: RequestCounters;
  /** Prompts still failed when this pass ended. */
  failedRows: number;
  /** Scores by reason: how many were cut off (timeout), crashed (error) or malformed. */
  scoring?: ScoreCounts;
}

export interface ProfileProgress {
  done: number;
  total: number;
  failed?: number;
}

export const PROFILE_FILES = {
  partial: 'profile.partial.jsonl',
  jsonl: 'profile.jsonl',
  parquet: 'profile.parquet',
  meta: 'profile.meta.json',
  settings: 'profile.settings.json',
} as const;

/** Default prompts per chunk; one value for every caller. */
export const PROFILE_CHUNK_SIZE = 64;

/** The profiling settings a run config implies (k from an sGPO allocator, else 8). */
export function profileOptionsFromConfig(
  config: TrainConfig,
  overrides: Partial<ProfileOptions> = {},
): ProfileOptions {
  const a = config.allocator;
  return {
    k: a.type === 'sgpo' ? a.k : 8,
    temperature: config.sampling.temperature,
    maxNewTokens: config.sampling.maxNewTokens,
    seed: config.seed,
    chunkSize: PROFILE_CHUNK_SIZE,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
}

/** sha256 of the prompts in order: any change of ids, texts or answers changes it. */
export function datasetHash(problems: readonly Problem[]): string {
  const h = createHash('sha256');
  for (const p of problems) h.update(JSON.stringify([p.id, p.prompt, p.answer]) + '\n');
  return h.digest('hex');
}

/** Where a prompt came from, for errors: its dataset row when loaded from a file, else its id. */
export function promptLabel(p: Problem): string {
  const row = p.meta.sourceRow;
  return typeof row === 'number' ? `dataset row ${row} (id "${p.id}")` : `prompt "${p.id}"`;
}

/** Raised when a profile directory holds rows sampled with other settings. */
export class ProfileMismatchError extends Error {
  constructor(
    readonly dir: string,
    readonly differences: string[],
  ) {
    super(
      `${dir} holds a profile sampled with other settings: ${differences.join('; ')}. ` +
        'Use another output directory, rerun with the same settings, or pass --fresh to start over',
    );
    this.name = 'ProfileMismatchError';
  }
}

const SETTING_NAMES: Record<keyof ProfileSettings, string> = {
  k: 'k (samples per prompt)',
  seed: 'seed',
  temperature: 'temperature',
  maxNewTokens: 'max new tokens',
  chunkSize: 'chunk size',
  model: 'model',
  dataset: 'dataset (hash of ids, prompts and answers)',
};

/** The settings that differ, each as "name: was X, now Y". */
export function settingsDifferences(was: ProfileSettings, now: ProfileSettings): string[] {
  return (Object.keys(SETTING_NAMES) as Array<keyof ProfileSettings>)
    .filter((key) => was[key] !== now[key])
    .map((key) => {
      const show = (v: unknown) => (key === 'dataset' ? String(v).slice(0, 12) : JSON.stringify(v));
      return `${SETTING_NAMES[key]}: was ${show(was[key])}, now ${show(now[key])}`;
    });
}

/** Checks (or, with `fresh`, clears) what an earlier pass left in `dir`, then records `settings`. */
function prepareDir(dir: string, settings: ProfileSettings, fresh: boolean): void {
  const path = join(dir, PROFILE_FILES.settings);
  const partial = join(dir, PROFILE_FILES.partial);
  if (fresh) {
    for (const f of Object.values(PROFILE_FILES)) rmSync(join(dir, f), { force: true });
    rmSync(join(dir, PROFILE_FILES.meta + '.partial'), { force: true });
  } else if (existsSync(path)) {
    const diff = settingsDifferences(readJson<ProfileSettings>(path), settings);
    if (diff.length > 0) throw new ProfileMismatchError(dir, diff);
  } else if (existsSync(partial)) {
    // Written before settings were recorded: only k can still be checked (each row carries it).
    const ks = new Set(
      [...readRecorded(partial).values()].flatMap((m) =>
        [...m.values()].map((r) => ('k' in r ? r.k : settings.k)),
      ),
    );
    const other = [...ks].find((k) => k !== settings.k);
    if (other !== undefined)
      throw new ProfileMismatchError(dir, [`${SETTING_NAMES.k}: was ${other}, now ${settings.k}`]);
  }
  writeJsonAtomic(path, settings);
}

/** The latest record per prompt id, grouped by chunk; a line cut off by a crash ends the read. */
function readRecorded(path: string): Map<number, Map<string, StoredRow>> {
  const byChunk = new Map<number, Map<string, StoredRow>>();
  if (!existsSync(path)) return byChunk;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let row: StoredRow;
    try {
      row = JSON.parse(line) as StoredRow;
    } catch {
      break; // a line cut off mid-write: it and anything after are redone
    }
    const rows = byChunk.get(row.chunk) ?? new Map<string, StoredRow>();
    rows.set(row.id, row);
    byChunk.set(row.chunk, rows);
  }
  return byChunk;
}

function isFailed(row: StoredRow | undefined): row is FailedProfileRow {
  return row !== undefined && 'failed' in row && row.failed === true;
}

function startMeta(
  previous: ProfileMeta | undefined,
  problems: number,
  options: ProfileOptions,
  policy: Policy,
): ProfileMeta {
  return {
    prompts: problems,
    k: options.k,
    seed: options.seed,
    temperature: options.temperature,
    flops: previous?.flops ?? 0,
    flopsCounted: previous?.flopsCounted ?? true,
    tokens: previous?.tokens ?? 0,
    wallMs: previous?.wallMs ?? 0,
    policy: policy.kind,
    requests: { retries: 0, timeouts: 0, failures: 0, ...previous?.requests },
    failedRows: 0,
    scoring: previous?.scoring,
  };
}

export interface ProfileArgs {
  policy: Policy;
  problems: Problem[];
  score: Scorer;
  dir: string;
  ledger: Ledger;
  options: ProfileOptions;
  /** The policy's identity (checkpoint directory or served model), remembered for resume checks; default its kind. */
  model?: string;
  /** Discard what an earlier pass left in `dir` instead of resuming it. */
  fresh?: boolean;
  onProgress?: (p: ProfileProgress) => void;
  /** For tests: stop (as if killed) after this many chunks are sampled in this call. */
  stopAfterChunks?: number;
}

export interface ProfileOutcome {
  /** Scored rows in dataset order (failed prompts left out). */
  rows: ProfileRow[];
  failed: FailedProfileRow[];
  meta: ProfileMeta;
  /** Every chunk recorded (some rows may still be failed). */
  complete: boolean;
}

export async function runProfile(args: ProfileArgs): Promise<ProfileOutcome> {
  const { policy, problems, dir, ledger, options } = args;
  const chunks = chunkProblems(problems, options.chunkSize);
  prepareDir(
    dir,
    { ...options, model: args.model ?? policy.kind, dataset: datasetHash(problems) },
    args.fresh ?? false,
  );
  const partialPath = join(dir, PROFILE_FILES.partial);
  const metaPath = join(dir, PROFILE_FILES.meta);
  const recorded = readRecorded(partialPath);
  // Keep only the latest record of each prompt, so a half-written line leaves nothing behind.
  writeJsonlRows(partialPath, [...recorded.values()].flatMap((m) => [...m.values()]) as never[]);
  const previous = existsSync(metaPath + '.partial')
    ? readJson<ProfileMeta>(metaPath + '.partial')
    : undefined;
  const meta = startMeta(previous, problems.length, options, policy);
  // What earlier passes spent belongs to this profile too: charge it once, here.
  if (previous) ledger.add('profile', previous.flops, previous.tokens, previous.wallMs);
  if (!meta.flopsCounted) ledger.markUncounted('profile');
  const progress = () => {
    const rows = chunks.flatMap((chunk, c) => chunk.map((p) => recorded.get(c)?.get(p.id)));
    const failed = rows.filter(isFailed).length;
    args.onProgress?.({ done: rows.filter((r) => r && !isFailed(r)).length, total: problems.length, failed });
  };
  progress();
  let sampled = 0;
  for (let c = 0; c < chunks.length; c++) {
    const have = recorded.get(c) ?? new Map<string, StoredRow>();
    const todo = chunks[c].filter((p) => !have.has(p.id) || isFailed(have.get(p.id)));
    if (todo.length === 0) continue;
    if (args.stopAfterChunks !== undefined && sampled >= args.stopAfterChunks) {
      return collect(chunks, recorded, meta, false);
    }
    const start = performance.now();
    const out = await profileChunk(policy, todo, c, args.score, options);
    const wallMs = performance.now() - start;
    ledger.add('profile', out.flops, out.tokens, wallMs);
    if (!out.flopsCounted) ledger.markUncounted('profile');
    addToMeta(meta, out, wallMs);
    appendFileSync(partialPath, out.rows.map((r) => JSON.stringify(r) + '\n').join(''));
    writeJsonAtomic(metaPath + '.partial', meta);
    for (const r of out.rows) have.set(r.id, r);
    recorded.set(c, have);
    sampled++;
    progress();
  }
  const outcome = collect(chunks, recorded, meta, true);
  meta.failedRows = outcome.failed.length;
  writeJsonAtomic(metaPath, meta);
  return outcome;
}

function chunkProblems(problems: Problem[], chunkSize: number): Problem[][] {
  const ids = new Set<string>();
  for (const p of problems) {
    if (ids.has(p.id)) throw new Error(`profile: duplicate prompt id '${p.id}' (${promptLabel(p)})`);
    ids.add(p.id);
  }
  if (problems.length === 0) throw new Error('profile: no prompts to profile (the dataset is empty)');
  const chunks: Problem[][] = [];
  for (let i = 0; i < problems.length; i += chunkSize) chunks.push(problems.slice(i, i + chunkSize));
  return chunks;
}

function addToMeta(meta: ProfileMeta, out: ChunkResult, wallMs: number): void {
  meta.flops += out.flops;
  meta.tokens += out.tokens;
  meta.wallMs += wallMs;
  if (!out.flopsCounted) meta.flopsCounted = false;
  meta.requests.retries += out.requests.retries;
  meta.requests.timeouts += out.requests.timeouts;
  meta.requests.failures += out.requests.failures;
  meta.scoring = addScoreCounts(meta.scoring, out.scoring);
}

function collect(
  chunks: Problem[][],
  recorded: Map<number, Map<string, StoredRow>>,
  meta: ProfileMeta,
  complete: boolean,
): ProfileOutcome {
  const rows: ProfileRow[] = [];
  const failed: FailedProfileRow[] = [];
  chunks.forEach((chunk, c) => {
    for (const p of chunk) {
      const r = recorded.get(c)?.get(p.id);
      if (isFailed(r)) failed.push(r);
      else if (r) rows.push(r);
    }
  });
  return { rows, failed, meta, complete };
}

interface ChunkResult {
  rows: StoredRow[];
  flops: number;
  flopsCounted: boolean;
  tokens: number;
  requests: RequestCounters;
  scoring: ScoreCounts;
}

/** Samples and scores one chunk of prompts (k each); prompts the policy gave up on become failed rows. */
async function profileChunk(
  policy: Policy,
  chunk: Problem[],
  c: number,
  score: Scorer,
  options: ProfileOptions,
): Promise<ChunkResult> {
  const out = await policy.sample({
    prompts: chunk.map((p) => p.prompt),
    n: chunk.map(() => options.k),
    maxNewTokens: options.maxNewTokens,
    temperature: options.temperature,
    seed: stepSeed(options.seed, 'profile', c),
    allowFailures: true,
  });
  const failures = new Map<number, SampleFailure>((out.failed ?? []).map((f) => [f.index, f]));
  const rows: StoredRow[] = [];
  const scoring = emptyScoreCounts();
  for (let i = 0; i < chunk.length; i++) {
    const f = failures.get(i);
    if (f) {
      const error = `${promptLabel(chunk[i])}: ${f.error}`;
      rows.push({
        id: chunk[i].id,
        chunk: c,
        failed: true,
        error,
        ...(f.server ? { server: f.server } : {}),
      });
      continue;
    }
    const scored = await scoreAll(
      score,
      out.groups[i].map((r) => [chunk[i], r.text] as const),
      scoring,
    );
    const successes = scored.filter((s) => s.reward > 0).length;
    rows.push({ id: chunk[i].id, k: options.k, successes, pHat: successes / options.k, chunk: c });
  }
  return {
    rows,
    flops: out.flops,
    flopsCounted: out.flopsCounted ?? true,
    tokens: out.tokens,
    requests: out.requests ?? { retries: 0, timeouts: 0, failures: 0 },
    scoring,
  };
}

/** A profile kept in memory (no files, no resume): for quick measurements. */
export async function runProfileInMemory(args: {
  policy: Policy;
  problems: Problem[];
  score: Scorer;
  ledger: Ledger;
  options: ProfileOptions;
}): Promise<ProfileRow[]> {
  const rows: ProfileRow[] = [];
  const chunks = chunkProblems(args.problems, args.options.chunkSize);
  for (let c = 0; c < chunks.length; c++) {
    const start = performance.now();
    const out = await profileChunk(args.policy, chunks[c], c, args.score, args.options);
    args.ledger.add('profile', out.flops, out.tokens, performance.now() - start);
    const failed = out.rows.find(isFailed);
    if (failed) throw new Error(`profile: ${failed.error}`);
    rows.push(...(out.rows as ProfileRow[]));
  }
  return rows;
}

/**
 * The one entry point of `profile`, `train` and `bench`: settings from the run config (flags may
 * override k, temperature and chunk size), resumable in `dir`.
 */
export async function profileWithConfig(
  args: Omit<ProfileArgs, 'options'> & { config: TrainConfig; overrides?: Partial<ProfileOptions> },
): Promise<ProfileOutcome> {
  const options = profileOptionsFromConfig(args.config, args.overrides);
  return runProfile({ ...args, options });
}

/** Phase numbers as `plan` prints them (1-based), joined: "1,2,3". */
export function phaseNumbers(phases: readonly number[]): string {
  return phases.map((p) => p + 1).join(',');
}

/**
 * The profile with the plan's columns, as written to profile.jsonl / profile.parquet. Phases are
 * 1-based, as `plan` prints them; G is null for prompts without a G of their own (trivial ones, and
 * kept unsolved ones, which take each phase's G: see `flopwise export`).
 */
export function planRows(plan: SgpoPlan): Record<string, unknown>[] {
  return plan.prompts.map((p) => ({
    id: p.id,
    k: p.k,
    successes: p.successes,
    p_hat: p.pHat,
    class: p.cls,
    kept: p.kept,
    G: p.G,
    phase: phaseNumbers(p.phases),
    posterior_mean: p.posterior.mean,
  }));
}

/** Writes profile.jsonl / .parquet: the plan's rows, then failed prompts marked as such (no score). */
export function writeProfileWithPlan(
  dir: string,
  rows: ProfileEntry[],
  options: SgpoOptions,
  failed: FailedProfileRow[] = [],
): SgpoPlan {
  const plan = sgpoPlan(rows, options);
  const table = [...planRows(plan), ...failed.map((f) => ({ id: f.id, failed: true, error: f.error }))];
  writeJsonlRows(join(dir, PROFILE_FILES.jsonl), table);
  writeParquetRows(join(dir, PROFILE_FILES.parquet), table);
  return plan;
}

export { readProfileEntries, readProfileTable, type ProfileTable } from './profile-file.js';
