// Public types of the embedded engine (see model.ts for the indexing conventions).

export interface ModelConfig {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  contextLength: number;
}

export interface CreateModelOptions {
  seed: number;
  /** Threads (main thread included). 1 = main thread only. Default 1. */
  threads?: number;
  /** Sequences per micro-batch in the training and log-prob passes (bounds memory). Default 64. */
  microBatch?: number;
  /** Sequences decoded at once by `sample` (KV-cache slots; bounds memory). Default 512. */
  sampleBatch?: number;
}

export interface TensorInfo {
  name: string;
  shape: number[];
  /** Offset in floats from the start of the parameter block. */
  offset: number;
  size: number;
  /** AdamW weight decay applies (matrices only; not embeddings, layer norms or biases). */
  decay: boolean;
}

export interface FlopCounts {
  total: number;
  /** Forward passes of training calls (accumulateGradient / accumulateCrossEntropy). */
  forward: number;
  /** Backward passes (≈ 2× forward). */
  backward: number;
  /** Forward-only `logprobs` calls. */
  logprobs: number;
  /** `sample` (KV-cache decoding, prompt positions included). */
  sample: number;
}

export interface SampleOptions {
  prompts: number[][];
  maxNewTokens: number;
  /** 0 = greedy (argmax; ties go to the lowest id). */
  temperature: number;
  /** Keep the k most likely tokens (0 or undefined = all). */
  topK?: number;
  /** Nucleus: smallest set of most likely tokens with probability ≥ topP (1 or undefined = all). */
  topP?: number;
  /** Generation of a sequence ends after this token is produced (it is included in the output). */
  stopToken?: number;
  seed: number;
  /**
   * Per sequence: the seed and stream index its randomness is keyed by (default: `seed` and the
   * sequence's position), so a sequence samples the same whatever else shares the batch.
   */
  streams?: Array<{ seed: number; index: number }>;
}

export interface SampleResult {
  tokens: number[][];
  /** logprobs[i][j] = untempered log p(tokens[i][j]) (see the header comment). */
  logprobs: Float32Array[];
  /** true when the sequence ended with stopToken (false: maxNewTokens or the context length). */
  finished: boolean[];
  flops: number;
}

export interface CrossEntropyBatch {
  sequences: number[][];
  lossMask: Uint8Array[];
  /** The loss is Σ_masked −log p / normaliser (pass the step's total masked-token count). */
  normaliser: number;
}

export interface OptimizerStepOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay: number;
  /** Clip the global gradient norm to this value (0 = no clipping). */
  gradClip: number;
}

export interface ModelState {
  step: number;
  /** Parameter block (padded layout, see `tensors`). */
  params: Float32Array;
  adamM: Float32Array;
  adamV: Float32Array;
}
