import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputLine, readVerifyRows } from '../../src/cli/commands/verify.js';
import { verifyAnswer } from '../../src/verify/index.js';

function file(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
  const path = join(dir, 'in.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('flopwise verify input and output', () => {
  it('reads completion with gold or answer, ids defaulting to the row number', () => {
    const path = file([
      JSON.stringify({ completion: '\\boxed{1}', gold: '1', id: 'a' }),
      JSON.stringify({ completion: 'x', answer: 2.5 }),
    ]);
    expect(readVerifyRows(path)).toEqual([
      { id: 'a', completion: '\\boxed{1}', gold: '1' },
      { id: 2, completion: 'x', gold: '2.5' },
    ]);
  });

  it('names file, row and field of the first bad row, and counts the others', () => {
    const path = file([
      JSON.stringify({ completion: 'x', gold: '1' }),
      JSON.stringify({ completion: 7, gold: '1' }),
      JSON.stringify({ completion: 'x' }),
      '{not json',
    ]);
    expect(() => readVerifyRows(path)).toThrow(
      `${path}: row 2, field "completion": completion must be a string`,
    );
    expect(() => readVerifyRows(path)).toThrow('and 2 more bad rows');
    const noGold = file([JSON.stringify({ completion: 'x', id: {} })]);
    expect(() => readVerifyRows(noGold)).toThrow(/row 1, field "gold": missing gold/);
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
