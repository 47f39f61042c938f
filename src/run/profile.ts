/**
 * sGPO's offline pass: k samples of every prompt under the initial policy, scored by the verifier.
 *
 * Results stream to `profile.partial.jsonl` one chunk of prompts at a time; a chunk is the unit of
 * resumption (its seed depends only on the chunk index), so a run that crashed resumes without
 * re-sampling finished chunks and ends with exactly the rows an uninterrupted run writes. When every
 * chunk is done, the plan columns (class, G, phases) are added and `profile.jsonl`, `profile.parquet`
 * and `profile.meta.json` (FLOPs, tokens, wall time: charged to the run that uses the profile) written.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sgpoPlan, type ProfileEntry, type SgpoOptions, type SgpoPlan } from '../algo/index.js';
import { writeJsonlRows, writeParquetRows } from '../data/index.js';
import type { Policy } from '../policy/types.js';
import type { Problem } from '../tasks/types.js';
import type { Ledger } from './ledger.js';
import { readJson, writeJsonAtomic } from './rundir.js';
import type { Scorer } from './scoring.js';
import { stepSeed } from './seeds.js';

export interface ProfileOptions {
  k: number;
  temperature: number;
  maxNewTokens: number;
  seed: number;
  /** Prompts per sampling call (and per resumable chunk). */
  chunkSize: number;
}

export interface ProfileRow extends ProfileEntry {
  pHat: number;
  chunk: number;
}

export interface ProfileMeta {
  prompts: number;
  k: number;
  seed: number;
  temperature: number;
  flops: number;
  tokens: number;
  wallMs: number;
  policy: string;
}

export interface ProfileProgress {
  done: number;
  total: number;
}

export const PROFILE_FILES = {
  partial: 'profile.partial.jsonl',
  jsonl: 'profile.jsonl',
  parquet: 'profile.parquet',
  meta: 'profile.meta.json',
} as const;

/** Reads the rows of finished chunks; a chunk cut off by a crash is dropped and redone. */
function readDoneChunks(path: string, chunkSizes: number[]): Map<number, ProfileRow[]> {
  const done = new Map<number, ProfileRow[]>();
  if (!existsSync(path)) return done;
  const byChunk = new Map<number, ProfileRow[]>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let row: ProfileRow;
    try {
      row = JSON.parse(line) as ProfileRow;
    } catch {
      break; // a line cut off mid-write: it and anything after are redone
    }
    const rows = byChunk.get(row.chunk) ?? [];
    rows.push(row);
    byChunk.set(row.chunk, rows);
  }
  for (const [c, rows] of byChunk) if (rows.length === chunkSizes[c]) done.set(c, rows);
  return done;
}

export async function runProfile(args: {
  policy: Policy;
  problems: Problem[];
  score: Scorer;
  dir: string;
  ledger: Ledger;
  options: ProfileOptions;
  onProgress?: (p: ProfileProgress) => void;
  /** For tests: stop (as if killed) after this many chunks are sampled in this call. */
  stopAfterChunks?: number;
}): Promise<{ rows: ProfileRow[]; meta: ProfileMeta; complete: boolean }> {
  const { policy, problems, score, dir, ledger, options } = args;
  const ids = new Set<string>();
  for (const p of problems) {
    if (ids.has(p.id)) throw new Error(`profile: duplicate prompt id '${p.id}'`);
    ids.add(p.id);
  }
  const chunks: Problem[][] = [];
  for (let i = 0; i < problems.length; i += options.chunkSize)
    chunks.push(problems.slice(i, i + options.chunkSize));
  const partialPath = join(dir, PROFILE_FILES.partial);
  const metaPath = join(dir, PROFILE_FILES.meta);
  const done = readDoneChunks(
    partialPath,
    chunks.map((c) => c.length),
  );
  // Rewrite the partial file with finished chunks only, so a half-written chunk leaves no rows behind.
  writeJsonlRows(partialPath, [...done.values()].flat() as unknown as Record<string, unknown>[]);
  const previous = existsSync(metaPath + '.partial')
    ? readJson<ProfileMeta>(metaPath + '.partial')
    : undefined;
  const meta: ProfileMeta = {
    prompts: problems.length,
    k: options.k,
    seed: options.seed,
    temperature: options.temperature,
    flops: previous?.flops ?? 0,
    tokens: previous?.tokens ?? 0,
    wallMs: previous?.wallMs ?? 0,
    policy: policy.kind,
  };
  let finished = [...done.values()].reduce((s, r) => s + r.length, 0);
  args.onProgress?.({ done: finished, total: problems.length });
  let sampledChunks = 0;
  for (let c = 0; c < chunks.length; c++) {
    if (done.has(c)) continue;
    if (args.stopAfterChunks !== undefined && sampledChunks >= args.stopAfterChunks) {
      return { rows: [...done.values()].flat(), meta, complete: false };
    }
    const chunk = chunks[c];
    const start = performance.now();
    const out = await profileChunk(policy, chunk, c, score, options);
    const rows = out.rows;
    const wallMs = performance.now() - start;
    ledger.add('profile', out.flops, out.tokens, wallMs);
    meta.flops += out.flops;
    meta.tokens += out.tokens;
    meta.wallMs += wallMs;
    appendFileSync(partialPath, rows.map((r) => JSON.stringify(r) + '\n').join(''));
    writeJsonAtomic(metaPath + '.partial', meta);
    done.set(c, rows);
    sampledChunks++;
    finished += rows.length;
    args.onProgress?.({ done: finished, total: problems.length });
  }
  const rows = chunks.flatMap((_, c) => done.get(c)!);
  writeJsonAtomic(metaPath, meta);
  return { rows, meta, complete: true };
}

