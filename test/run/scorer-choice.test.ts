import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../../src/run/config.js';
import { assignScorers, usesFamilyScorer } from '../../src/run/scorer-choice.js';
import { loadDataset, scorerFor } from '../../src/run/setup.js';
import type { Problem } from '../../src/tasks/index.js';
import { closeSharedVerifierPool } from '../../src/verify/index.js';

const problem = (family: string, id = 'p1'): Problem => ({
  id,
  prompt: 'What is 5+7?',
  answer: '12',
  meta: { family, difficulty: 0 },
});

describe('scorer choice for dataset rows', () => {
  afterAll(() => closeSharedVerifierPool());

  it("by default a data_source equal to a family name ('add') still gets the verifier", () => {
    const [p] = assignScorers([problem('add')], 'd.jsonl', 'verifier');
    expect(p.meta.scorer).toBe('verifier');
    expect(usesFamilyScorer(p)).toBe(false);
  });

  it("'family:add' asks for the family scorer explicitly, under either setting", () => {
    for (const mode of ['verifier', 'family'] as const) {
      const [p] = assignScorers([problem('family:add')], 'd.jsonl', mode);
      expect(p.meta).toMatchObject({ family: 'add', scorer: 'family' });
      expect(usesFamilyScorer(p)).toBe(true);
    }
  });

  it('a mismatch is an error naming the file, the row and the field', () => {
    expect(() => assignScorers([problem('add'), problem('gsm8k', 'q7')], 'd.jsonl', 'family')).toThrow(
      /d\.jsonl: problem 2 \(id "q7"\), field "data_source": data\.scorer is 'family' but "gsm8k" names no procedural family/,
    );
    expect(() => assignScorers([problem('family:nope')], 'd.jsonl', 'verifier')).toThrow(
      /problem 1 \(id "p1"\), field "data_source": "family:nope" names no procedural family/,
    );
  });

  it('procedural problems (no choice recorded) keep their family scorer', () => {
    expect(usesFamilyScorer(problem('add'))).toBe(true);
    expect(usesFamilyScorer(problem('gsm8k'))).toBe(false);
  });

  it('a dataset file loads with the choice applied and scores through it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorer-'));
    const file = join(dir, 'd.jsonl');
    const rows = [
      { prompt: 'What is 5+7?', answer: '12', data_source: 'add' },
      { prompt: 'What is 5+8?', answer: '13', data_source: 'family:add' },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const data = TrainConfigSchema.parse({}).data;
    const [viaVerifier, viaFamily] = await loadDataset(file, data);
    expect(viaVerifier.meta.scorer).toBe('verifier');
    expect(viaFamily.meta.scorer).toBe('family');
    const score = scorerFor(data);
    // The verifier reads a boxed answer; the family scorer wants its own answer format.
    expect((await score(viaVerifier, 'so \\boxed{12}')).reward).toBe(1);
    expect((await score(viaFamily, 'so \\boxed{13}')).reward).toBe(0);
    await expect(loadDataset(file, { ...data, scorer: 'family' })).resolves.toHaveLength(2);
  });
});
