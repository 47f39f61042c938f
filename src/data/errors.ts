/** Why a row was rejected. */
export type BadRowReason =
  | 'invalid_utf8'
  | 'invalid_json'
  | 'truncated'
  | 'not_an_object'
  | 'missing_field'
  | 'wrong_type'
  | 'empty_prompt'
  | 'empty_answer'
  | 'blank_row'
  | 'empty_dataset'
  | 'duplicate_id'
  | 'unreadable_file';

/**
 * A bad row (or an unreadable file): names the file, the 1-based row number (the line number in
 * JSONL, the row index + 1 in Parquet; 0 for the file as a whole) and the field when one is at fault.
 */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly row: number,
    readonly field: string | undefined,
    readonly reason: BadRowReason,
    detail: string,
  ) {
    super(`${file}: row ${row}${field ? `, field "${field}"` : ''}: ${detail} (${reason})`);
    this.name = 'DatasetError';
  }
}
