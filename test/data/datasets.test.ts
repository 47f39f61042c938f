import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/data.js';
import {
  DatasetError,
  loadProblems,
  problemToRow,
  readRows,
  resolveMixture,
  rowToProblem,
  saveProblems,
  summarize,
  writeRows,
} from '../../src/data/index.js';
import { DEFAULT_MIXTURE, formatTarget, generateMixture, scoreProblem } from '../../src/tasks/index.js';

const dir = mkdtempSync(join(tmpdir(), 'flopwise-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jsonl(name: string, lines: string[], trailingNewline = true): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + (trailingNewline ? '\n' : ''));
  return file;
}

const verlRow = (i: number, extra: Record<string, unknown> = {}) => ({
  data_source: 'gsm8k',
  prompt: [{ role: 'user', content: `question ${i}` }],
  ability: 'math',
  reward_model: { style: 'rule', ground_truth: String(i * 2) },
  extra_info: { split: 'train', index: i, answer: `full solution ${i}`, nested: { a: [1, 2, { b: null }] } },
  ...extra,
});

async function expectBadRow(file: string, row: number, field: string | undefined, reason: string, opts = {}) {
  try {
    await loadProblems(file, opts);
    expect.unreachable('should have thrown');
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    const err = e as DatasetError;
    expect(err.file).toBe(file);
    expect(err.row).toBe(row);
    expect(err.field).toBe(field);
    expect(err.reason).toBe(reason);
    expect(err.message).toContain(file);
    expect(err.message).toContain(`row ${row}`);
    if (field) expect(err.message).toContain(`"${field}"`);
  }
}

describe('loading rows as problems', () => {
  it('reads verl-style rows (chat prompt, reward_model.ground_truth, extra_info.index)', async () => {
    const file = jsonl(
      'verl.jsonl',
      [0, 1, 2].map((i) => JSON.stringify(verlRow(i))),
    );
    const { problems, skipped } = await loadProblems(file);
    expect(skipped).toEqual([]);
    expect(problems).toHaveLength(3);
    expect(problems[1]).toMatchObject({
      id: '1',
      prompt: 'question 1',
      answer: '2',
      meta: { family: 'gsm8k', difficulty: 0 },
    });
    expect(problems[1].meta.chat).toEqual([{ role: 'user', content: 'question 1' }]);
    expect(problems[1].meta.extra_info).toMatchObject({ split: 'train', index: 1 });
  });

  it('reads plain rows: prompt string, answer, ids from extra_info.id or the row number', async () => {
    const file = jsonl('plain.jsonl', [
      JSON.stringify({ prompt: 'a?', answer: 'A', extra_info: { id: 'q-a' } }),
      JSON.stringify({ prompt: 'b?', answer: 7 }),
      '',
      '  ',
    ]);
    const { problems } = await loadProblems(file);
    expect(problems.map((p) => [p.id, p.prompt, p.answer, p.meta.family])).toEqual([
      ['q-a', 'a?', 'A', 'unknown'],
      ['row-2', 'b?', '7', 'unknown'],
    ]);
    expect(problems.map((p) => p.meta.sourceRow)).toEqual([1, 2]);
  });

  it('maps other column layouts, including dotted paths', async () => {
    const file = jsonl('mapped.jsonl', [
      JSON.stringify({ question: 'what?', solution: '42', uid: 'u1', src: 'mine' }),
      JSON.stringify({ question: 'why?', solution: '43', uid: 'u2', src: 'mine' }),
    ]);
    const { problems } = await loadProblems(file, {
      columns: { prompt: 'question', answer: 'solution', id: 'uid', dataSource: 'src' },
    });
    expect(problems.map((p) => [p.id, p.prompt, p.answer, p.meta.family])).toEqual([
      ['u1', 'what?', '42', 'mine'],
      ['u2', 'why?', '43', 'mine'],
    ]);
    const nested = jsonl('nested.jsonl', [JSON.stringify({ q: { text: 'hi' }, meta: { final: '1' } })]);
    const r = await loadProblems(nested, { columns: { prompt: 'q.text', answer: 'meta.final' } });
    expect(r.problems[0]).toMatchObject({ prompt: 'hi', answer: '1' });
  });
});

describe('bad rows: file, row (1-based) and field in the error', () => {
  const good = (i: number) =>
    JSON.stringify({ prompt: `p${i}`, answer: `a${i}`, extra_info: { id: `id${i}` } });

  it('missing prompt', async () => {
    const file = jsonl('missing-prompt.jsonl', [good(1), JSON.stringify({ answer: 'x' })]);
    await expectBadRow(file, 2, 'prompt', 'missing_field');
  });
  it('missing answer names reward_model.ground_truth', async () => {
    const file = jsonl('missing-answer.jsonl', [good(1), good(2), JSON.stringify({ prompt: 'q' })]);
    await expectBadRow(file, 3, 'reward_model.ground_truth', 'missing_field');
  });
  it('wrong types', async () => {
    await expectBadRow(
      jsonl('wt1.jsonl', [JSON.stringify({ prompt: 5, answer: '1' })]),
      1,
      'prompt',
      'wrong_type',
    );
    await expectBadRow(
      jsonl('wt2.jsonl', [good(1), JSON.stringify({ prompt: 'q', answer: { x: 1 } })]),
      2,
      'answer',
      'wrong_type',
    );
    await expectBadRow(
      jsonl('wt3.jsonl', [JSON.stringify({ prompt: 'q', answer: '1', data_source: 3 })]),
      1,
      'data_source',
      'wrong_type',
    );
    await expectBadRow(
      jsonl('wt4.jsonl', [JSON.stringify({ prompt: 'q', answer: '1', extra_info: 'x' })]),
      1,
      'extra_info',
      'wrong_type',
    );
  });
  it('empty prompt', async () => {
    await expectBadRow(
      jsonl('empty.jsonl', [good(1), JSON.stringify({ prompt: '  ', answer: '1' })]),
      2,
      'prompt',
      'empty_prompt',
    );
  });
  it('duplicate id', async () => {
    await expectBadRow(jsonl('dup.jsonl', [good(1), good(2), good(1)]), 3, 'extra_info.id', 'duplicate_id');
  });
  it('invalid JSON', async () => {
    await expectBadRow(
      jsonl('badjson.jsonl', [good(1), '{"prompt": "x",', good(3)]),
      2,
      undefined,
      'invalid_json',
    );
  });
  it('invalid UTF-8', async () => {
    const file = join(dir, 'utf8.jsonl');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(good(1) + '\n'),
        Buffer.from('{"prompt": "'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('", "answer": "1"}\n'),
      ]),
    );
    await expectBadRow(file, 2, undefined, 'invalid_utf8');
  });
  it('truncated file (last line cut off)', async () => {
    const full = good(2);
    const file = jsonl('trunc.jsonl', [good(1), full.slice(0, full.length - 5)], false);
    await expectBadRow(file, 2, undefined, 'truncated');
  });
  it('a truncated Parquet file is reported', async () => {
    const file = join(dir, 'trunc.parquet');
    writeRows(file, [{ prompt: 'a', answer: '1' }]);
    const buf = readFileSync(file);
    writeFileSync(file, buf.subarray(0, buf.length - 10));
    await expect(loadProblems(file)).rejects.toThrow(/trunc\.parquet: row 0: .*Parquet/);
  });
  it("onBadRow 'skip' skips and counts by reason", async () => {
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(
      file,
      [
        good(1),
        JSON.stringify({ answer: 'x' }),
        good(3),
        '{oops',
        JSON.stringify({ prompt: '', answer: '1' }),
        good(1),
        JSON.stringify({ prompt: 'ok', answer: [1] }),
        good(8),
        good(9).slice(0, 10),
      ].join('\n'),
    );
    const r = await loadProblems(file, { onBadRow: 'skip' });
    expect(r.problems.map((p) => p.id)).toEqual(['id1', 'id3', 'id8']);
    expect(r.skippedByReason).toEqual({
      missing_field: 1,
      invalid_json: 1,
      empty_prompt: 1,
      duplicate_id: 1,
      wrong_type: 1,
      truncated: 1,
    });
    expect(r.skipped.map((e) => e.row)).toEqual([2, 4, 5, 6, 7, 9]);
  });
});

