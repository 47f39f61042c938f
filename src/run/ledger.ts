/**
 * The FLOP ledger: FLOPs, tokens and wall time by phase, cumulative over a run.
 *
 * Training-side compute is everything a method spends to learn (profiling included); evaluation is
 * recorded but not charged, so compute-to-target compares methods on what they spend to get there.
 */

export const PHASES = ['profile', 'rollout', 'logprob', 'train', 'eval'] as const;
export type Phase = (typeof PHASES)[number];

export interface PhaseTotals {
  flops: number;
  tokens: number;
  wallMs: number;
  /** Set when part of the phase ran where FLOPs cannot be counted (a remote server of unknown size). */
  uncounted?: boolean;
}

export type LedgerState = Record<Phase, PhaseTotals>;

const CHARGED: readonly Phase[] = ['profile', 'rollout', 'logprob', 'train'];

export class Ledger {
  private totals: LedgerState;

  constructor(state?: LedgerState) {
    this.totals = Object.fromEntries(
      PHASES.map((p) => [p, { ...(state?.[p] ?? { flops: 0, tokens: 0, wallMs: 0 }) }]),
    ) as LedgerState;
  }

  add(phase: Phase, flops: number, tokens: number, wallMs: number): void {
    if (!Number.isFinite(flops) || flops < 0) throw new Error(`ledger: bad FLOP count ${flops} for ${phase}`);
    const t = this.totals[phase];
    t.flops += flops;
    t.tokens += tokens;
    t.wallMs += wallMs;
  }

  /** Marks a phase whose FLOPs are not (fully) counted: reports say "not counted" rather than 0. */
  markUncounted(phase: Phase): void {
    this.totals[phase].uncounted = true;
  }

  /** Runs `fn`, charging its reported FLOPs and tokens and its wall time to `phase`. */
  async time<T extends { flops: number; tokens: number }>(phase: Phase, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    const out = await fn();
    this.add(phase, out.flops, out.tokens, performance.now() - start);
    return out;
  }

  get(phase: Phase): PhaseTotals {
    return { ...this.totals[phase] };
  }

  /** Training-side FLOPs: profile + rollout + log-prob + train (evaluation excluded). */
  get chargedFlops(): number {
    return CHARGED.reduce((s, p) => s + this.totals[p].flops, 0);
  }

  snapshot(): LedgerState {
    return JSON.parse(JSON.stringify(this.totals)) as LedgerState;
  }
}
