/**
 * meta.json in a run directory: what produced the run and when, for reports. The flopwise version,
 * the command line, the base policy and a hash of its weights, the machine, start, resume and end times.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../data/atomic.js';

export interface RunMeta {
  version: string;
  command: string;
  base: string;
  /** sha256 of the base checkpoint's weights file (first 16 hex digits). */
  baseHash: string | null;
  machine: string;
  startedAt: string;
  resumedAt: string[];
  endedAt?: string;
  stoppedBy?: string;
}

export function flopwiseVersion(): string {
  // From src/run/ and from dist/run/ package.json is two levels up.
  const path = new URL('../../package.json', import.meta.url);
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function weightsHash(checkpointDir: string): string | null {
  const file = join(checkpointDir, 'model.safetensors');
  if (!existsSync(file)) return null;
  return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
}

function machine(): string {
  const c = cpus();
  return `${hostname()}: ${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}`;
}

const metaPath = (root: string) => join(root, 'meta.json');

/** Records a start, or on resume appends the resume time to what the first start recorded. */
export function recordStart(root: string, base: string, resuming: boolean): void {
  const now = new Date().toISOString();
  const prev = resuming && existsSync(metaPath(root)) ? readJson<RunMeta>(metaPath(root)) : undefined;
  const meta: RunMeta = prev
    ? { ...prev, resumedAt: [...(prev.resumedAt ?? []), now], endedAt: undefined, stoppedBy: undefined }
    : {
        version: flopwiseVersion(),
        command: process.argv.slice(1).join(' '),
        base,
        baseHash: weightsHash(base),
        machine: machine(),
        startedAt: now,
        resumedAt: [],
      };
  writeJsonAtomic(metaPath(root), meta);
}

export function recordEnd(root: string, stoppedBy: string): void {
  if (!existsSync(metaPath(root))) return;
  const meta = readJson<RunMeta>(metaPath(root));
  writeJsonAtomic(metaPath(root), { ...meta, endedAt: new Date().toISOString(), stoppedBy });
}