describe('round trips', () => {
  it('JSONL → Parquet → JSONL preserves every field', async () => {
    const rows = [
      verlRow(0),
      verlRow(1, { prompt: 'a plain string prompt', score: 0.25, flag: true }),
      {
        prompt: 'unicode ✓ — ünïcødé',
        answer: '\\frac{1}{2}',
        data_source: 'x',
        extra_info: { id: 'k', list: ['a', 'b'] },
        n: -3,
      },
    ];
    const a = join(dir, 'rt-a.jsonl');
    const pq = join(dir, 'rt.parquet');
    const b = join(dir, 'rt-b.jsonl');
    writeRows(a, rows);
    const fromA = await readRows(a);
    writeRows(
      pq,
      fromA.rows.map((r) => r.data),
    );
    const fromPq = await readRows(pq);
    writeRows(
      b,
      fromPq.rows.map((r) => r.data),
    );
    const fromB = await readRows(b);
    expect(fromB.rows.map((r) => r.data)).toEqual(rows);
    expect(fromPq.rows.map((r) => r.data)).toEqual(rows);
    // Problems loaded from each are identical too.
    expect((await loadProblems(b)).problems).toEqual((await loadProblems(a)).problems);
  });

  it('generated problems survive save/load in both formats, scorable after loading', async () => {
    const { problems } = generateMixture(DEFAULT_MIXTURE, { n: 300, seed: 5, split: 'train' });
    for (const ext of ['jsonl', 'parquet']) {
      const file = join(dir, `gen.${ext}`);
      saveProblems(file, problems);
      const back = await loadProblems(file);
      expect(back.problems.map((p) => p.meta.sourceRow)).toEqual(problems.map((_, i) => i + 1));
      expect(back.problems.map(({ meta: { sourceRow: _row, ...meta }, ...p }) => ({ ...p, meta }))).toEqual(
        problems,
      );
      for (const p of back.problems) expect(scoreProblem(p, formatTarget(p)).reward).toBe(1);
    }
  });

  it('problemToRow / rowToProblem are inverse (property)', () => {
    const problemArb = fc.record({
      id: fc.string({ minLength: 1 }),
      prompt: fc.string({ minLength: 1 }).filter((s) => s.trim().length > 0),
      answer: fc.string().filter((s) => s.trim().length > 0),
      meta: fc.record({
        family: fc.string(),
        difficulty: fc.integer(),
        level: fc.integer({ min: 1, max: 9 }),
      }),
    });
    fc.assert(
      fc.property(problemArb, fc.nat(), (p, i) => {
        expect(rowToProblem(problemToRow(p, i), i + 1, 'mem')).toEqual(p);
      }),
    );
  });
});

