/**
 * How noisy a held-out evaluation is, measured: one checkpoint evaluated `repeats` times with
 * different sampling seeds on the same prompts. The spread of those accuracies is the noise a
 * crossing must see through; the per-prompt Bernoulli variance it implies sizes the evaluation
 * (prompts × samples per prompt) for a target standard error. Evaluation compute is reported, not
 * charged to any method.
 */
import { evalSamplesNeeded, meanStd } from '../../algo/stats.js';
import type { Policy } from '../../policy/types.js';
import type { Problem } from '../../tasks/types.js';
import { evaluate } from '../evaluator.js';
import { Ledger } from '../ledger.js';
import type { Scorer } from '../scoring.js';

export interface EvalNoise {
  checkpoint: string;
  prompts: number;
  samples: number;
  repeats: number;
  sampledAccuracies: number[];
  greedyAccuracy: number;
  /** Standard deviation of the sampled accuracy over repeats (n − 1). */
  repeatStd: number;
  /** Mean of the standard error each evaluation reports from its own per-prompt counts. */
  modelStandardError: number;
  /** Mean over prompts of p(1 − p), estimated without bias: SE² · prompts · samples. */
  meanBernoulliVariance: number;
  /** FLOPs and wall time of one evaluation (greedy + sampled). */
  evalFlops: number;
  evalWallMs: number;
  targetStandardError: number;
  /** Prompts × samples per prompt that reach the target standard error. */
  promptSamplesNeeded: number;
  /** Samples per prompt that reach it on this prompt set. */
  samplesPerPromptNeeded: number;
}

export async function measureEvalNoise(args: {
  checkpoint: string;
  policy: Policy;
  problems: Problem[];
  score: Scorer;
  samples: number;
  repeats: number;
  maxNewTokens: number;
  targetStandardError: number;
  onRepeat?: (done: number, total: number) => void;
}): Promise<EvalNoise> {
  if (args.repeats < 2) throw new Error('eval noise: give at least 2 repeats');
  if (args.samples < 2) throw new Error('eval noise: give at least 2 samples per prompt');
  const ledger = new Ledger();
  const accs: number[] = [];
  const ses: number[] = [];
  let greedy = NaN;
  for (let r = 0; r < args.repeats; r++) {
    const res = await evaluate(args.policy, args.problems, args.score, ledger, {
      samples: args.samples,
      passK: 1,
      maxNewTokens: args.maxNewTokens,
      seed: 1000 + 2 * r,
    });
    accs.push(res.sampledAccuracy!);
    ses.push(res.sampledStandardError ?? NaN);
    greedy = res.greedyAccuracy;
    args.onRepeat?.(r + 1, args.repeats);
  }
  const se = meanStd(ses).mean;
  const v = se ** 2 * args.problems.length * args.samples;
  const needed = evalSamplesNeeded(v, args.targetStandardError);
  const spent = ledger.get('eval');
  return {
    checkpoint: args.checkpoint,
    prompts: args.problems.length,
    samples: args.samples,
    repeats: args.repeats,
    sampledAccuracies: accs,
    greedyAccuracy: greedy,
    repeatStd: meanStd(accs).std,
    modelStandardError: se,
    meanBernoulliVariance: v,
    evalFlops: spent.flops / args.repeats,
    evalWallMs: spent.wallMs / args.repeats,
    targetStandardError: args.targetStandardError,
    promptSamplesNeeded: needed,
    samplesPerPromptNeeded: Math.ceil(needed / args.problems.length),
  };
}
