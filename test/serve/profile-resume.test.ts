/** A profile directory remembers its settings: resuming with others is refused (or starts over with fresh). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/run/ledger.js';
import {
  PROFILE_FILES,
  ProfileMismatchError,
  runProfile,
  type ProfileOptions,
} from '../../src/run/profile.js';
import { exactScorer, TabularPolicy, toyProblems } from '../helpers/tabular-policy.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'flopwise-resume-'));
const ps = toyProblems(20);
const policy = () => new TabularPolicy(ps, (_, i) => -4 + (i % 9));
const options: ProfileOptions = { k: 4, temperature: 1, maxNewTokens: 4, seed: 5, chunkSize: 8 };
const profile = (dir: string, o: Partial<ProfileOptions> = {}, extra: Record<string, unknown> = {}) =>
  runProfile({
    policy: policy(),
    problems: ps,
    score: exactScorer,
    dir,
    ledger: new Ledger(),
    options: { ...options, ...o },
    model: 'ckpt-a',
    ...extra,
  });

async function mismatch(run: Promise<unknown>): Promise<ProfileMismatchError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProfileMismatchError);
  return err as ProfileMismatchError;
}

describe('profile resume checks', () => {
  it('refuses another k, seed, temperature or max tokens, naming what differs', async () => {
    const dir = tmp();
    await profile(dir, {}, { stopAfterChunks: 1 });
    expect((await mismatch(profile(dir, { k: 8 }))).message).toMatch(
      /k \(samples per prompt\): was 4, now 8/,
    );
    expect((await mismatch(profile(dir, { seed: 6 }))).differences).toEqual(['seed: was 5, now 6']);
    expect((await mismatch(profile(dir, { temperature: 0.7 }))).differences).toEqual([
      'temperature: was 1, now 0.7',
    ]);
    const two = await mismatch(profile(dir, { maxNewTokens: 9, k: 2 }));
    expect(two.differences).toEqual(['k (samples per prompt): was 4, now 2', 'max new tokens: was 4, now 9']);
    expect(two.message).toMatch(/--fresh/);
  });

  it('refuses another dataset or model', async () => {
    const dir = tmp();
    await profile(dir);
    const other = ps.map((p, i) => (i === 3 ? { ...p, answer: p.answer + '0' } : p));
    const err = await mismatch(
      runProfile({
        policy: policy(),
        problems: other,
        score: exactScorer,
        dir,
        ledger: new Ledger(),
        options,
        model: 'ckpt-a',
      }),
    );
    expect(err.differences).toHaveLength(1);
    expect(err.differences[0]).toMatch(
      /^dataset \(hash of ids, prompts and answers\): was [0-9a-f]{12}, now [0-9a-f]{12}$/,
    );
    const m = await mismatch(
      runProfile({
        policy: policy(),
        problems: ps,
        score: exactScorer,
        dir,
        ledger: new Ledger(),
        options,
        model: 'ckpt-b',
      }),
    );
    expect(m.differences).toEqual(['model: was "ckpt-a", now "ckpt-b"']);
  });

  it('with fresh, starts over under the new settings', async () => {
    const dir = tmp();
    await profile(dir);
    const again = await profile(dir, { k: 2 }, { fresh: true });
    expect(again.rows).toHaveLength(20);
    expect(again.rows.every((r) => r.k === 2)).toBe(true);
    const whole = await profile(tmp(), { k: 2 });
    expect(again.rows).toEqual(whole.rows);
  });

  it('a resumed profile charges the whole profile to the ledger, not only the chunks sampled after the resume', async () => {
    const whole = await profile(tmp());
    const dir = tmp();
    await profile(dir, {}, { stopAfterChunks: 2 });
    const ledger = new Ledger();
    const resumed = await runProfile({
      policy: policy(),
      problems: ps,
      score: exactScorer,
      dir,
      ledger,
      options,
      model: 'ckpt-a',
    });
    expect(resumed.meta.flops).toBe(whole.meta.flops);
    expect(ledger.get('profile').flops).toBe(whole.meta.flops);
    expect(ledger.get('profile').tokens).toBe(whole.meta.tokens);
  });

  it('a directory from before settings were recorded resumes when its rows have the same k, else is refused', async () => {
    const whole = await profile(tmp());
    const dir = tmp();
    await profile(dir, {}, { stopAfterChunks: 1 });
    rmSync(join(dir, PROFILE_FILES.settings));
    expect((await mismatch(profile(dir, { k: 2 }))).differences).toEqual([
      'k (samples per prompt): was 4, now 2',
    ]);
    const resumed = await profile(dir);
    expect(resumed.rows).toEqual(whole.rows);
  });
});
