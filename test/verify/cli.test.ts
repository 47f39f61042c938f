import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { badRowLine, outputLine, readVerifyRows, type InputRow } from '../../src/cli/commands/verify.js';
import { verifyAnswer } from '../../src/verify/index.js';

function file(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
  const path = join(dir, 'in.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const bad = (rows: InputRow[]) =>
  rows.filter((r) => 'bad' in r) as Array<Extract<InputRow, { bad: unknown }>>;

describe('flopwise verify input and output', () => {
  it('reads completion with gold or answer, ids defaulting to the row number', () => {
    const path = file([
      JSON.stringify({ completion: '\\boxed{1}', gold: '1', id: 'a' }),
      JSON.stringify({ completion: 'x', answer: 2.5 }),
    ]);
    expect(readVerifyRows(path)).toEqual([
      { row: 1, ok: { id: 'a', completion: '\\boxed{1}', gold: '1' } },
      { row: 2, ok: { id: 2, completion: 'x', gold: '2.5' } },
    ]);
  });

  it('keeps bad rows in file order, each naming the file, row and field', () => {
    const path = file([
      JSON.stringify({ completion: 'x', gold: '1' }),
      JSON.stringify({ completion: 7, gold: '1', id: 'q2' }),
      JSON.stringify({ completion: 'x' }),
      '{not json',
    ]);
    const rows = readVerifyRows(path);
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3, 4]);
    const [second, third, fourth] = bad(rows);
    expect(second.bad.message).toBe(
      `${path}: row 2, field "completion": completion must be a string (wrong_type)`,
    );
    expect(third.bad.message).toMatch(/row 3, field "gold": missing gold/);
    expect(fourth.bad.message).toMatch(/row 4: invalid JSON/);
    expect(JSON.parse(badRowLine(second))).toEqual({
      id: 'q2',
      reward: 0,
      extracted: null,
      reason: 'error',
      detail: second.bad.message,
    });
    expect(JSON.parse(badRowLine(fourth)).id).toBe(4);
  });

  it('writes id, reward, extracted and reason (and why, when it failed)', () => {
    const row = { id: 'q1', completion: '\\boxed{10!}', gold: '3628801' };
    const line = JSON.parse(outputLine(row, verifyAnswer(row.completion, row.gold)));
    expect(line).toMatchObject({ id: 'q1', reward: 0, extracted: '10!', reason: 'wrong' });
    expect(typeof line.detail).toBe('string');
    const ok = JSON.parse(outputLine(row, verifyAnswer('\\boxed{10!}', '3628800')));
    expect(ok).toEqual({ id: 'q1', reward: 1, extracted: '10!', reason: 'correct' });
  });
});
