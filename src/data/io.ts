import { extname } from 'node:path';
import type { Problem } from '../tasks/types.js';
import { DatasetError, type BadRowReason } from './errors.js';
import { readJsonlRows, writeJsonlRows, type RawReadResult } from './jsonl.js';
import { readParquetRows, writeParquetRows } from './parquet.js';
import { problemToRow, rowToProblem, type ColumnMapping } from './rows.js';

export type DatasetFormat = 'jsonl' | 'parquet';

/** Format from the file extension: .jsonl / .json / .ndjson → jsonl, .parquet / .pq → parquet. */
export function formatOf(file: string): DatasetFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw new Error(`cannot tell the format of "${file}" from its extension (use .jsonl or .parquet)`);
}

/** Reads raw rows (objects) from JSONL or Parquet. */
export async function readRows(file: string, format: DatasetFormat = formatOf(file)): Promise<RawReadResult> {
  return format === 'jsonl' ? readJsonlRows(file) : readParquetRows(file);
}

/** Writes raw rows to JSONL or Parquet. */
export function writeRows(
  file: string,
  rows: ReadonlyArray<Record<string, unknown>>,
  format: DatasetFormat = formatOf(file),
): void {
  if (format === 'jsonl') writeJsonlRows(file, rows);
  else writeParquetRows(file, rows);
}

export interface LoadOptions {
  columns?: ColumnMapping;
  /** 'error' (default): stop at the first bad row with a DatasetError; 'skip': skip and count. */
  onBadRow?: 'error' | 'skip';
  format?: DatasetFormat;
}

export interface LoadResult {
  problems: Problem[];
  /** Bad rows skipped (always empty with onBadRow 'error'). */
  skipped: DatasetError[];
  skippedByReason: Partial<Record<BadRowReason, number>>;
}

/** Loads a dataset file as Problems; bad rows stop the load or are skipped (see LoadOptions). */
export async function loadProblems(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const { rows, errors } = await readRows(file, options.format);
  const skip = options.onBadRow === 'skip';
  const skipped: DatasetError[] = [];
  const fail = (e: DatasetError) => {
    if (!skip) throw e;
    skipped.push(e);
  };
  // Decoding errors and rows in file order, so the first bad row is the one reported.
  const events: Array<{ row: number; error?: DatasetError; data?: Record<string, unknown> }> = [
    ...errors.map((error) => ({ row: error.row, error })),
    ...rows.map((r) => ({ row: r.row, data: r.data })),
  ].sort((a, b) => a.row - b.row);
  const problems: Problem[] = [];
  const ids = new Map<string, number>();
  for (const ev of events) {
    if (ev.error) {
      fail(ev.error);
      continue;
    }
    let p: Problem;
    try {
      p = rowToProblem(ev.data!, ev.row, file, options.columns);
    } catch (e) {
      if (e instanceof DatasetError) {
        fail(e);
        continue;
      }
      throw e;
    }
    const prev = ids.get(p.id);
    if (prev !== undefined) {
      fail(
        new DatasetError(
          file,
          ev.row,
          options.columns?.id ?? 'extra_info.id',
          'duplicate_id',
          `duplicate id "${p.id}" (first seen at row ${prev})`,
        ),
      );
      continue;
    }
    ids.set(p.id, ev.row);
    p.meta.sourceRow = ev.row;
    problems.push(p);
  }
  const skippedByReason: LoadResult['skippedByReason'] = {};
  for (const e of skipped) skippedByReason[e.reason] = (skippedByReason[e.reason] ?? 0) + 1;
  if (problems.length === 0) {
    const why =
      skipped.length > 0
        ? `all ${skipped.length} rows are bad (first: ${skipped[0].message})`
        : 'it has no rows';
    throw new DatasetError(file, 0, undefined, 'empty_dataset', `no problems to load: ${why}`);
  }
  return { problems, skipped, skippedByReason };
}

/** Saves Problems as verl-style rows (see problemToRow) to JSONL or Parquet. */
export function saveProblems(
  file: string,
  problems: readonly Problem[],
  format: DatasetFormat = formatOf(file),
): void {
  writeRows(
    file,
    problems.map((p, i) => problemToRow(p, i)),
    format,
  );
}
