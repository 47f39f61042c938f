/**
 * The embedded-engine adapter: a trainable Policy over flopwise's own GPT.
 *
 * Prompts are encoded as [BOS, ...chars]; generation stops at `stopText` (default '\n', the tasks'
 * answer terminator) or at EOS, and that token is kept in the completion so the model learns to
 * stop. Log-probs returned with each rollout are the untempered ones of the sampling weights, i.e.
 * the PPO "old" log-probs of an on-policy update.
 */
import { createPolicyLoss, type PolicyLossBatch } from '../algo/loss.js';
import { CharTokenizer, loadCheckpointFull, saveCheckpoint, type Model } from '../engine/index.js';
import type {
  Rollout,
  SampleRequest,
  SampleResult,
  TrainablePolicy,
  TrainingRollout,
  UpdateOptions,
  UpdateStats,
} from './types.js';

export interface EmbeddedPolicyOptions {
  /** Text whose single token ends a completion (default '\n'). */
  stopText?: string;
  /** The frozen base policy, for a KL penalty (loaded only when klCoef > 0). */
  reference?: Model;
  /** Extra fields saved into each checkpoint's config (e.g. how the base was made). */
  meta?: Record<string, unknown>;
}

export class EmbeddedPolicy implements TrainablePolicy {
  readonly kind = 'embedded';
  private readonly stopToken: number;

  constructor(
    readonly model: Model,
    readonly tokenizer: CharTokenizer,
    private readonly opts: EmbeddedPolicyOptions = {},
  ) {
    const stop = tokenizer.encode(opts.stopText ?? '\n');
    if (stop.length !== 1)
      throw new Error(`embedded policy: stop text must be one token, got ${JSON.stringify(opts.stopText)}`);
    this.stopToken = stop[0];
  }

  encodePrompt(prompt: string): number[] {
    const tokens = this.tokenizer.encode(prompt, { bos: true });
    if (tokens.length >= this.model.config.contextLength) {
      throw new Error(
        `prompt ${JSON.stringify(prompt)} is ${tokens.length} tokens; the model's context is ${this.model.config.contextLength}`,
      );
    }
    return tokens;
  }

  async sample(req: SampleRequest): Promise<SampleResult> {
    const prompts: number[][] = [];
    req.prompts.forEach((p, i) => {
      const tokens = this.encodePrompt(p);
      for (let j = 0; j < req.n[i]; j++) prompts.push(tokens);
    });
    const out = this.model.sample({
      prompts,
      maxNewTokens: req.maxNewTokens,
      temperature: req.temperature,
      topK: req.topK,
      topP: req.topP,
      stopToken: this.stopToken,
      seed: req.seed,
    });
    const groups: Rollout[][] = [];
    let k = 0;
    let tokens = 0;
    req.prompts.forEach((_, i) => {
      const group: Rollout[] = [];
      for (let j = 0; j < req.n[i]; j++, k++) {
        const completion = out.tokens[k];
        tokens += prompts[k].length + completion.length;
        group.push({
          text: this.decode(completion),
          finished: out.finished[k],
          promptTokens: prompts[k],
          completionTokens: completion,
          logprobs: out.logprobs[k],
        });
      }
      groups.push(group);
    });
    return { groups, flops: out.flops, tokens };
  }

  /** Decodes a completion, leaving out special tokens (a stray EOS, PAD). */
  decode(tokens: number[]): string {
    return this.tokenizer.decode(tokens.filter((t) => t > this.tokenizer.eosId));
  }

  async update(rollouts: TrainingRollout[], o: UpdateOptions): Promise<UpdateStats> {
    const sequences = rollouts.map((r) => [...r.promptTokens, ...r.completionTokens]);
    const batch = lossBatch(rollouts);
    let logprobFlops = 0;
    if (o.klCoef > 0) {
      if (!this.opts.reference) throw new Error('embedded policy: klCoef > 0 needs a reference model');
      const ref = this.opts.reference.logprobs({
        sequences,
        start: rollouts.map((r) => r.promptTokens.length),
      });
      logprobFlops = ref.flops;
      batch.refLogp = ref.logprobs.map((lp, i) => alignedToSequence(lp, rollouts[i]!));
    }
    this.model.zeroGrad();
    const objective = createPolicyLoss(batch, o);
    const { flops } = this.model.accumulateGradient(sequences, objective.grad);
    const pg = objective.stats();
    const { gradNorm } = this.model.optimizerStep({
      lr: o.lr,
      weightDecay: o.weightDecay,
      gradClip: o.gradClip,
    });
    return {
      loss: pg.loss,
      clipFraction: pg.clipFraction,
      gradNorm,
      trainFlops: flops,
      logprobFlops,
      tokens: sequences.reduce((s, x) => s + x.length, 0),
    };
  }

  async save(dir: string): Promise<void> {
    saveCheckpoint(dir, this.model, { optimizer: true, tokenizer: this.tokenizer, meta: this.opts.meta });
  }

  async close(): Promise<void> {
    await this.model.dispose();
    await this.opts.reference?.dispose();
  }
}

/** Per-token loss inputs over whole sequences (prompt positions masked out). */
function lossBatch(rollouts: TrainingRollout[]): PolicyLossBatch {
  return {
    mask: rollouts.map((r) => new Uint8Array(sequenceLength(r)).fill(1, r.promptTokens.length)),
    advantage: rollouts.map((r) =>
      new Float32Array(sequenceLength(r)).fill(r.advantage, r.promptTokens.length),
    ),
    oldLogp: rollouts.map((r) => alignedToSequence(r.oldLogprobs, r)),
  };
}

const sequenceLength = (r: TrainingRollout): number => r.promptTokens.length + r.completionTokens.length;

/** Completion-token values placed at their positions in the whole sequence. */
function alignedToSequence(values: Float32Array, r: TrainingRollout): Float32Array {
  const full = new Float32Array(sequenceLength(r));
  full.set(values, r.promptTokens.length);
  return full;
}

/** Loads a checkpoint directory as a trainable policy (optimizer state included when saved). */
export async function loadEmbeddedPolicy(
  dir: string,
  opts: {
    threads?: number;
    stopText?: string;
    /** Load a frozen copy of this checkpoint (or of `referenceDir`) as the KL reference. */
    withReference?: boolean;
    referenceDir?: string;
    /** Restore the optimizer state (resume); false starts a fresh optimizer (a new run from a base). */
    optimizer?: boolean;
    meta?: Record<string, unknown>;
  } = {},
): Promise<EmbeddedPolicy> {
  const loaded = await loadCheckpointFull(dir, { threads: opts.threads, optimizer: opts.optimizer ?? true });
  const tokenizer = loaded.tokenizer ?? new CharTokenizer();
  // The KL reference is the base (`referenceDir`), never the checkpoint a resumed run continues from.
  const reference = opts.withReference
    ? await loadCheckpointFull(opts.referenceDir ?? dir, { threads: 1, optimizer: false })
    : undefined;
  return new EmbeddedPolicy(loaded.model, tokenizer, {
    stopText: opts.stopText,
    reference: reference?.model,
    meta: opts.meta,
  });
}
