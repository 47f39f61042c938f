/**
 * The baselines: uniform GRPO (every prompt gets the same group size) and DAPO dynamic sampling
 * (oversample, keep only groups with signal, refill until the batch is full or the rounds run out).
 */
import { hasSignal as groupHasSignal } from '../../algo/index.js';
import type { Problem } from '../../tasks/types.js';
import { PromptStream, type PromptStreamState } from './prompt-stream.js';
import type { CollectContext, CollectResult, ScoredGroup, Strategy } from './types.js';

export function hasSignal(group: ScoredGroup): boolean {
  return groupHasSignal({ promptId: group.problem.id, rewards: group.rollouts.map((r) => r.reward) });
}

export class UniformStrategy implements Strategy {
  readonly name = 'uniform';
  private readonly stream: PromptStream;

  constructor(
    private readonly problems: Problem[],
    private readonly cfg: { promptsPerStep: number; groupSize: number },
    seed: number,
  ) {
    this.stream = new PromptStream(problems.length, seed);
  }

  async collect(ctx: CollectContext): Promise<CollectResult> {
    const batch = this.stream.take(this.cfg.promptsPerStep).map((i) => this.problems[i]);
    const groups = await ctx.sample(
      batch,
      batch.map(() => this.cfg.groupSize),
    );
    return { groups, generated: batch.length * this.cfg.groupSize, discarded: 0 };
  }

  getState(): PromptStreamState {
    return this.stream.getState();
  }

  setState(s: unknown): void {
    this.stream.setState(s as PromptStreamState);
  }
}

export class DynamicSamplingStrategy implements Strategy {
  readonly name = 'dynamic';
  private readonly stream: PromptStream;

  constructor(
    private readonly problems: Problem[],
    private readonly cfg: { promptsPerStep: number; groupSize: number; maxRounds: number },
    seed: number,
  ) {
    this.stream = new PromptStream(problems.length, seed);
  }

  async collect(ctx: CollectContext): Promise<CollectResult> {
    const kept: ScoredGroup[] = [];
    let generated = 0;
    let rounds = 0;
    while (kept.length < this.cfg.promptsPerStep && rounds < this.cfg.maxRounds) {
      rounds++;
      const need = this.cfg.promptsPerStep - kept.length;
      const batch = this.stream.take(need).map((i) => this.problems[i]);
      const groups = await ctx.sample(
        batch,
        batch.map(() => this.cfg.groupSize),
      );
      generated += batch.length * this.cfg.groupSize;
      kept.push(...groups.filter(hasSignal));
    }
    const keptRollouts = kept.reduce((s, g) => s + g.rollouts.length, 0);
    return { groups: kept, generated, discarded: generated - keptRollouts, info: { rounds } };
  }

  getState(): PromptStreamState {
    return this.stream.getState();
  }

  setState(s: unknown): void {
    this.stream.setState(s as PromptStreamState);
  }
}
