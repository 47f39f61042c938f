/** Empty datasets, blank rows and empty answers are errors naming file and row; the CLI prints them without a stack. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DatasetError, loadProblems } from '../../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'flopwise-bad-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const row = (i: number, answer: unknown = String(i)) =>
  JSON.stringify({ prompt: `q${i}`, answer, extra_info: { id: `id${i}` } });

async function failure(p: Promise<unknown>): Promise<DatasetError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}

describe('bad datasets', () => {
  it('a blank line between rows is a bad row naming its line; blank lines at the end are fine', async () => {
    const f = file('blank.jsonl', [row(1), '   ', row(3)].join('\n') + '\n');
    const err = await failure(loadProblems(f));
    expect(err.message).toBe(`${f}: row 2: a blank line between rows (blank_row)`);
    const skipped = await loadProblems(f, { onBadRow: 'skip' });
    expect(skipped.problems.map((p) => p.id)).toEqual(['id1', 'id3']);
    expect(skipped.skippedByReason).toEqual({ blank_row: 1 });
    const trailing = file('trailing.jsonl', [row(1), row(2), '', '', ''].join('\n'));
    expect((await loadProblems(trailing)).problems).toHaveLength(2);
  });

  it('an empty answer names the file, row and field', async () => {
    const f = file('answer.jsonl', [row(1), row(2, '  ')].join('\n') + '\n');
    const err = await failure(loadProblems(f));
    expect(err.message).toBe(`${f}: row 2, field "answer": empty answer (empty_answer)`);
  });

  it('an empty dataset, or one whose every row is bad, is an error naming the file', async () => {
    const empty = file('empty.jsonl', '');
    expect((await failure(loadProblems(empty))).message).toBe(
      `${empty}: row 0: no problems to load: it has no rows (empty_dataset)`,
    );
    const blanks = file('blanks.jsonl', '\n\n  \n');
    expect((await failure(loadProblems(blanks))).reason).toBe('empty_dataset');
    const allBad = file('allbad.jsonl', [row(1, ''), row(2, '')].join('\n') + '\n');
    const err = await failure(loadProblems(allBad, { onBadRow: 'skip' }));
    expect(err.message).toMatch(
      /no problems to load: all 2 rows are bad \(first: .*row 1, field "answer": empty answer/,
    );
  });
});

describe('the CLI on bad input: one line, no stack trace', () => {
  const run = promisify(execFile);
  const root = join(import.meta.dirname, '..', '..');
  const flopwise = (...args: string[]) =>
    run(join(root, 'node_modules/.bin/tsx'), [join(root, 'src/cli/index.ts'), ...args], {
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );

  it('data summary of a missing file, data generate with a bad number, profile with --temperature abc', async () => {
    const missing = join(dir, 'nope.jsonl');
    const [summary, generate, profile] = await Promise.all([
      flopwise('data', 'summary', missing),
      flopwise('data', 'generate', '--n', 'abc', '--out', join(dir, 'x.jsonl')),
      flopwise('profile', '--temperature', 'abc'),
    ]);
    expect(summary.code).toBe(1);
    expect(summary.stderr).toMatch(new RegExp(`^flopwise: ${missing}: row 0: ENOENT`));
    expect(summary.stderr).not.toMatch(/\n\s+at /);
    expect(generate.code).toBe(1);
    expect(generate.stderr).toMatch(/--n: expected an integer ≥ 1, got 'abc'/);
    expect(profile.code).toBe(1);
    expect(profile.stderr).toMatch(/--temperature: expected a number ≥ 0, got 'abc'/);
  });
});
