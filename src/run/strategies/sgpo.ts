/**
 * sGPO in the loop: the plan from a profile (filter, per-prompt G, easy → hard phases) drives each
 * step. Each phase trains on a pool built when it starts (see sgpo-pool.ts), drawn without
 * replacement in a seeded order.
 *
 * A phase ends after its equal share of the run (steps, or the FLOP budget when there is one),
 * (plateau) when held-out accuracy has not risen for `plateauPatience` evaluations, or (signal) when
 * the phase's own training reward or signal rate stops improving (sgpo-signal.ts).
 *
 * Switches beyond the paper (all off by default, which is the paper's behaviour):
 *   online      p̂ updated from training rollouts; a prompt's G follows it, trivial ones are skipped
 *   cumulative  later phases keep the earlier phases' prompts, each at its own G
 *   replay      shares of the dropped trivial / unsolved prompts join every phase at a small G
 *   reprofile   at a phase boundary a k-sample pass under the current policy (charged as profiling)
 *               over the next phase's pool or every prompt updates the estimates and re-buckets
 *   perStep=vip VIP's variance-optimal split of the step's sGPO budget (Σ G), GP prior = profile p̂
 */
import {
  gpFromState,
  gpPredict,
  gpToState,
  gpUpdate,
  logitPrior,
  minLowerBound,
  type GpModel,
  type GpState,
} from '../../algo/index.js';
import type { ProfileEntry, SgpoPlan } from '../../algo/index.js';
import type { Problem } from '../../tasks/types.js';
import { stepSeed } from '../seeds.js';
import { PromptStream, type PromptStreamState } from './prompt-stream.js';
import { stepDiagnostics } from './sgpo-diagnostics.js';
import {
  bucketOf,
  phasePool,
  replaySubsets,
  type Estimate,
  type PoolItem,
  type PoolRules,
} from './sgpo-pool.js';
import { freshTracker, stepSignal, trackSignal, type SignalRule, type SignalTracker } from './sgpo-signal.js';
import {
  observedRates,
  successCount,
  type CollectContext,
  type CollectResult,
  type ScoredGroup,
  type Strategy,
} from './types.js';
import { promptGp, vipSplit } from './vip.js';

export interface SgpoStrategyConfig {
  promptsPerStep: number;
  tau: number;
  gMin: number;
  gMax: number;
  rounding: 'pow2' | 'exact';
  phaseEnd: 'share' | 'plateau' | 'signal';
  plateauPatience: number;
  online: boolean;
  cumulative?: boolean;
  replay?: PoolRules['replay'];
  reprofile?: { scope: 'off' | 'next' | 'all'; k: number };
  signal?: SignalRule;
  perStep?: 'plan' | 'vip';
}

/** Samples k rollouts of each prompt under the current policy, charged to the ledger as profiling. */
export type Reprofiler = (problems: Problem[], k: number, seed: number) => Promise<ProfileEntry[]>;

interface SgpoState {
  phase: number;
  wanted: number;
  stream: PromptStreamState | null;
  best: number;
  sinceBest: number;
  online: Record<string, Estimate>;
  estimates: Record<string, Estimate>;
  tracker: SignalTracker;
  gp: GpState | null;
}

/** Weight of older evidence when new evidence for a prompt arrives (recent rollouts count more). */
const DECAY = 0.5;
/** VIP inside sGPO: GP noise and the most rollouts one prompt may get, as a multiple of gMax. */
const VIP_NOISE = 0.5;
const VIP_UPPER_FACTOR = 4;

const DEFAULTS = {
  cumulative: false,
  replay: { trivial: 0, unsolved: 0, G: 2 },
  reprofile: { scope: 'off' as const, k: 4 },
  signal: { metric: 'reward' as const, window: 5, patience: 10, minDelta: 0.01 },
  perStep: 'plan' as const,
};

export class SgpoStrategy implements Strategy {
  readonly name = 'sgpo';
  private readonly cfg: Required<SgpoStrategyConfig>;
  private readonly byId: Map<string, Problem>;
  private readonly replayIds: ReturnType<typeof replaySubsets>;
  /** The phase whose pool is built (-1 before the first step) and the one the next step trains. */
  private phase = -1;
  private wanted = 0;
  private pool: PoolItem[] = [];
  private stream: PromptStream | undefined;
  private best = -Infinity;
  private sinceBest = 0;
  private tracker = freshTracker();
  private online = new Map<string, Estimate>();
  private estimates = new Map<string, Estimate>();
  private gp: GpModel | undefined;
  private finished = false;