describe('summary and mixtures from files', () => {
  it('summarises rows, families, difficulty histograms and answer lengths', () => {
    const mk = (family: string, difficulty: number, answer: string) => ({
      id: answer + family,
      prompt: 'p',
      answer,
      meta: { family, difficulty },
    });
    const s = summarize([mk('add', 1, '3'), mk('add', 2, '12'), mk('add', 2, '14'), mk('mul', 4, '1234')]);
    expect(s.rows).toBe(4);
    expect(s.families.add).toMatchObject({
      count: 3,
      difficulty: { '1': 1, '2': 2 },
      answerLength: { min: 1, max: 2 },
    });
    expect(s.families.add.answerLength.mean).toBeCloseTo(5 / 3);
    expect(s.families.mul.count).toBe(1);
    expect(s.answerLength).toMatchObject({ min: 1, max: 4 });
  });

  it('resolves named and file mixtures, with field errors for bad files', () => {
    expect(resolveMixture('default').name).toBe('default');
    const good = join(dir, 'mix.json');
    writeFileSync(
      good,
      JSON.stringify({ name: 'mine', components: [{ family: 'add', weight: 1, levels: [1, 2] }] }),
    );
    expect(resolveMixture(good).name).toBe('mine');
    const yml = join(dir, 'mix.yaml');
    writeFileSync(
      yml,
      'components:\n  - family: mul\n    weight: 2\n    config: { digitsA: 3, digitsB: 3 }\n',
    );
    expect(resolveMixture(yml).components[0].family).toBe('mul');
    const bad = join(dir, 'bad-mix.json');
    writeFileSync(bad, JSON.stringify({ components: [{ family: 'add', weight: 'heavy' }] }));
    expect(() => resolveMixture(bad)).toThrow(/bad-mix\.json.*components\.0\.weight/);
    expect(() => resolveMixture('no-such-mixture')).toThrow(/unknown mixture/);
  });
});

describe('CLI: flopwise data', () => {
  async function run(...args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    register(program);
    const out: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      await program.parseAsync(['node', 'flopwise', ...args]);
    } finally {
      spy.mockRestore();
    }
    return out.join('\n');
  }

  it('generate then summary, deterministic, both formats', async () => {
    const a = join(dir, 'cli-a.parquet');
    const b = join(dir, 'cli-b.jsonl');
    expect(
      await run(
        'data',
        'generate',
        '--mixture',
        'default',
        '--n',
        '200',
        '--seed',
        '3',
        '--split',
        'eval',
        '--out',
        a,
      ),
    ).toMatch(/wrote 200 problems/);
    await run('data', 'generate', '--n', '200', '--seed', '3', '--split', 'eval', '--out', b);
    expect((await loadProblems(a)).problems).toEqual((await loadProblems(b)).problems);
    expect((await loadProblems(b)).problems.every((p) => p.meta.split === 'eval')).toBe(true);
    const summary = await run('data', 'summary', a);
    expect(summary).toMatch(/rows: 200/);
    expect(summary).toMatch(/add: \d+ rows/);
    expect(summary).toMatch(/difficulty histogram/);
    const json = JSON.parse(await run('data', 'summary', b, '--json'));
    expect(json.rows).toBe(200);
  });
});
