import { readFileSync } from 'node:fs';
import { atomicWrite } from '../engine/atomic.js';

/** Writes to a temp file beside `path`, then renames: a crash never leaves a half-written file. */
export const writeFileAtomic: (path: string, data: string | Uint8Array) => void = atomicWrite;

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

export function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}
