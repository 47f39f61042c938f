/**
 * sGPO plan from an offline profile (k samples per prompt under the initial policy):
 * p̂ = s/k, a Beta(1 + s, 1 + k − s) posterior, a class, a group size G ≈ 1/p̂ and curriculum phases.
 *
 * Defaults (the sources' sGPO: k = 8 at temperature 1, buckets G ∈ {2, 4, 8}):
 *   tau = 0.75   trivial when p̂ > tau (dropped)
 *   alpha = 0.1  fraction of unsolved prompts (p̂ = 0) kept, seeded subsample of round(alpha·U)
 *   gMin = 2, gMax = 8, groupSize = 'pow2' (clip(2^⌊log₂(1/p̂)⌋)) or 'exact' (clip(round(1/p̂)))
 *   credibleLevel = 0.95, uniformN = 8 (the uniform baseline's group size), seed = 0
 * Phases: one per distinct G of the learnable prompts, ascending (easy → hard). The kept unsolved
 * prompts join every phase at that phase's G (their own G is null). With no learnable prompt but kept
 * unsolved ones, there is a single phase at gMax.
 */
import { betaPosterior, type BetaPosterior } from './beta.js';
import { createRng, deriveSeed, sampleWithoutReplacement } from '../tasks/rng.js';

export interface ProfileEntry {
  id: string;
  /** Number of samples drawn for this prompt. */
  k: number;
  /** Number of those that were correct. */
  successes: number;
}

export type PromptClass = 'trivial' | 'unsolved' | 'learnable';

export interface SgpoOptions {
  tau?: number;
  alpha?: number;
  gMin?: number;
  gMax?: number;
  groupSize?: 'pow2' | 'exact';
  seed?: number | string;
  credibleLevel?: number;
  uniformN?: number;
  /** 'fixed' (default): one unsolved subsample for all phases; 'perPhase': a fresh seeded one per phase. */
  unsolvedSubset?: 'fixed' | 'perPhase';
}

export const SGPO_DEFAULTS = {
  k: 8,
  tau: 0.75,
  alpha: 0.1,
  gMin: 2,
  gMax: 8,
  groupSize: 'pow2' as const,
  seed: 0,
  credibleLevel: 0.95,
  uniformN: 8,
  unsolvedSubset: 'fixed' as const,
};

export interface PlannedPrompt {
  id: string;
  k: number;
  successes: number;
  pHat: number;
  posterior: BetaPosterior;
  cls: PromptClass;
  /** In the plan at all (learnable, or an unsolved prompt in the kept subsample). */
  kept: boolean;
  /** Group size for learnable prompts; null for unsolved (they take each phase's G) and trivial. */
  G: number | null;
  /** Indices of the phases this prompt is trained in. */
  phases: number[];
}

export interface Phase {
  index: number;
  G: number;
  promptIds: string[];
  learnable: number;
  unsolved: number;
  /** Rollouts for one pass over this phase's prompts: G × prompts. */
  rollouts: number;
}

export interface SgpoPlan {
  prompts: PlannedPrompt[];
  phases: Phase[];
  counts: { total: number; trivial: number; unsolved: number; unsolvedKept: number; learnable: number };
  /** Rollouts for one pass over every phase. */
  rolloutsPerEpoch: number;
  /** Uniform baseline: uniformN rollouts for every profiled prompt. */
  baselineRolloutsPerEpoch: number;
  /** rolloutsPerEpoch / baselineRolloutsPerEpoch. */
  ratio: number;
  /** Rollouts spent on the profile itself (Σ k). */
  profileRollouts: number;
  options: Required<SgpoOptions>;
}

/** Class of a prompt from its empirical success rate. */
export function classify(pHat: number, tau = SGPO_DEFAULTS.tau): PromptClass {
  if (pHat > tau) return 'trivial';
  if (pHat === 0) return 'unsolved';
  return 'learnable';
}

/** G = clip(2^⌊log₂(1/p̂)⌋, gMin, gMax); p̂ = 0 → gMax. */
export function groupSizePow2(pHat: number, gMin = SGPO_DEFAULTS.gMin, gMax = SGPO_DEFAULTS.gMax): number {
  checkP(pHat);
  if (pHat === 0) return gMax;
  // The 1e-9 guards 1/p̂ that lands a hair under a power of two (e.g. 1/(1/3)·… rounding).
  const g = 2 ** Math.floor(Math.log2(1 / pHat) + 1e-9);
  return clip(g, gMin, gMax);
}

/** G = clip(round(1/p̂), gMin, gMax); p̂ = 0 → gMax. */
export function groupSizeExact(pHat: number, gMin = SGPO_DEFAULTS.gMin, gMax = SGPO_DEFAULTS.gMax): number {
  checkP(pHat);
  if (pHat === 0) return gMax;
  return clip(Math.round(1 / pHat), gMin, gMax);
}

/** Seeded α-subsample of unsolved prompt ids: round(α·U) of them, independent of input order. */
export function subsampleUnsolved(ids: readonly string[], alpha: number, seed: number | string): string[] {
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`alpha must be in [0, 1], got ${alpha}`);
  const sorted = [...ids].sort();
  const k = Math.round(alpha * sorted.length);
  return sampleWithoutReplacement(sorted, k, createRng(seed));
}

function checkPlanOptions(o: Required<SgpoOptions>): void {
  if (!(o.tau >= 0 && o.tau <= 1)) throw new Error(`tau must be in [0, 1], got ${o.tau}`);
  if (!(Number.isInteger(o.gMin) && Number.isInteger(o.gMax) && 1 <= o.gMin && o.gMin <= o.gMax)) {
    throw new Error(`need integers 1 <= gMin <= gMax, got gMin=${o.gMin}, gMax=${o.gMax}`);
  }
}

