import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/run/ledger.js';
import { evaluate } from '../../src/run/evaluator.js';
import { runProfile } from '../../src/run/profile.js';
import { profileSummary } from '../../src/cli/commands/profile.js';
import { addScoreCounts, emptyScoreCounts, scoreAll, type Scorer } from '../../src/run/scoring.js';
import { TabularPolicy, toyProblems } from '../helpers/tabular-policy.js';

const ps = toyProblems(12);

/** Reason by prompt: every 3rd prompt times out, every 4th is malformed, the rest are wrong. */
const byPrompt: Scorer = async (problem) => {
  const i = Number(problem.id.slice(4));
  if (i % 3 === 0) return { reward: 0, reason: 'timeout' };
  if (i % 4 === 0) return { reward: 0, reason: 'malformed' };
  return { reward: 0, reason: 'wrong' };
};

describe('score counts', () => {
  it('scoreAll keeps the order and tallies reasons', async () => {
    const counts = emptyScoreCounts();
    const res = await scoreAll(
      byPrompt,
      [ps[0], ps[1], ps[4], ps[3]].map((p) => [p, 'x'] as const),
      counts,
    );
    expect(res.map((r) => r.reason)).toEqual(['timeout', 'wrong', 'malformed', 'timeout']);
    expect(counts).toMatchObject({ timeout: 2, wrong: 1, malformed: 1, correct: 0, error: 0 });
    expect(addScoreCounts(undefined, counts)).toEqual(counts);
    expect(addScoreCounts(counts, counts).timeout).toBe(4);
  });

  it("a profile's meta counts timeouts, crashes and malformed answers", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flopwise-counts-'));
    const k = 3;
    const outcome = await runProfile({
      policy: new TabularPolicy(ps, () => 0),
      problems: ps,
      score: byPrompt,
      dir,
      ledger: new Ledger(),
      options: { k, temperature: 1, maxNewTokens: 4, seed: 1, chunkSize: 5 },
      model: 'toy',
    });
    // Prompts 0..11: timeouts at 0, 3, 6, 9; malformed at 4, 8; the other 6 wrong; k rollouts each.
    expect(outcome.meta.scoring).toEqual({
      ...emptyScoreCounts(),
      timeout: 4 * k,
      malformed: 2 * k,
      wrong: 6 * k,
    });
    expect(profileSummary(outcome, 'p.jsonl')).toContain(
      'scoring: 0 correct, 18 wrong, 0 no answer, 6 malformed, 12 timed out, 0 crashed',
    );
  });

  it('an evaluation counts them too, greedy and sampled', async () => {
    const r = await evaluate(new TabularPolicy(ps, () => 0), ps, byPrompt, new Ledger(), {
      samples: 2,
      passK: 1,
      maxNewTokens: 4,
      seed: 3,
    });
    // One greedy and two sampled completions per prompt: 3 scores for each of the 12 prompts.
    expect(r.scoring).toEqual({ ...emptyScoreCounts(), timeout: 4 * 3, malformed: 2 * 3, wrong: 6 * 3 });
    expect(r.greedyAccuracy).toBe(0);
  });
});
