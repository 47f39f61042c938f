import { readFileSync } from 'node:fs';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import { DatasetError } from './errors.js';
import type { RawReadResult } from './jsonl.js';

/** Converts what hyparquet returns into plain JSON values (bigint → number when safe, Date → ISO). */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

/**
 * Reads a Parquet file (hyparquet): struct and list columns come back as objects and arrays, JSON
 * columns are parsed; null cells are dropped from the row (Parquet cannot tell null from missing).
 */
export async function readParquetRows(file: string): Promise<RawReadResult> {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new DatasetError(file, 0, undefined, 'unreadable_file', (e as Error).message);
  }
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  let objects: Record<string, unknown>[];
  try {
    objects = (await parquetReadObjects({ file: ab })) as Record<string, unknown>[];
  } catch (e) {
    throw new DatasetError(
      file,
      0,
      undefined,
      'unreadable_file',
      `not a readable Parquet file (truncated?): ${(e as Error).message}`,
    );
  }
  const rows = objects.map((o, i) => {
    const data: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) data[k] = plain(v);
    return { row: i + 1, data };
  });
  return { rows, errors: [] };
}

type ColumnType = 'STRING' | 'DOUBLE' | 'BOOLEAN' | 'JSON';

function columnType(values: unknown[]): ColumnType {
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length === 0) return 'STRING';
  if (present.every((v) => typeof v === 'string')) return 'STRING';
  if (present.every((v) => typeof v === 'number')) return 'DOUBLE';
  if (present.every((v) => typeof v === 'boolean')) return 'BOOLEAN';
  return 'JSON';
}

/**
 * Writes rows as Parquet (hyparquet-writer): one column per key (union over rows, first-seen order);
 * strings → STRING, numbers → DOUBLE, booleans → BOOLEAN, objects/arrays/mixed → JSON (parsed back
 * into objects by the reader). Missing keys are written as nulls.
 */
export function writeParquetRows(file: string, rows: ReadonlyArray<Record<string, unknown>>): void {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
  }
  if (keys.length === 0) keys.push('prompt');
  const columnData = keys.map((name) => {
    const values = rows.map((r) => r[name]);
    const type = columnType(values);
    return { name, type, data: values.map((v) => (v === undefined ? null : v)) };
  });
  parquetWriteFile({ filename: file, columnData });
}