/** Each profile row checked, classified and given its G (learnable only); phases are filled later. */
function plannedPrompts(profile: readonly ProfileEntry[], o: Required<SgpoOptions>): PlannedPrompt[] {
  const sizeOf = o.groupSize === 'exact' ? groupSizeExact : groupSizePow2;
  const seen = new Set<string>();
  const posteriorCache = new Map<string, BetaPosterior>();
  return profile.map((e, row) => {
    if (seen.has(e.id)) throw new Error(`profile row ${row}: duplicate prompt id '${e.id}'`);
    seen.add(e.id);
    if (!Number.isInteger(e.k) || e.k < 1)
      throw new Error(`profile row ${row} (${e.id}): k must be >= 1, got ${e.k}`);
    if (!Number.isInteger(e.successes) || e.successes < 0 || e.successes > e.k) {
      throw new Error(`profile row ${row} (${e.id}): successes must be in [0, ${e.k}], got ${e.successes}`);
    }
    const key = `${e.successes}/${e.k}`;
    let posterior = posteriorCache.get(key);
    if (!posterior) {
      posterior = betaPosterior(e.successes, e.k, o.credibleLevel);
      posteriorCache.set(key, posterior);
    }
    const pHat = e.successes / e.k;
    const cls = classify(pHat, o.tau);
    return {
      id: e.id,
      k: e.k,
      successes: e.successes,
      pHat,
      posterior,
      cls,
      kept: cls === 'learnable',
      G: cls === 'learnable' ? sizeOf(pHat, o.gMin, o.gMax) : null,
      phases: [],
    };
  });
}

/** One phase per distinct G, ascending (easy → hard); the kept unsolved subset joins each at its G. */
function planPhases(prompts: PlannedPrompt[], o: Required<SgpoOptions>): Phase[] {
  const learnable = prompts.filter((p) => p.cls === 'learnable');
  const unsolvedIds = prompts.filter((p) => p.cls === 'unsolved').map((p) => p.id);
  let phaseGs = [...new Set(learnable.map((p) => p.G as number))].sort((a, b) => a - b);
  const nKeep = Math.round(o.alpha * unsolvedIds.length);
  if (phaseGs.length === 0 && nKeep > 0) phaseGs = [o.gMax];

  const byId = new Map(prompts.map((p) => [p.id, p]));
  const fixedSubset = subsampleUnsolved(unsolvedIds, o.alpha, o.seed);
  return phaseGs.map((G, index) => {
    const own = learnable.filter((p) => p.G === G).map((p) => p.id);
    const extra =
      o.unsolvedSubset === 'perPhase'
        ? subsampleUnsolved(unsolvedIds, o.alpha, deriveSeed(o.seed, `phase-${index}`))
        : fixedSubset;
    const promptIds = [...own, ...[...extra].sort()];
    for (const id of promptIds) {
      const p = byId.get(id) as PlannedPrompt;
      p.phases.push(index);
      p.kept = true;
    }
    return {
      index,
      G,
      promptIds,
      learnable: own.length,
      unsolved: extra.length,
      rollouts: G * promptIds.length,
    };
  });
}

/** Build the sGPO plan: classify and size every prompt, then phase them easy → hard. */
export function sgpoPlan(profile: readonly ProfileEntry[], options: SgpoOptions = {}): SgpoPlan {
  const o: Required<SgpoOptions> = { ...SGPO_DEFAULTS, ...options };
  checkPlanOptions(o);
  const prompts = plannedPrompts(profile, o);
  const phases = planPhases(prompts, o);
  const rolloutsPerEpoch = phases.reduce((s, ph) => s + ph.rollouts, 0);
  const baselineRolloutsPerEpoch = o.uniformN * prompts.length;
  const count = (f: (p: PlannedPrompt) => boolean) => prompts.filter(f).length;
  return {
    prompts,
    phases,
    counts: {
      total: prompts.length,
      trivial: count((p) => p.cls === 'trivial'),
      unsolved: count((p) => p.cls === 'unsolved'),
      unsolvedKept: count((p) => p.cls === 'unsolved' && p.kept),
      learnable: count((p) => p.cls === 'learnable'),
    },
    rolloutsPerEpoch,
    baselineRolloutsPerEpoch,
    ratio: baselineRolloutsPerEpoch > 0 ? rolloutsPerEpoch / baselineRolloutsPerEpoch : 0,
    profileRollouts: prompts.reduce((s, p) => s + p.k, 0),
    options: o,
  };
}

// ---- the probability facts behind G ≈ 1/p -------------------------------------------------------

/** Expected successes in a group of G rollouts at success rate p: G·p. */
export function expectedSuccesses(p: number, G: number): number {
  return G * p;
}

/** P(at least one success in G rollouts) = 1 − (1 − p)^G. */
export function pAtLeastOneSuccess(p: number, G: number): number {
  return 1 - Math.pow(1 - p, G);
}

/** P(exactly one success in G rollouts) = G·p·(1 − p)^(G−1). */
export function pExactlyOneSuccess(p: number, G: number): number {
  return G * p * Math.pow(1 - p, G - 1);
}

/** Real G maximising P(exactly one success): −1/ln(1 − p) = 1/p − 1/2 − p/12 − … */
export function groupSizeMaxOneSuccess(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`p must be in (0, 1), got ${p}`);
  return -1 / Math.log1p(-p);
}

function clip(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`success rate must be in [0, 1], got ${p}`);
}
