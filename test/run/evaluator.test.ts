import { describe, expect, it } from 'vitest';
import type { SampleRequest, SampleResult } from '../../src/policy/types.js';
import { evaluate, passAtK } from '../../src/run/evaluator.js';
import { Ledger } from '../../src/run/ledger.js';
import type { Scorer } from '../../src/run/scoring.js';
import { TabularPolicy, toyProblems } from '../helpers/tabular-policy.js';

/** 1 − C(n−c, k)/C(n, k) computed directly with binomial coefficients. */
function direct(n: number, c: number, k: number): number {
  const choose = (a: number, b: number): number => {
    if (b < 0 || b > a) return 0;
    let r = 1;
    for (let i = 1; i <= b; i++) r = (r * (a - b + i)) / i;
    return r;
  };
  return 1 - choose(n - c, k) / choose(n, k);
}

describe('pass@k', () => {
  it('matches hand-computed values', () => {
    expect(passAtK(4, 1, 1)).toBeCloseTo(0.25, 12);
    expect(passAtK(4, 1, 2)).toBeCloseTo(0.5, 12); // 1 − C(3,2)/C(4,2) = 1 − 3/6
    expect(passAtK(5, 2, 2)).toBeCloseTo(0.7, 12); // 1 − C(3,2)/C(5,2) = 1 − 3/10
    expect(passAtK(8, 0, 4)).toBe(0);
    expect(passAtK(8, 5, 4)).toBe(1); // fewer than k wrong: every k-subset has a correct one
  });

  it('agrees with the binomial formula everywhere', () => {
    for (let n = 1; n <= 12; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) expect(passAtK(n, c, k)).toBeCloseTo(direct(n, c, k), 10);
  });

  it('rejects k > n', () => {
    expect(() => passAtK(2, 1, 3)).toThrow(/k ≤ n/);
  });
});

/**
 * A remote-like policy that gives up on some prompts: with allowFailures they come back in `failed`
 * (groups empty), without it the call throws, as the server fleet does.
 */
class GivingUpPolicy {
  readonly kind = 'openai';
  constructor(
    private readonly inner: TabularPolicy,
    private readonly down: (prompt: string, temperature: number) => boolean,
  ) {}
  async sample(req: SampleRequest): Promise<SampleResult> {
    const res = await this.inner.sample(req);
    const failed = req.prompts.flatMap((p, index) =>
      this.down(p, req.temperature) ? [{ index, error: `server gave up on ${p}`, server: 's1' }] : [],
    );
    if (failed.length > 0 && !req.allowFailures) throw new Error(failed[0].error);
    return {
      ...res,
      groups: res.groups.map((g, i) => (failed.some((f) => f.index === i) ? [] : g)),
      ...(failed.length > 0 ? { failed } : {}),
    };
  }
  async close(): Promise<void> {}
}

describe('evaluation with prompts given up', () => {
  const ps = toyProblems(8);
  // prompts 0..3 always right, 4..7 always wrong (greedy and sampled)
  const tab = () => new TabularPolicy(ps, (_, i) => (i < 4 ? 20 : -20));
  const exact: Scorer = async (p, text) =>
    text === p.answer ? { reward: 1, reason: 'correct' } : { reward: 0, reason: 'wrong' };
  const opts = { samples: 2, passK: 1, maxNewTokens: 4, seed: 1 };

  it('leaves a prompt given up in either pass out of every figure and lists it', async () => {
    // prompt 4 (wrong) fails greedy, prompt 0 (right) fails only the sampled pass
    const policy = new GivingUpPolicy(
      tab(),
      (p, t) => (p === ps[4].prompt && t === 0) || (p === ps[0].prompt && t > 0),
    );
    const r = await evaluate(policy, ps, exact, new Ledger(), { ...opts, allowFailures: true });
    // kept: 1, 2, 3 right; 5, 6, 7 wrong
    expect(r.prompts).toBe(6);
    expect(r.greedyAccuracy).toBeCloseTo(3 / 6, 12);
    expect(r.sampledAccuracy).toBeCloseTo(3 / 6, 12);
    expect(r.passAtK).toBeCloseTo(3 / 6, 12);
    expect(r.givenUp?.map((f) => f.id).sort()).toEqual([ps[0].id, ps[4].id].sort());
    expect(r.givenUp?.every((f) => f.server === 's1' && /gave up/.test(f.error))).toBe(true);
    // scored: 6 greedy + 6 × 2 sampled, none for a given-up prompt
    expect(r.scoring).toMatchObject({ correct: 3 + 6, wrong: 3 + 6 });
  });

  it('without allowFailures a given-up prompt ends the evaluation; with every prompt given up it says so', async () => {
    const some = new GivingUpPolicy(tab(), (p) => p === ps[2].prompt);
    await expect(evaluate(some, ps, exact, new Ledger(), opts)).rejects.toThrow(/gave up/);
    const all = new GivingUpPolicy(tab(), () => true);
    await expect(evaluate(all, ps, exact, new Ledger(), { ...opts, allowFailures: true })).rejects.toThrow(
      /every prompt was given up \(8\)/,
    );
  });

  it('with nothing given up, the figures are those of the whole set', async () => {
    const r = await evaluate(tab(), ps, exact, new Ledger(), { ...opts, allowFailures: true });
    expect(r.prompts).toBe(8);
    expect(r.greedyAccuracy).toBe(0.5);
    expect(r.givenUp).toBeUndefined();
  });
});
