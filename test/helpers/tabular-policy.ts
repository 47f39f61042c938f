/**
 * A test double for TrainablePolicy: one logit per prompt, a rollout is correct with probability
 * sigmoid(logit), and `update` takes a real policy-gradient step on those logits. It lets the run
 * layer's loop, strategies and resume be tested in milliseconds, with learning that actually happens.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  Rollout,
  SampleRequest,
  SampleResult,
  TrainablePolicy,
  TrainingRollout,
  UpdateOptions,
  UpdateStats,
} from '../../src/policy/types.js';
import type { Problem } from '../../src/tasks/types.js';
import { rngFor } from '../../src/tasks/rng.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export class TabularPolicy implements TrainablePolicy {
  readonly kind = 'tabular';
  readonly logits: number[];
  private readonly index = new Map<string, number>();
  sampleCalls: SampleRequest[] = [];

  constructor(
    private readonly problems: Problem[],
    initial: (p: Problem, i: number) => number,
  ) {
    this.logits = problems.map(initial);
    problems.forEach((p, i) => this.index.set(p.prompt, i));
  }

  probability(i: number): number {
    return sigmoid(this.logits[i]);
  }

  async sample(req: SampleRequest): Promise<SampleResult> {
    this.sampleCalls.push(req);
    const groups: Rollout[][] = req.prompts.map((prompt, qi) => {
      const i = this.index.get(prompt);
      if (i === undefined) throw new Error(`unknown prompt ${prompt}`);
      const p = sigmoid(this.logits[i]);
      const rng = rngFor('tabular', req.seed, qi);
      return Array.from({ length: req.n[qi] }, () => {
        const correct = req.temperature === 0 ? p >= 0.5 : rng.next() < p;
        const token = correct ? 1 : 0;
        return {
          text: correct ? this.problems[i].answer : `x${this.problems[i].answer}`,
          finished: true,
          promptTokens: [i],
          completionTokens: [token],
          logprobs: Float32Array.of(Math.log(correct ? p : 1 - p)),
        };
      });
    });
    const count = req.n.reduce((s, n) => s + n, 0);
    return { groups, flops: 100 * count, tokens: 2 * count };
  }

  async update(rollouts: TrainingRollout[], opts: UpdateOptions): Promise<UpdateStats> {
    const grad = new Map<number, number>();
    for (const r of rollouts) {
      const i = r.promptTokens[0];
      const p = sigmoid(this.logits[i]);
      // d log p(token) / d logit: (1 − p) for the correct token, −p for the wrong one
      const dlogp = r.completionTokens[0] === 1 ? 1 - p : -p;
      grad.set(i, (grad.get(i) ?? 0) + (r.advantage * dlogp) / rollouts.length);
    }
    for (const [i, g] of grad) this.logits[i] += opts.lr * g;
    return {
      loss: 0,
      clipFraction: 0,
      gradNorm: 0,
      trainFlops: 300 * rollouts.length,
      logprobFlops: 0,
      tokens: 2 * rollouts.length,
    };
  }

  async save(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'tabular.json'), JSON.stringify(this.logits));
  }

  load(dir: string): void {
    const saved = JSON.parse(readFileSync(join(dir, 'tabular.json'), 'utf8')) as number[];
    saved.forEach((v, i) => (this.logits[i] = v));
  }

  async close(): Promise<void> {}
}

/** Problems with fixed answers and a difficulty spread, independent of the task generators. */
export function toyProblems(count: number): Problem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `toy-${i}`,
    prompt: `q${i}=`,
    answer: String(i * 7),
    meta: { family: 'toy', difficulty: i % 5 },
  }));
}

export const exactScorer = async (problem: Problem, completion: string) =>
  completion === problem.answer
    ? { reward: 1, reason: 'correct' as const }
    : { reward: 0, reason: 'wrong' as const };
