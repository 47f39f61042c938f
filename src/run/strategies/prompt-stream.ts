/**
 * A seeded stream over a prompt pool: a fresh shuffle each epoch, drawn without replacement.
 * Its whole state is (epoch, position), so a checkpoint restores it exactly.
 */
import { rngFor } from '../../tasks/rng.js';

export interface PromptStreamState {
  epoch: number;
  position: number;
}

export class PromptStream {
  private order: number[];
  private state: PromptStreamState = { epoch: 0, position: 0 };

  constructor(
    private readonly size: number,
    private readonly seed: number,
    private readonly salt = 'prompts',
  ) {
    if (size <= 0) throw new Error('prompt stream: the prompt pool is empty');
    this.order = this.shuffle(0);
  }

  private shuffle(epoch: number): number[] {
    const rng = rngFor(this.salt, this.seed, epoch);
    const order = Array.from({ length: this.size }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }

  /** The next `count` indices (crossing epoch boundaries as needed). */
  take(count: number): number[] {
    const out: number[] = [];
    while (out.length < count) {
      if (this.state.position >= this.size) {
        this.state = { epoch: this.state.epoch + 1, position: 0 };
        this.order = this.shuffle(this.state.epoch);
      }
      out.push(this.order[this.state.position++]);
    }
    return out;
  }

  get epoch(): number {
    return this.state.epoch;
  }

  getState(): PromptStreamState {
    return { ...this.state };
  }

  setState(s: PromptStreamState): void {
    this.state = { ...s };
    this.order = this.shuffle(s.epoch);
  }
}