/** Samples and scores one chunk of prompts (k each); the unit both runners share. */
async function profileChunk(
  policy: Policy,
  chunk: Problem[],
  c: number,
  score: Scorer,
  options: ProfileOptions,
): Promise<{ rows: ProfileRow[]; flops: number; tokens: number }> {
  const out = await policy.sample({
    prompts: chunk.map((p) => p.prompt),
    n: chunk.map(() => options.k),
    maxNewTokens: options.maxNewTokens,
    temperature: options.temperature,
    seed: stepSeed(options.seed, 'profile', c),
  });
  const rows: ProfileRow[] = [];
  for (let i = 0; i < chunk.length; i++) {
    let successes = 0;
    for (const r of out.groups[i]) successes += (await score(chunk[i], r.text)).reward > 0 ? 1 : 0;
    rows.push({ id: chunk[i].id, k: options.k, successes, pHat: successes / options.k, chunk: c });
  }
  return { rows, flops: out.flops, tokens: out.tokens };
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
  for (let c = 0, i = 0; i < args.problems.length; c++, i += args.options.chunkSize) {
    const start = performance.now();
    const out = await profileChunk(
      args.policy,
      args.problems.slice(i, i + args.options.chunkSize),
      c,
      args.score,
      args.options,
    );
    args.ledger.add('profile', out.flops, out.tokens, performance.now() - start);
    rows.push(...out.rows);
  }
  return rows;
}

/** The profile with the plan's columns, as written to profile.jsonl / profile.parquet. */
export function planRows(plan: SgpoPlan): Record<string, unknown>[] {
  return plan.prompts.map((p) => ({
    id: p.id,
    k: p.k,
    successes: p.successes,
    p_hat: p.pHat,
    class: p.cls,
    kept: p.kept,
    G: p.G ?? 0,
    phase: p.phases.length ? p.phases.join(',') : '',
    posterior_mean: p.posterior.mean,
  }));
}

export function writeProfileWithPlan(dir: string, rows: ProfileEntry[], options: SgpoOptions): SgpoPlan {
  const plan = sgpoPlan(rows, options);
  const table = planRows(plan);
  writeJsonlRows(join(dir, PROFILE_FILES.jsonl), table);
  writeParquetRows(join(dir, PROFILE_FILES.parquet), table);
  return plan;
}

/** Reads a profile (JSONL or Parquet rows with id, k, successes) and its meta file when present. */
export function readProfileEntries(path: string): ProfileEntry[] {
  const text = readFileSync(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((line, i) => {
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(line) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`${path}: row ${i + 1}: not JSON (${(err as Error).message})`);
      }
      for (const field of ['id', 'k', 'successes'] as const) {
        if (row[field] === undefined) throw new Error(`${path}: row ${i + 1}: field '${field}' is missing`);
      }
      if (typeof row.id !== 'string') throw new Error(`${path}: row ${i + 1}: field 'id' must be a string`);
      if (typeof row.k !== 'number' || typeof row.successes !== 'number') {
        throw new Error(`${path}: row ${i + 1}: fields 'k' and 'successes' must be numbers`);
      }
      return { id: row.id, k: row.k, successes: row.successes };
    });
}
