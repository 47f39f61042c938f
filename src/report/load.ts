/**
 * Reads run and benchmark directories for the report and the dashboard, tolerating whatever a live or
 * crashed run leaves: missing files, a half-written last JSONL line, fields added by later versions.
 * Nothing here writes, so the dashboard can read a directory while a run appends to it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { runsFromResults } from './from-results.js';

export type Row = Record<string, unknown>;

export interface RunData {
  /** Display name: the directory's name (bench runs are `<method>-seed<n>`). */
  name: string;
  dir: string;
  method: string;
  seed: number | null;
  config: Row | null;
  meta: Row | null;
  summary: Row | null;
  rows: Row[];
  /** Lines of metrics.jsonl that did not parse (a crash mid-write leaves one at the end). */
  badLines: number;
  /** The sGPO profile with its plan (id, k, successes, p_hat, class, kept, G, phase), when there is one. */
  profile: Row[] | null;
  status: RunStatus;
  /** Last modification of metrics.jsonl (ms since epoch); 0 when absent. */
  updatedAt: number;
}

export type RunStatus = 'finished' | 'running' | 'stopped' | 'empty';

export interface BenchData {
  name: string;
  dir: string;
  results: Row | null;
  runs: RunData[];
  /** The benchmark's shared profile (first seed), when its runs used one. */
  profile: Row[] | null;
}

export type Loaded = { kind: 'run'; run: RunData } | { kind: 'bench'; bench: BenchData };

/** A run that wrote nothing for this long and has no summary is shown as stopped, not running. */
export const STALE_MS = 120_000;

export function readJsonOrNull(path: string): Row | null {
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Row) : null;
  } catch {
    return null; // absent, or being replaced: the next read sees the whole file
  }
}

/** Parses JSONL, keeping every line that is a JSON object and counting the ones that are not. */
export function parseJsonl(text: string): { rows: Row[]; bad: number } {
  const rows: Row[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) rows.push(v as Row);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { rows, bad };
}

function readJsonl(path: string): { rows: Row[]; bad: number } {
  try {
    return parseJsonl(readFileSync(path, 'utf8'));
  } catch {
    return { rows: [], bad: 0 };
  }
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

export function isRunDir(dir: string): boolean {
  return existsSync(join(dir, 'config.json')) || existsSync(join(dir, 'metrics.jsonl'));
}

export function isBenchDir(dir: string): boolean {
  return existsSync(join(dir, 'results.json')) || existsSync(join(dir, 'runs'));
}

function methodOf(name: string, config: Row | null): { method: string; seed: number | null } {
  const m = /^(.+)-seed(\d+)$/.exec(name);
  if (m) return { method: m[1], seed: Number(m[2]) };
  const allocator = (config?.allocator as Row | undefined)?.type;
  const weighting = (config?.weighting as Row | undefined)?.type;
  const method = typeof allocator === 'string' ? allocator : 'run';
  const seed = typeof config?.seed === 'number' ? config.seed : null;
  return { method: weighting && weighting !== 'none' ? `${method}+${String(weighting)}` : method, seed };
}

function profileFor(dir: string, config: Row | null): Row[] | null {
  const allocator = config?.allocator as Row | undefined;
  const prior = allocator?.prior as Row | undefined;
  const candidates = [
    join(dir, 'profile.jsonl'),
    typeof allocator?.profile === 'string' ? allocator.profile : '',
    typeof prior?.profile === 'string' ? prior.profile : '',
  ];
  for (const c of candidates) {
    if (!c || !existsSync(c)) continue;
    const { rows } = readJsonl(c);
    if (rows.length) return rows;
  }
  return null;
}

export function statusOf(hasSummary: boolean, rows: number, updatedAt: number, now = Date.now()): RunStatus {
  if (hasSummary) return 'finished';
  if (rows === 0 && updatedAt === 0) return 'empty';
  return now - updatedAt < STALE_MS ? 'running' : 'stopped';
}

export function loadRun(dir: string): RunData {
  const config = readJsonOrNull(join(dir, 'config.json'));
  const summary = readJsonOrNull(join(dir, 'summary.json'));
  const metricsPath = join(dir, 'metrics.jsonl');
  const { rows, bad } = readJsonl(metricsPath);
  const updatedAt = Math.max(mtime(metricsPath), mtime(join(dir, 'config.json')));
  const name = basename(dir);
  return {
    name,
    dir,
    ...methodOf(name, config),
    config,
    meta: readJsonOrNull(join(dir, 'meta.json')),
    summary,
    rows,
    badLines: bad,
    profile: profileFor(dir, config),
    status: statusOf(summary !== null, rows.length, updatedAt),
    updatedAt,
  };
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

export function loadBench(dir: string): BenchData {
  const results = readJsonOrNull(join(dir, 'results.json'));
  const dirs = subdirs(join(dir, 'runs')).filter(isRunDir).map(loadRun);
  const runs = dirs.length ? dirs : runsFromResults(results);
  const profileDir = subdirs(dir).find((d) => basename(d).startsWith('profile-'));
  const profile = profileDir ? readJsonl(join(profileDir, 'profile.jsonl')).rows : [];
  return {
    name: basename(dir),
    dir,
    results,
    runs,
    profile: profile.length ? profile : (runs.find((r) => r.profile)?.profile ?? null),
  };
}

/** A run directory or a benchmark directory; a run inside a benchmark's runs/ is shown on its own. */
export function loadDir(dir: string): Loaded {
  if (isBenchDir(dir) && !isRunDir(dir)) return { kind: 'bench', bench: loadBench(dir) };
  if (isRunDir(dir)) return { kind: 'run', run: loadRun(dir) };
  throw new Error(
    `${dir}: neither a run directory (config.json, metrics.jsonl) nor a benchmark directory (results.json, runs/)`,
  );
}

/** Run and benchmark directories at most two levels under `root` (a benchmark's own runs are not repeated). */
export function discover(root: string): Array<{ kind: 'run' | 'bench'; dir: string; parent: string }> {
  const found: Array<{ kind: 'run' | 'bench'; dir: string; parent: string }> = [];
  const visit = (dir: string, depth: number) => {
    if (isRunDir(dir)) found.push({ kind: 'run', dir, parent: dirname(dir) });
    else if (isBenchDir(dir)) found.push({ kind: 'bench', dir, parent: dirname(dir) });
    else if (depth < 2) for (const d of subdirs(dir)) visit(d, depth + 1);
  };
  visit(root, 0);
  return found;
}
