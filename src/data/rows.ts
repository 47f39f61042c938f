import type { Problem } from '../tasks/types.js';
import { DatasetError } from './errors.js';

/**
 * Where the fields live in a row. Defaults follow verl: `prompt` (a string, or a chat list
 * [{role, content}]), `answer` or else `reward_model.ground_truth`, `data_source`, and an id from
 * `extra_info.id`, else `extra_info.index`, else the row number. Dotted paths reach nested fields,
 * e.g. `{ prompt: 'question', answer: 'solution' }` or `{ answer: 'meta.final' }`.
 */
export interface ColumnMapping {
  prompt?: string;
  answer?: string;
  id?: string;
  dataSource?: string;
}

function getPath(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

interface ChatMessage {
  role: string;
  content: string;
}

function isChat(v: unknown): v is ChatMessage[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((m) => m && typeof m === 'object' && typeof m.role === 'string' && typeof m.content === 'string')
  );
}

/**
 * Turns one raw row into a Problem, or throws a DatasetError naming file, row and field.
 * A chat-list prompt becomes the content of its last 'user' message (the whole list is kept in
 * meta.chat). meta.family = data_source ('unknown' when absent); meta.difficulty =
 * extra_info.difficulty (0 when absent); an `extra_info.meta` object (written by `problemToRow`) is
 * restored into meta, any other extra_info is kept as meta.extra_info.
 */
export function rowToProblem(
  data: Record<string, unknown>,
  row: number,
  file: string,
  columns: ColumnMapping = {},
): Problem {
  const bad = (field: string, reason: DatasetError['reason'], detail: string) =>
    new DatasetError(file, row, field, reason, detail);
  const promptField = columns.prompt ?? 'prompt';
  const rawPrompt = getPath(data, promptField);
  let prompt: string;
  let chat: ChatMessage[] | undefined;
  if (rawPrompt === undefined || rawPrompt === null)
    throw bad(promptField, 'missing_field', 'missing prompt');
  if (typeof rawPrompt === 'string') prompt = rawPrompt;
  else if (isChat(rawPrompt)) {
    chat = rawPrompt;
    const users = rawPrompt.filter((m) => m.role === 'user');
    prompt = (users.length > 0 ? users[users.length - 1] : rawPrompt[rawPrompt.length - 1]).content;
  } else
    throw bad(
      promptField,
      'wrong_type',
      `prompt must be a string or a list of {role, content}, got ${describe(rawPrompt)}`,
    );
  if (prompt.trim().length === 0) throw bad(promptField, 'empty_prompt', 'empty prompt');

  let answerField = columns.answer;
  if (!answerField)
    answerField = getPath(data, 'answer') !== undefined ? 'answer' : 'reward_model.ground_truth';
  const rawAnswer = getPath(data, answerField);
  if (rawAnswer === undefined || rawAnswer === null) {
    throw bad(
      answerField,
      'missing_field',
      columns.answer ? 'missing answer' : 'missing answer (neither "answer" nor "reward_model.ground_truth")',
    );
  }
  let answer: string;
  if (typeof rawAnswer === 'string') answer = rawAnswer;
  else if (typeof rawAnswer === 'number' && Number.isFinite(rawAnswer)) answer = String(rawAnswer);
  else
    throw bad(answerField, 'wrong_type', `answer must be a string or a number, got ${describe(rawAnswer)}`);
  if (answer.trim().length === 0) throw bad(answerField, 'empty_answer', 'empty answer');

  const dsField = columns.dataSource ?? 'data_source';
  const ds = getPath(data, dsField);
  if (ds !== undefined && ds !== null && typeof ds !== 'string')
    throw bad(dsField, 'wrong_type', `data_source must be a string, got ${describe(ds)}`);

  const extra = data.extra_info;
  if (extra !== undefined && extra !== null && (typeof extra !== 'object' || Array.isArray(extra))) {
    throw bad('extra_info', 'wrong_type', `extra_info must be an object, got ${describe(extra)}`);
  }
  const extraObj = (extra ?? undefined) as Record<string, unknown> | undefined;

  let id: string;
  const idCandidates: Array<[string, unknown]> = columns.id
    ? [[columns.id, getPath(data, columns.id)]]
    : [
        ['extra_info.id', extraObj?.id],
        ['extra_info.index', extraObj?.index],
      ];
  const found = idCandidates.find(([, v]) => v !== undefined && v !== null);
  if (found) {
    const [f, v] = found;
    if (typeof v !== 'string' && typeof v !== 'number')
      throw bad(f, 'wrong_type', `id must be a string or a number, got ${describe(v)}`);
    id = String(v);
  } else {
    if (columns.id) throw bad(columns.id, 'missing_field', 'missing id');
    id = `row-${row}`;
  }

  const difficulty = typeof extraObj?.difficulty === 'number' ? extraObj.difficulty : 0;
  const savedMeta =
    extraObj?.meta && typeof extraObj.meta === 'object' && !Array.isArray(extraObj.meta)
      ? (extraObj.meta as Record<string, unknown>)
      : undefined;
  const meta: Problem['meta'] = {
    ...(savedMeta ?? {}),
    family: typeof ds === 'string' ? ds : 'unknown',
    difficulty,
  };
  if (!savedMeta && extraObj) meta.extra_info = extraObj;
  if (savedMeta && extraObj?.source_extra_info !== undefined) meta.extra_info = extraObj.source_extra_info;
  if (chat) meta.chat = chat;
  return { id, prompt, answer, meta };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

/**
 * The verl-style row of a Problem: prompt (the chat list when meta.chat holds one), answer,
 * data_source = meta.family, reward_model {style: 'rule', ground_truth}, extra_info {id, index,
 * difficulty, meta: the rest of meta}. `rowToProblem(problemToRow(p, i))` gives back `p`.
 */
export function problemToRow(problem: Problem, index: number): Record<string, unknown> {
  // sourceRow is where a loaded problem came from, not part of it.
  const { family, difficulty, chat, extra_info, sourceRow: _sourceRow, ...rest } = problem.meta;
  const extra: Record<string, unknown> = { id: problem.id, index, difficulty, meta: rest };
  if (extra_info && typeof extra_info === 'object') extra.source_extra_info = extra_info;
  return {
    prompt: chat ?? problem.prompt,
    answer: problem.answer,
    data_source: family,
    reward_model: { style: 'rule', ground_truth: problem.answer },
    extra_info: extra,
  };
}
