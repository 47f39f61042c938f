/**
 * The Policy interface: what the run layer needs from a model, and nothing about how it computes.
 *
 * Two adapters implement it: the embedded engine (trainable, counts its own FLOPs) and any
 * OpenAI-compatible HTTP server (sampling only: profiling and evaluation of real models).
 */

/** One request for rollouts: each prompt gets its own number of samples (the group is the unit). */
export interface SampleRequest {
  prompts: string[];
  /** Rollouts per prompt, same length as `prompts`; any value ≥ 1, prompts may differ. */
  n: number[];
  maxNewTokens: number;
  /** 0 means greedy. */
  temperature: number;
  topP?: number;
  topK?: number;
  /** Seeds the sampler; the same request with the same seed gives the same rollouts. */
  seed: number;
  /**
   * A remote policy may give up on single prompts (listed in `failed`, their groups empty) instead
   * of failing the whole call; profiling records them as failed rows and retries them on resume.
   */
  allowFailures?: boolean;
}

/** A prompt a policy gave up on: its index in the request and the last error. */
export interface SampleFailure {
  index: number;
  error: string;
  /** The server that gave the last error, when remote. */
  server?: string;
}

/** One sampled completion of one prompt. */
export interface Rollout {
  text: string;
  /** Whether generation ended on the stop condition rather than the token limit. */
  finished: boolean;
  /** Token ids of prompt and completion, when the policy exposes them (the embedded engine). */
  promptTokens?: number[];
  completionTokens?: number[];
  /** Log-prob of each completion token under the policy that sampled it (temperature 1). */
  logprobs?: Float32Array;
}

export interface SampleResult {
  /** groups[i] holds the n[i] rollouts of prompts[i], in order. */
  groups: Rollout[][];
  /** FLOPs spent, as counted by the policy (0 where it cannot know, e.g. a remote server). */
  flops: number;
  /** Prompt + completion tokens processed. */
  tokens: number;
  /** false where `flops` is not a count (a remote server with no declared parameter count). */
  flopsCounted?: boolean;
  /** Prompts given up on (only when the request allowed failures). */
  failed?: SampleFailure[];
  /** Request retries, timeouts and prompts given up, for remote policies. */
  requests?: { retries: number; timeouts: number; failures: number };
}

export interface Policy {
  readonly kind: string;
  sample(req: SampleRequest): Promise<SampleResult>;
  close(): Promise<void>;
}

/** One rollout ready for a policy-gradient update: its tokens, old log-probs and advantage. */
export interface TrainingRollout {
  promptTokens: number[];
  completionTokens: number[];
  oldLogprobs: Float32Array;
  /** Sequence-level advantage, broadcast to every completion token. */
  advantage: number;
}

export interface UpdateOptions {
  lr: number;
  clipLow: number;
  clipHigh: number;
  weightDecay: number;
  gradClip: number;
  /** KL to the reference (base) policy; 0 disables it and skips the reference forward. */
  klCoef: number;
  /** KL estimator by registered name (algo/loss; default k3). */
  kl?: string;
  /** Loss aggregation by registered name (algo/loss; default token-mean). */
  aggregation?: string;
  /** seq-mean-token-sum-norm's constant token count per sequence (e.g. the generation limit). */
  tokenBudget?: number;
}

export interface UpdateStats {
  loss: number;
  clipFraction: number;
  gradNorm: number;
  /** FLOPs of the training forward+backward. */
  trainFlops: number;
  /** FLOPs of log-prob forwards (reference policy for KL). */
  logprobFlops: number;
  tokens: number;
}

export interface TrainablePolicy extends Policy {
  update(rollouts: TrainingRollout[], opts: UpdateOptions): Promise<UpdateStats>;
  save(dir: string): Promise<void>;
}
