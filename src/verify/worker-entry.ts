import { verifyAnswer, type VerifyOptions, type VerifyResult } from './verify.js';

/** A check sent to a verifier worker. `debug` exists for tests of the time limit. */
export interface VerifyRequest {
  id: number;
  completion: string;
  groundTruth: string;
  options?: VerifyOptions;
  debug?: 'hang' | 'throw';
}

export interface VerifyResponse {
  id: number;
  result: VerifyResult;
}

/** Runs one check inside a worker; an exception becomes reason 'error' with its message. */
export function handleVerifyRequest(req: VerifyRequest): VerifyResponse {
  try {
    if (req.debug === 'hang') {
      // Deliberately never returns: the pool must cut it off.
      for (;;) {
        /* spin */
      }
    }
    if (req.debug === 'throw') throw new Error('debug: check threw');
    return { id: req.id, result: verifyAnswer(req.completion, req.groundTruth, req.options) };
  } catch (e) {
    return {
      id: req.id,
      result: { reward: 0, reason: 'error', message: e instanceof Error ? e.message : String(e) },
    };
  }
}