  constructor(
    problems: Problem[],
    private readonly plan: SgpoPlan,
    cfg: SgpoStrategyConfig,
    private readonly seed: number,
    private readonly reprofiler?: Reprofiler,
  ) {
    this.cfg = { ...DEFAULTS, ...cfg };
    this.byId = new Map(problems.map((p) => [p.id, p]));
    for (const p of plan.prompts) {
      if (!this.byId.has(p.id) && p.kept)
        throw new Error(`sgpo: the profile names prompt '${p.id}', which is not in the training set`);
      this.estimates.set(p.id, { successes: p.successes, trials: p.k });
      this.online.set(p.id, { successes: p.successes, trials: p.k });
    }
    if (plan.phases.length === 0) {
      throw new Error(
        'sgpo: the plan has no phases (every prompt is trivial or unsolved); lower tau or raise alpha',
      );
    }
    if (this.cfg.reprofile.scope !== 'off' && !reprofiler)
      throw new Error('sgpo: reprofile is on but the run gave no way to profile the current policy');
    this.replayIds = replaySubsets(plan, this.cfg.replay, seed);
    if (this.cfg.perStep === 'vip') {
      const inPlan = plan.prompts.filter((p) => this.byId.has(p.id));
      const prior = logitPrior(inPlan.map((p) => p.pHat));
      this.gp = promptGp(
        inPlan.map((p) => this.byId.get(p.id)!),
        prior,
        VIP_NOISE,
        seed,
      );
    }
  }

  get currentPhase(): number {
    return this.wanted;
  }

  /** The pool the current phase trains on (after the first step). */
  get currentPool(): readonly PoolItem[] {
    return this.pool;
  }

  private buildPool(j: number): void {
    this.pool = phasePool({
      j,
      plan: this.plan,
      problems: this.byId,
      estimates: this.estimates,
      rules: this.cfg,
      replayIds: this.replayIds,
    });
    if (this.pool.length === 0) throw new Error(`sgpo: phase ${j} has no prompts left to train on`);
  }

  /** Starts phase j: re-profile (when on), build its pool and its stream, reset its trackers. */
  private async enterPhase(j: number): Promise<number> {
    let reprofiled = 0;
    if (j > 0 && this.cfg.reprofile.scope !== 'off') reprofiled = await this.reprofile(j);
    this.buildPool(j);
    this.stream = new PromptStream(this.pool.length, this.seed, `sgpo-phase-${j}`);
    this.phase = j;
    this.tracker = freshTracker();
    this.best = -Infinity;
    this.sinceBest = 0;
    return reprofiled;
  }

  private async reprofile(j: number): Promise<number> {
    let targets: Problem[];
    if (this.cfg.reprofile.scope === 'all')
      targets = this.plan.prompts.flatMap((p) => this.byId.get(p.id) ?? []);
    else {
      this.buildPool(j);
      targets = this.pool.map((it) => it.problem);
    }
    const k = this.cfg.reprofile.k;
    const rows = await this.reprofiler!(targets, k, stepSeed(this.seed, 'reprofile', j));
    for (const r of rows) {
      const old = this.estimates.get(r.id)!;
      this.estimates.set(r.id, {
        successes: r.successes + DECAY * old.successes,
        trials: r.k + DECAY * old.trials,
      });
    }
    return rows.length;
  }

  private targetPhase(progress: number): number {
    if (this.cfg.phaseEnd !== 'share') return this.wanted;
    const byShare = Math.min(this.plan.phases.length - 1, Math.floor(progress * this.plan.phases.length));
    return Math.max(this.wanted, byShare);
  }

  /** G for a pool item: its planned G, or with `online` the online estimate's (null = now trivial). */
  private groupSize(item: PoolItem): number | null {
    if (!this.cfg.online || item.replay) return item.G;
    const { cls, G } = bucketOf(this.online.get(item.problem.id)!, this.cfg);
    if (cls === 'trivial') return null;
    return G ?? this.cfg.gMax;
  }

  async collect(ctx: CollectContext): Promise<CollectResult> {
    this.wanted = this.targetPhase(ctx.progress);
    const reprofiled = this.wanted !== this.phase ? await this.enterPhase(this.wanted) : 0;
    const take = Math.min(this.cfg.promptsPerStep, this.pool.length);
    const items: PoolItem[] = [];
    const n: number[] = [];
    for (const i of this.stream!.take(take)) {
      const G = this.groupSize(this.pool[i]);
      if (G === null) continue;
      items.push(this.pool[i]);
      n.push(G);
    }
    if (this.gp && items.length > 0) this.splitByVip(items, n);
    const groups = items.length
      ? await ctx.sample(
          items.map((it) => it.problem),
          n,
        )
      : [];
    this.afterStep(groups);
    const diagnostics = stepDiagnostics(
      groups.map((group, i) => ({ group, item: items[i], plannedP: this.plannedP(group.problem.id) })),
    );
    return {
      groups,
      generated: n.reduce((s, x) => s + x, 0),
      discarded: 0,
      ...(this.finished ? { finished: true } : {}),
      info: {
        // Numbered from 1, as in the profile table, `plan` and the verl export.
        phase: this.phase + 1,
        phaseG: this.plan.phases[this.phase].G,
        poolSize: this.pool.length,
        droppedTrivial: take - items.length,
        ...(reprofiled ? { reprofiled } : {}),
        ...diagnostics,
      },
    };
  }

