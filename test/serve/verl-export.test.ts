/** `flopwise export --format verl`: one Parquet file per phase, read back column by column. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sgpoPlan } from '../../src/algo/index.js';
import { readParquetRows } from '../../src/data/parquet.js';
import { PROFILE_FILES, readProfileTable, writeProfileWithPlan } from '../../src/run/profile.js';
import { exportVerl, phaseFileName } from '../../src/serve/verl-export.js';
import type { Problem } from '../../src/tasks/types.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'flopwise-verl-'));
const successes = [8, 7, 6, 4, 2, 1, 0, 0];
const entries = successes.map((s, i) => ({ id: `p${i}`, k: 8, successes: s }));
const problems: Problem[] = entries.map((e, i) => ({
  id: e.id,
  prompt: `question ${i}`,
  answer: String(10 * i),
  meta: {
    family: i % 2 ? 'arith' : 'strings',
    difficulty: i,
    ...(i === 3
      ? {
          chat: [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: 'question 3' },
          ],
        }
      : {}),
  },
}));
// α = 1 keeps both unsolved prompts, so the phases are fixed by hand:
// p̂ 1, 0.875 trivial; 0.75 and 0.5 → G = 2; 0.25 → G = 4; 0.125 → G = 8; 0, 0 unsolved (every phase).
const options = { alpha: 1, seed: 1 };
const expected = [
  { phase: 1, G: 2, ids: ['p2', 'p3', 'p6', 'p7'] },
  { phase: 2, G: 4, ids: ['p4', 'p6', 'p7'] },
  { phase: 3, G: 8, ids: ['p5', 'p6', 'p7'] },
];

describe('verl export', () => {
  it('writes one file per phase named with its G; every column reads back as verl expects', async () => {
    const dir = tmp();
    const plan = sgpoPlan(entries, options);
    const files = exportVerl(dir, plan, problems, { ability: 'math', profile: 'p.jsonl' });
    expect(files.map((f) => [f.phase, f.G, f.file])).toEqual(
      expected.map((e) => [e.phase, e.G, phaseFileName(e.phase, e.G)]),
    );
    for (const e of expected) {
      const { rows } = await readParquetRows(join(dir, `phase-${e.phase}-G${e.G}.parquet`));
      const data = rows.map((r) => r.data);
      expect(data.map((d) => (d.extra_info as { id: string }).id).sort()).toEqual(e.ids);
      for (const [index, d] of data.entries()) {
        const id = (d.extra_info as { id: string }).id;
        const i = Number(id.slice(1));
        expect(Object.keys(d)).toEqual(['data_source', 'prompt', 'ability', 'reward_model', 'extra_info']);
        expect(d.data_source).toBe(i % 2 ? 'arith' : 'strings');
        expect(d.prompt).toEqual(
          i === 3
            ? [
                { role: 'system', content: 'be brief' },
                { role: 'user', content: 'question 3' },
              ]
            : [{ role: 'user', content: `question ${i}` }],
        );
        expect(d.ability).toBe('math');
        expect(d.reward_model).toEqual({ style: 'rule', ground_truth: String(10 * i) });
        expect(d.extra_info).toEqual({
          index,
          id,
          split: 'train',
          p_hat: successes[i] / 8,
          k: 8,
          successes: successes[i],
          G: e.G, // kept unsolved prompts too: their phase's G, never 0
          phase: e.phase,
          class: successes[i] === 0 ? 'unsolved' : 'learnable',
        });
      }
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'verl-plan.json'), 'utf8'));
    expect(manifest.phases.map((p: { prompts: number }) => p.prompts)).toEqual([4, 3, 3]);
  });

  it('numbers phases from 1 in the profile table too, and plan reads the Parquet profile like the JSONL one', async () => {
    const dir = tmp();
    writeProfileWithPlan(dir, entries, options, [
      { id: 'p9', chunk: 0, failed: true, error: 'dataset row 10: HTTP 500' },
    ]);
    const jsonl = await readProfileTable(join(dir, PROFILE_FILES.jsonl));
    const parquet = await readProfileTable(join(dir, PROFILE_FILES.parquet));
    expect(parquet.entries).toEqual(entries);
    expect(jsonl.entries).toEqual(entries);
    expect(parquet.failed).toEqual(['p9']);
    const phaseOf = Object.fromEntries(parquet.rows.map((r) => [r.id, r.phase]));
    expect(phaseOf).toMatchObject({ p0: '', p2: '1', p4: '2', p5: '3', p6: '1,2,3' });
    const G = Object.fromEntries(jsonl.rows.map((r) => [r.id, r.G]));
    expect(G).toMatchObject({ p0: null, p2: 2, p4: 4, p5: 8, p6: null });
  });

  it("refuses a dataset without the profile's prompts, writing nothing", () => {
    const dir = tmp();
    expect(() =>
      exportVerl(dir, sgpoPlan(entries, options), problems.slice(0, 5), { ability: 'math', profile: 'p' }),
    ).toThrow(/prompt "p6" is not in the dataset/);
    expect(existsSync(join(dir, 'phase-1-G2.parquet'))).toBe(false);
  });
});
