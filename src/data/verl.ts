/**
 * verl's RL dataset rows (see verl's examples/data_preprocess): `data_source`, `prompt` as a chat list
 * of {role, content}, `ability`, `reward_model` {style, ground_truth} and `extra_info`, written as
 * Parquet with real nested columns (a list of structs and structs, not JSON strings), so pandas,
 * pyarrow and HF datasets read them as verl expects.
 */
import { parquetWriteFile } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';

export interface VerlExtraInfo {
  index: number;
  id: string;
  split: string;
  /** Success rate in the profile (successes / k). */
  p_hat: number;
  k: number;
  successes: number;
  /** Rollouts per prompt in this phase (verl's actor_rollout_ref.rollout.n). */
  G: number;
  /** Curriculum phase, 1-based as `flopwise plan` prints it. */
  phase: number;
  /** sGPO class: learnable or unsolved (trivial prompts are not exported). */
  class: string;
}

export interface VerlRow {
  data_source: string;
  prompt: Array<{ role: string; content: string }>;
  ability: string;
  reward_model: { style: string; ground_truth: string };
  extra_info: VerlExtraInfo;
}

const utf8 = (name: string): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  repetition_type: 'REQUIRED',
});
const int = (name: string): SchemaElement => ({ name, type: 'INT32', repetition_type: 'REQUIRED' });
const double = (name: string): SchemaElement => ({ name, type: 'DOUBLE', repetition_type: 'REQUIRED' });
const group = (name: string, children: number): SchemaElement => ({
  name,
  repetition_type: 'REQUIRED',
  num_children: children,
});

const EXTRA_FIELDS: SchemaElement[] = [
  int('index'),
  utf8('id'),
  utf8('split'),
  double('p_hat'),
  int('k'),
  int('successes'),
  int('G'),
  int('phase'),
  utf8('class'),
];

/** The Parquet schema of a verl row (the standard three-level LIST for `prompt`). */
export const VERL_SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: 5 },
  utf8('data_source'),
  { name: 'prompt', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  group('element', 2),
  utf8('role'),
  utf8('content'),
  utf8('ability'),
  group('reward_model', 2),
  utf8('style'),
  utf8('ground_truth'),
  group('extra_info', EXTRA_FIELDS.length),
  ...EXTRA_FIELDS,
];

const COLUMNS = ['data_source', 'prompt', 'ability', 'reward_model', 'extra_info'] as const;

export function writeVerlParquet(file: string, rows: readonly VerlRow[]): void {
  if (rows.length === 0) throw new Error(`${file}: no rows to write`);
  parquetWriteFile({
    filename: file,
    columnData: COLUMNS.map((name) => ({ name, data: rows.map((r) => r[name]) })),
    schema: VERL_SCHEMA,
  });
}
