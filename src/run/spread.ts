/**
 * How spread out a policy's success rates are over a prompt set: k samples per prompt, and the
 * share of prompts it always solves (p̂ > τ), never solves (p̂ = 0), and sometimes solves.
 * The allocation methods only have something to sort when all three are well represented.
 */
import type { Policy } from '../policy/types.js';
import type { Problem } from '../tasks/types.js';
import { Ledger } from './ledger.js';
import { runProfileInMemory } from './profile.js';
import type { Scorer } from './scoring.js';

export interface Spread {
  prompts: number;
  k: number;
  tau: number;
  /** Share with p̂ > τ. */
  easy: number;
  /** Share with p̂ = 0. */
  unsolved: number;
  /** Share with 0 < p̂ ≤ τ. */
  learnable: number;
  /** Prompts per successes count 0..k. */
  histogram: number[];
  /** Mean p̂ per task family and difficulty level (`add/2`). */
  byFamily: Record<string, { prompts: number; meanP: number }>;
}

export async function measureSpread(args: {
  policy: Policy;
  problems: Problem[];
  score: Scorer;
  k?: number;
  tau?: number;
  seed?: number;
  maxNewTokens: number;
}): Promise<Spread> {
  const k = args.k ?? 8;
  const tau = args.tau ?? 0.75;
  const rows = await runProfileInMemory({
    policy: args.policy,
    problems: args.problems,
    score: args.score,
    ledger: new Ledger(),
    options: { k, temperature: 1, maxNewTokens: args.maxNewTokens, seed: args.seed ?? 0, chunkSize: 128 },
  });
  const histogram = new Array<number>(k + 1).fill(0);
  const fam = new Map<string, { n: number; sum: number }>();
  args.problems.forEach((p, i) => {
    histogram[rows[i].successes]++;
    const key = p.meta.level !== undefined ? `${p.meta.family}/${p.meta.level}` : p.meta.family;
    const f = fam.get(key) ?? { n: 0, sum: 0 };
    f.n++;
    f.sum += rows[i].pHat;
    fam.set(key, f);
  });
  const n = args.problems.length;
  const easy = rows.filter((r) => r.pHat > tau).length / n;
  const unsolved = rows.filter((r) => r.successes === 0).length / n;
  return {
    prompts: n,
    k,
    tau,
    easy,
    unsolved,
    learnable: 1 - easy - unsolved,
    histogram,
    byFamily: Object.fromEntries([...fam].map(([name, f]) => [name, { prompts: f.n, meanP: f.sum / f.n }])),
  };
}
