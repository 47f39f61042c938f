/**
 * Evaluation on held-out prompts: greedy accuracy, and with sampling, mean accuracy and pass@k.
 * Its compute goes to the ledger's `eval` phase, which is reported but not charged to training.
 */
import { samplingStandardError } from '../algo/stats.js';
import type { Policy, Rollout } from '../policy/types.js';
import type { Problem } from '../tasks/types.js';
import type { Ledger } from './ledger.js';
import { emptyScoreCounts, scoreAll, type ScoreCounts, type Scorer } from './scoring.js';

export interface EvalOptions {
  samples: number;
  passK: number;
  maxNewTokens: number;
  seed: number;
  /**
   * A remote policy may give up on single prompts (after its retries): they are left out of every
   * figure and listed in `givenUp`. Without it (the default) such a failure ends the evaluation.
   */
  allowFailures?: boolean;
}

/** A prompt the policy gave up on during an evaluation. */
export interface EvalFailure {
  /** Index in the evaluated problem list. */
  prompt: number;
  id: string;
  error: string;
  server?: string;
}

export interface EvalResult {
  greedyAccuracy: number;
  /** Mean reward of the sampled completions (temperature 1); null when samples = 0. */
  sampledAccuracy: number | null;
  /** Unbiased pass@k from `samples` samples per prompt; null when samples < k. */
  passAtK: number | null;
  k: number;
  /** Prompts the figures are computed over (those given up on are not among them). */
  prompts: number;
  /** Prompts the policy gave up on, left out of every figure (only with `allowFailures`). */
  givenUp?: EvalFailure[];
  /**
   * Standard error of sampledAccuracy that re-evaluating this checkpoint on the same prompts would
   * show (sampling noise only); null when samples < 2.
   */
  sampledStandardError?: number | null;
  /** Sampled accuracy per task family and level (`add/2`); absent without sampling. */
  byLevel?: Record<string, { prompts: number; accuracy: number }>;
  /** A few greedy completions, right and wrong, with their rewards (bounded: for reports). */
  examples?: EvalExample[];
  /** Scores by reason, greedy and sampled: how many timed out, crashed or were malformed. */
  scoring?: ScoreCounts;
}

/** The per-level key of a procedural problem: `family/level`, or the family (or data source) alone. */
export function levelKey(problem: Problem): string {
  const family = problem.meta.family ?? 'unknown';
  return problem.meta.level !== undefined ? `${family}/${String(problem.meta.level)}` : family;
}

/** Mean accuracy per level key from per-prompt success counts out of `samples`. */
export function accuracyByLevel(
  problems: readonly Problem[],
  successes: readonly number[],
  samples: number,
): Record<string, { prompts: number; accuracy: number }> {
  const sums = new Map<string, { prompts: number; correct: number }>();
  problems.forEach((p, i) => {
    const key = levelKey(p);
    const s = sums.get(key) ?? { prompts: 0, correct: 0 };
    s.prompts++;
    s.correct += successes[i];
    sums.set(key, s);
  });
  const keys = [...sums.keys()].sort();
  return Object.fromEntries(
    keys.map((k) => {
      const s = sums.get(k)!;
      return [k, { prompts: s.prompts, accuracy: s.correct / (s.prompts * samples) }];
    }),
  );
}

/**
 * The accuracy a run is judged by: 'sampled' (mean reward of temperature-1 samples, i.e. the
 * expected reward RL maximises, with less variance than one greedy answer per prompt) or 'greedy'.
 */
export function headlineAccuracy(r: EvalResult, headline: 'sampled' | 'greedy'): number {
  if (headline === 'sampled') {
    if (r.sampledAccuracy === null) throw new Error('eval.headline is sampled but eval.samples is 0');
    return r.sampledAccuracy;
  }
  return r.greedyAccuracy;
}

/** Unbiased pass@k from n samples with c correct: 1 − C(n−c, k)/C(n, k), as a stable product. */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new Error(`pass@k needs k ≤ n (k=${k}, n=${n})`);
  if (n - c < k) return 1;
  let missAll = 1;
  for (let i = n - c + 1; i <= n; i++) missAll *= 1 - k / i;
  return 1 - missAll;
}

