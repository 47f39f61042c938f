/**
 * Evaluation on held-out prompts: greedy accuracy, and with sampling, mean accuracy and pass@k.
 * Its compute goes to the ledger's `eval` phase, which is reported but not charged to training.
 */
import { samplingStandardError } from '../algo/stats.js';
import type { Policy } from '../policy/types.js';
import type { Problem } from '../tasks/types.js';
import type { Ledger } from './ledger.js';
import { emptyScoreCounts, scoreAll, type ScoreCounts, type Scorer } from './scoring.js';

export interface EvalOptions {
  samples: number;
  passK: number;
  maxNewTokens: number;
  seed: number;
}

export interface EvalResult {
  greedyAccuracy: number;
  /** Mean reward of the sampled completions (temperature 1); null when samples = 0. */
  sampledAccuracy: number | null;
  /** Unbiased pass@k from `samples` samples per prompt; null when samples < k. */
  passAtK: number | null;
  k: number;
  prompts: number;
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
  const prompts = problems.map((p) => p.prompt);
  const greedy = await ledger.time('eval', () =>
    policy.sample({
      prompts,
      n: prompts.map(() => 1),
      maxNewTokens: opts.maxNewTokens,
      temperature: 0,
      seed: opts.seed,
    }),
  );
  let greedyCorrect = 0;
  const examples: EvalExample[] = [];
  const scoring = emptyScoreCounts();
  const texts = problems.map((_, i) => greedy.groups[i][0].text);
  const greedyScores = await scoreAll(
    score,
    problems.map((p, i) => [p, texts[i]] as const),
    scoring,
  );
  problems.forEach((p, i) => {
    greedyCorrect += greedyScores[i].reward;
    keepExample(examples, p, texts[i], greedyScores[i].reward);
  });
  const successes =
    opts.samples > 0 ? await sampledSuccesses(policy, problems, score, ledger, opts, scoring) : undefined;
  const sampledAccuracy = successes
    ? successes.reduce((a, b) => a + b, 0) / (problems.length * opts.samples)
    : null;
  const pass =
    successes && opts.samples >= opts.passK
      ? successes.reduce((a, c) => a + passAtK(opts.samples, c, opts.passK), 0) / problems.length
      : null;
  return {
    greedyAccuracy: greedyCorrect / problems.length,
    sampledAccuracy,
    passAtK: pass,
    k: opts.passK,
    prompts: problems.length,
    sampledStandardError:
      successes && opts.samples >= 2 ? samplingStandardError(successes, opts.samples) : null,
    ...(successes ? { byLevel: accuracyByLevel(problems, successes, opts.samples) } : {}),
    examples,
    scoring,
  };
}

/** Correct samples per prompt out of `opts.samples` at temperature 1. */
async function sampledSuccesses(
  policy: Policy,
  problems: Problem[],
  score: Scorer,
  ledger: Ledger,
  opts: EvalOptions,
  scoring: ScoreCounts,
): Promise<number[]> {
  const sampled = await ledger.time('eval', () =>
    policy.sample({
      prompts: problems.map((p) => p.prompt),
      n: problems.map(() => opts.samples),
      maxNewTokens: opts.maxNewTokens,
      temperature: 1,
      seed: opts.seed + 1,
    }),
  );
  const successes: number[] = [];
  for (let i = 0; i < problems.length; i++) {
    const scored = await scoreAll(
      score,
      sampled.groups[i].map((r) => [problems[i], r.text] as const),
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