  /** Replaces the plan's group sizes by VIP's split of the same total. */
  private splitByVip(items: PoolItem[], n: number[]): void {
    const p = Array.from(
      gpPredict(
        this.gp!,
        items.map((it) => it.problem.id),
      ),
    );
    const budget = n.reduce((s, x) => s + x, 0);
    const lower = Math.max(minLowerBound('rloo'), this.cfg.gMin);
    const split = vipSplit(p, Math.max(budget, lower * n.length), {
      lower,
      upper: Math.max(VIP_UPPER_FACTOR * this.cfg.gMax, ...n),
      objective: 'rloo',
      floor: lower,
      gamma: 0,
    });
    split.forEach((x, i) => (n[i] = x));
  }

  private plannedP(id: string): number {
    const e = this.estimates.get(id)!;
    return e.trials > 0 ? e.successes / e.trials : 0;
  }

  /**
   * The phase-end rule by training signal: only the groups this phase trained on are read. When the
   * last phase stops improving, the schedule is over and the run ends after this step.
   */
  private afterStep(groups: ScoredGroup[]): void {
    if (this.cfg.phaseEnd !== 'signal') return;
    const { tracker, ended } = trackSignal(
      this.tracker,
      stepSignal(groups, this.cfg.signal.metric),
      this.cfg.signal,
    );
    this.tracker = tracker;
    if (!ended) return;
    if (this.phase < this.plan.phases.length - 1) this.wanted = this.phase + 1;
    else this.finished = true;
  }

  observe(groups: ScoredGroup[]): void {
    if (this.gp) {
      const { ids, rates } = observedRates(groups.filter((g) => this.estimates.has(g.problem.id)));
      if (ids.length > 0) gpUpdate(this.gp, ids, rates);
    }
    if (!this.cfg.online) return;
    for (const g of groups) {
      const c = this.online.get(g.problem.id);
      if (!c) continue;
      c.successes = DECAY * c.successes + successCount(g);
      c.trials = DECAY * c.trials + g.rollouts.length;
    }
  }

  onEval(_step: number, accuracy: number): void {
    if (this.cfg.phaseEnd !== 'plateau') return;
    if (accuracy > this.best) {
      this.best = accuracy;
      this.sinceBest = 0;
    } else if (++this.sinceBest >= this.cfg.plateauPatience && this.wanted < this.plan.phases.length - 1) {
      this.wanted++;
      this.best = -Infinity;
      this.sinceBest = 0;
    }
  }

  getState(): SgpoState {
    return {
      phase: this.phase,
      wanted: this.wanted,
      stream: this.stream?.getState() ?? null,
      best: this.best,
      sinceBest: this.sinceBest,
      online: mapToRecord(this.online),
      estimates: mapToRecord(this.estimates),
      tracker: { ...this.tracker, recent: [...this.tracker.recent] },
      gp: this.gp ? gpToState(this.gp) : null,
    };
  }

  setState(raw: unknown): void {
    const s = raw as SgpoState;
    this.online = recordToMap(s.online);
    this.estimates = recordToMap(s.estimates);
    this.phase = s.phase;
    this.wanted = s.wanted;
    if (s.phase >= 0) {
      this.buildPool(s.phase);
      this.stream = new PromptStream(this.pool.length, this.seed, `sgpo-phase-${s.phase}`);
      if (s.stream) this.stream.setState(s.stream);
    }
    this.best = s.best === null ? -Infinity : s.best; // JSON turns -Infinity into null
    this.sinceBest = s.sinceBest;
    this.tracker = { ...s.tracker, recent: [...s.tracker.recent] };
    if (s.gp) this.gp = gpFromState(s.gp);
  }
}

function mapToRecord(m: Map<string, Estimate>): Record<string, Estimate> {
  return Object.fromEntries([...m].map(([k, v]) => [k, { ...v }]));
}

function recordToMap(r: Record<string, Estimate>): Map<string, Estimate> {
  return new Map(Object.entries(r).map(([k, v]) => [k, { ...v }]));
}