export async function evaluate(
  policy: Policy,
  problems: Problem[],
  score: Scorer,
  ledger: Ledger,
  opts: EvalOptions,
): Promise<EvalResult> {
  const givenUp: EvalFailure[] = [];
  const all = problems.map((_, i) => i);
  const greedy = await sampleEach(policy, problems, all, ledger, opts, givenUp, {
    n: 1,
    temperature: 0,
    seed: opts.seed,
  });
  const sampled =
    opts.samples > 0
      ? await sampleEach(policy, problems, [...greedy.keys()], ledger, opts, givenUp, {
          n: opts.samples,
          temperature: 1,
          seed: opts.seed + 1,
        })
      : undefined;
  // a prompt is judged on every figure or on none: one given up in either pass leaves them all
  const kept = all.filter((i) => greedy.has(i) && (!sampled || sampled.has(i)));
  if (kept.length === 0)
    throw new Error(
      `eval: every prompt was given up (${givenUp.length}); first error: ${givenUp[0]?.error ?? 'none'}`,
    );
  const keptProblems = kept.map((i) => problems[i]);
  const scoring = emptyScoreCounts();
  const examples: EvalExample[] = [];
  const greedyCorrect = await greedyCorrectCount(score, problems, kept, greedy, scoring, examples);
  const successes = sampled ? await countSuccesses(score, problems, kept, sampled, scoring) : undefined;
  const sampledAccuracy = successes
    ? successes.reduce((a, b) => a + b, 0) / (kept.length * opts.samples)
    : null;
  const pass =
    successes && opts.samples >= opts.passK
      ? successes.reduce((a, c) => a + passAtK(opts.samples, c, opts.passK), 0) / kept.length
      : null;
  return {
    greedyAccuracy: greedyCorrect / kept.length,
    sampledAccuracy,
    passAtK: pass,
    k: opts.passK,
    prompts: kept.length,
    sampledStandardError:
      successes && opts.samples >= 2 ? samplingStandardError(successes, opts.samples) : null,
    ...(successes ? { byLevel: accuracyByLevel(keptProblems, successes, opts.samples) } : {}),
    examples,
    scoring,
    ...(givenUp.length > 0 ? { givenUp } : {}),
  };
}

/**
 * One sampling pass over the prompts at `indices`: their rollouts by prompt index. With
 * `allowFailures` a prompt the policy gave up on is recorded in `givenUp` and left out (never
 * scored as wrong); without it the policy's error ends the evaluation.
 */
async function sampleEach(
  policy: Policy,
  problems: readonly Problem[],
  indices: readonly number[],
  ledger: Ledger,
  opts: EvalOptions,
  givenUp: EvalFailure[],
  pass: { n: number; temperature: number; seed: number },
): Promise<Map<number, Rollout[]>> {
  const out = new Map<number, Rollout[]>();
  if (indices.length === 0) return out;
  const res = await ledger.time('eval', () =>
    policy.sample({
      prompts: indices.map((i) => problems[i].prompt),
      n: indices.map(() => pass.n),
      maxNewTokens: opts.maxNewTokens,
      temperature: pass.temperature,
      seed: pass.seed,
      ...(opts.allowFailures ? { allowFailures: true } : {}),
    }),
  );
  const failed = new Map((res.failed ?? []).map((f) => [f.index, f]));
  indices.forEach((i, j) => {
    const f = failed.get(j);
    if (f)
      givenUp.push({
        prompt: i,
        id: problems[i].id,
        error: f.error,
        ...(f.server ? { server: f.server } : {}),
      });
    else out.set(i, res.groups[j]);
  });
  return out;
}

/** Correct greedy answers over the kept prompts; keeps a few examples for reports. */
async function greedyCorrectCount(
  score: Scorer,
  problems: readonly Problem[],
  kept: readonly number[],
  greedy: ReadonlyMap<number, Rollout[]>,
  scoring: ScoreCounts,
  examples: EvalExample[],
): Promise<number> {
  const texts = kept.map((i) => greedy.get(i)![0].text);
  const scores = await scoreAll(
    score,
    kept.map((i, j) => [problems[i], texts[j]] as const),
    scoring,
  );
  kept.forEach((i, j) => keepExample(examples, problems[i], texts[j], scores[j].reward));
  return scores.reduce((a, r) => a + r.reward, 0);
}

/** Correct samples per kept prompt (in the order of `kept`). */
async function countSuccesses(
  score: Scorer,
  problems: readonly Problem[],
  kept: readonly number[],
  sampled: ReadonlyMap<number, Rollout[]>,
  scoring: ScoreCounts,
): Promise<number[]> {
  const successes: number[] = [];
  for (const i of kept) {
    const scored = await scoreAll(
      score,
      sampled.get(i)!.map((r) => [problems[i], r.text] as const),
      scoring,
    );
    successes.push(scored.reduce((a, r) => a + r.reward, 0));
  }
  return successes;
}

/** A greedy completion kept for reports: the first few right and wrong ones, clipped. */
export interface EvalExample {
  level: string;
  prompt: string;
  completion: string;
  reward: number;
}

const EXAMPLES_EACH = 3;
const EXAMPLE_CHARS = 240;

function keepExample(out: EvalExample[], problem: Problem, text: string, reward: number): void {
  if (out.filter((e) => e.reward > 0 === reward > 0).length >= EXAMPLES_EACH) return;
  const clip = (s: string) => (s.length > EXAMPLE_CHARS ? `${s.slice(0, EXAMPLE_CHARS)}…` : s);
  out.push({ level: levelKey(problem), prompt: clip(problem.prompt), completion: clip(text), reward });
}
