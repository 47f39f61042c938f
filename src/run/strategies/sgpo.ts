/**
 * sGPO in the loop: the plan from a profile (filter, per-prompt G, easy → hard phases) drives each
 * step. A phase ends after its equal share of the run (steps, or the FLOP budget when there is one), or (plateau) when held-out accuracy has not
 * risen for `plateauPatience` evaluations. With `online`, p̂ is updated from training rollouts and a
 * prompt is re-bucketed (or dropped when it becomes trivial) as the policy changes.
 */
import { classify, groupSizeExact, groupSizePow2, type SgpoPlan } from '../../algo/index.js';
import type { Problem } from '../../tasks/types.js';
import { PromptStream, type PromptStreamState } from './prompt-stream.js';
import {
  successCount,
  type CollectContext,
  type CollectResult,
  type ScoredGroup,
  type Strategy,
} from './types.js';

export interface SgpoStrategyConfig {
  promptsPerStep: number;
  tau: number;
  gMin: number;
  gMax: number;
  rounding: 'pow2' | 'exact';
  phaseEnd: 'share' | 'plateau';
  plateauPatience: number;
  online: boolean;
}

interface OnlineCounts {
  successes: number;
  trials: number;
}

interface SgpoState {
  phase: number;
  streams: PromptStreamState[];
  best: number;
  sinceBest: number;
  online: Record<string, OnlineCounts>;
}

/** Weight of older evidence each time a prompt is seen again in online mode (recent rollouts count more). */
const ONLINE_DECAY = 0.5;

export class SgpoStrategy implements Strategy {
  readonly name = 'sgpo';
  private readonly phases: Array<{ G: number; problems: Problem[] }>;
  private readonly streams: PromptStream[];
  private phase = 0;
  private best = -Infinity;
  private sinceBest = 0;
  private online = new Map<string, OnlineCounts>();

  constructor(
    problems: Problem[],
    plan: SgpoPlan,
    private readonly cfg: SgpoStrategyConfig,
    seed: number,
  ) {
    const byId = new Map(problems.map((p) => [p.id, p]));
    this.phases = plan.phases.map((ph) => ({
      G: ph.G,
      problems: ph.promptIds.map((id) => {
        const p = byId.get(id);
        if (!p) throw new Error(`sgpo: the profile names prompt '${id}', which is not in the training set`);
        return p;
      }),
    }));
    if (this.phases.length === 0) {
      throw new Error(
        'sgpo: the plan has no phases (every prompt is trivial or unsolved); lower tau or raise alpha',
      );
    }
    this.streams = this.phases.map((ph, i) => new PromptStream(ph.problems.length, seed, `sgpo-phase-${i}`));
    for (const p of plan.prompts) this.online.set(p.id, { successes: p.successes, trials: p.k });
  }

  get currentPhase(): number {
    return this.phase;
  }

  private phaseFor(progress: number): number {
    if (this.cfg.phaseEnd === 'plateau') return this.phase;
    return Math.min(this.phases.length - 1, Math.floor(progress * this.phases.length));
  }

  /** G for a prompt in the current phase: the phase's G, or the online estimate's. */
  private groupSize(problem: Problem, phaseG: number): number | null {
    if (!this.cfg.online) return phaseG;
    const c = this.online.get(problem.id)!;
    const pHat = c.successes / c.trials;
    if (classify(pHat, this.cfg.tau) === 'trivial') return null;
    if (pHat === 0) return this.cfg.gMax;
    return (this.cfg.rounding === 'exact' ? groupSizeExact : groupSizePow2)(
      pHat,
      this.cfg.gMin,
      this.cfg.gMax,
    );
  }

  async collect(ctx: CollectContext): Promise<CollectResult> {
    this.phase = this.phaseFor(ctx.progress);
    const ph = this.phases[this.phase];
    const take = Math.min(this.cfg.promptsPerStep, ph.problems.length);
    const chosen: Problem[] = [];
    const n: number[] = [];
    let dropped = 0;
    for (const i of this.streams[this.phase].take(take)) {
      const G = this.groupSize(ph.problems[i], ph.G);
      if (G === null) {
        dropped++;
        continue;
      }
      chosen.push(ph.problems[i]);
      n.push(G);
    }
    const groups = chosen.length ? await ctx.sample(chosen, n) : [];
    const generated = n.reduce((s, x) => s + x, 0);
    return {
      groups,
      generated,
      discarded: 0,
      info: { phase: this.phase, phaseG: ph.G, droppedTrivial: dropped },
    };
  }

  observe(groups: ScoredGroup[]): void {
    if (!this.cfg.online) return;
    for (const g of groups) {
      const c = this.online.get(g.problem.id);
      if (!c) continue;
      c.successes = ONLINE_DECAY * c.successes + successCount(g);
      c.trials = ONLINE_DECAY * c.trials + g.rollouts.length;
    }
  }

  onEval(_step: number, accuracy: number): void {
    if (this.cfg.phaseEnd !== 'plateau') return;
    if (accuracy > this.best) {
      this.best = accuracy;
      this.sinceBest = 0;
    } else if (++this.sinceBest >= this.cfg.plateauPatience && this.phase < this.phases.length - 1) {
      this.phase++;
      this.best = -Infinity;
      this.sinceBest = 0;
    }
  }

  getState(): SgpoState {
    return {
      phase: this.phase,
      streams: this.streams.map((s) => s.getState()),
      best: this.best,
      sinceBest: this.sinceBest,
      online: Object.fromEntries([...this.online].map(([k, v]) => [k, { ...v }])),
    };
  }

  setState(raw: unknown): void {
    const s = raw as SgpoState;
    this.phase = s.phase;
    s.streams.forEach((st, i) => this.streams[i].setState(st));
    this.best = s.best === null ? -Infinity : s.best; // JSON turns -Infinity into null
    this.sinceBest = s.sinceBest;
    this.online = new Map(Object.entries(s.online).map(([k, v]) => [k, { ...v }]));
  }
}
