import { readFileSync, writeFileSync } from 'node:fs';
import { DatasetError } from './errors.js';

/** A raw row read from a file: 1-based row number and the decoded object. */
export interface RawRow {
  row: number;
  data: Record<string, unknown>;
}

export interface RawReadResult {
  rows: RawRow[];
  /** Rows that could not be decoded (invalid UTF-8, invalid JSON, truncated last line, …). */
  errors: DatasetError[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a JSONL file: one JSON object per line (row = line number); blank lines at the end are
 * ignored, a blank line between rows is a bad row.
 * Decoding errors are returned, not thrown, so the caller decides between stopping and skipping.
 */
export function readJsonlRows(file: string): RawReadResult {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new DatasetError(file, 0, undefined, 'unreadable_file', (e as Error).message);
  }
  const rows: RawRow[] = [];
  const errors: DatasetError[] = [];
  let start = 0;
  let line = 0;
  while (start < buf.length) {
    let end = buf.indexOf(0x0a, start);
    const last = end < 0;
    if (last) end = buf.length;
    line++;
    let bytes = buf.subarray(start, end);
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    start = end + 1;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      errors.push(new DatasetError(file, line, undefined, 'invalid_utf8', 'the line is not valid UTF-8'));
      continue;
    }
    if (text.trim().length === 0) {
      // Blank lines at the end of the file are harmless; one between rows is a damaged file.
      if (buf.subarray(start).toString('utf8').trim().length > 0) {
        errors.push(new DatasetError(file, line, undefined, 'blank_row', 'a blank line between rows'));
      }
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      if (last) {
        errors.push(
          new DatasetError(
            file,
            line,
            undefined,
            'truncated',
            `the last line is cut off (no newline, JSON incomplete: ${(e as Error).message})`,
          ),
        );
      } else {
        errors.push(
          new DatasetError(file, line, undefined, 'invalid_json', `invalid JSON: ${(e as Error).message}`),
        );
      }
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      errors.push(new DatasetError(file, line, undefined, 'not_an_object', 'a row must be a JSON object'));
      continue;
    }
    rows.push({ row: line, data: value as Record<string, unknown> });
  }
  return { rows, errors };
}

/** Writes rows as JSONL (one object per line, '\n' after each). */
export function writeJsonlRows(file: string, rows: ReadonlyArray<Record<string, unknown>>): void {
  writeFileSync(file, rows.map((r) => JSON.stringify(r) + '\n').join(''));
}
