import { isEquivalent, type EquivalenceOptions } from './equivalence.js';
import { DEFAULT_EXTRACT, extractAnswer, extractBoxed, type ExtractConfig } from './extract.js';

export type VerifyReason = 'correct' | 'wrong' | 'no_answer' | 'timeout' | 'error';

export interface VerifyResult {
  reward: 0 | 1;
  reason: VerifyReason;
  extracted?: string;
  /** For 'timeout' and 'error': what happened. */
  message?: string;
}

export interface VerifyOptions {
  extract?: ExtractConfig;
  equivalence?: EquivalenceOptions;
}

/**
 * In-process check of a free-form completion against a ground-truth answer: extract the final
 * answer (by `extract`, default boxed → "The answer is" → "####" → last number), then compare by
 * `isEquivalent`. A ground truth holding \boxed{…} is reduced to its boxed content.
 * No time limit here: use `verifyWithTimeout` / `VerifierPool` for untrusted math answers.
 */
export function verifyAnswer(
  completion: string,
  groundTruth: string,
  options: VerifyOptions = {},
): VerifyResult {
  const got = extractAnswer(completion, options.extract ?? DEFAULT_EXTRACT);
  if (!got) return { reward: 0, reason: 'no_answer' };
  const truth = extractBoxed(groundTruth) ?? groundTruth;
  const ok = isEquivalent(got.answer, truth, options.equivalence);
  return { reward: ok ? 1 : 0, reason: ok ? 'correct' : 'wrong', extracted: got.answer };
}
