/**
 * Reading a profile back: profile.jsonl or profile.parquet (as `flopwise profile` writes them), or
 * any JSONL/Parquet rows with `id`, `k` and `successes`. Rows marked `failed` carry no score and are
 * returned apart, never as 0 successes.
 */
import { readFileSync } from 'node:fs';
import type { ProfileEntry } from '../algo/index.js';
import { formatOf, readRows } from '../data/index.js';

export interface ProfileTable {
  entries: ProfileEntry[];
  /** Ids of rows marked failed (no score). */
  failed: string[];
  /** Every row as read (plan columns included), in file order. */
  rows: Array<Record<string, unknown>>;
}

/** Validates one row; returns its entry, or undefined for a failed row. */
function toEntry(row: Record<string, unknown>, where: string): ProfileEntry | undefined {
  if (typeof row.id !== 'string' && typeof row.id !== 'number') {
    throw new Error(`${where}: field 'id' is ${row.id === undefined ? 'missing' : 'not a string'}`);
  }
  if (row.failed === true) return undefined;
  for (const field of ['k', 'successes'] as const) {
    if (row[field] === undefined) throw new Error(`${where}: field '${field}' is missing`);
    if (typeof row[field] !== 'number') throw new Error(`${where}: field '${field}' must be a number`);
  }
  const k = row.k as number;
  const successes = row.successes as number;
  if (!(Number.isInteger(k) && k >= 1 && Number.isInteger(successes) && successes >= 0 && successes <= k)) {
    throw new Error(
      `${where}: need integers k ≥ 1 and 0 ≤ successes ≤ k, got k=${k}, successes=${successes}`,
    );
  }
  return { id: String(row.id), k, successes };
}

function fromRows(path: string, rows: Array<{ row: number; data: Record<string, unknown> }>): ProfileTable {
  const table: ProfileTable = { entries: [], failed: [], rows: [] };
  for (const r of rows) {
    const entry = toEntry(r.data, `${path}: row ${r.row}`);
    if (entry) table.entries.push(entry);
    else table.failed.push(String(r.data.id));
    table.rows.push(r.data);
  }
  if (rows.length === 0) throw new Error(`${path}: the profile has no rows`);
  return table;
}

/** Reads a JSONL or Parquet profile (format from the extension). */
export async function readProfileTable(path: string): Promise<ProfileTable> {
  const { rows, errors } = await readRows(path, formatOf(path));
  if (errors.length > 0) throw errors[0];
  return fromRows(path, rows);
}

/** Reads the scored entries of a JSONL profile synchronously (failed rows left out). */
export function readProfileEntries(path: string): ProfileEntry[] {
  const rows = readFileSync(path, 'utf8')
    .split('\n')
    .map((line, i) => ({ line, row: i + 1 }))
    .filter((l) => l.line.trim())
    .map(({ line, row }) => {
      try {
        return { row, data: JSON.parse(line) as Record<string, unknown> };
      } catch (err) {
        throw new Error(`${path}: row ${row}: not JSON (${(err as Error).message})`);
      }
    });
  return fromRows(path, rows).entries;
}
