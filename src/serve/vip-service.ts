/**
 * VIP as a service for trainers in any language: the GP success predictor over every prompt seen so
 * far, updated from observed outcomes, and the exact variance-minimising split of a rollout budget
 * (the same `vipSplit` the embedded trainer uses). Prompts are registered on first sight with their
 * feature vector, or with text (the default hashed n-gram features); a prompt registered after some
 * steps starts from the prior mean (earlier steps' updates reached only the prompts known then, so
 * register the pool up front where you can). The state is a JSON-safe object, saved after each change.
 */
import {
  createGp,
  gpFromState,
  gpPredict,
  gpToState,
  gpUpdate,
  hashedNgramFeatures,
  type GpModel,
  type GpState,
} from '../algo/index.js';
import { vipSplit } from '../run/strategies/vip.js';
import { HttpError } from './http.js';

export interface VipServiceOptions {
  objective: 'drgrpo' | 'rloo';
  lower: number;
  upper: number;
  /** Minimum rollouts for any prompt, whatever its prediction. */
  floor: number;
  gamma: number;
  noise: number;
  /** Prior mean of the latent g (logit scale); 0 is p = 0.5. */
  priorMean: number;
  /** RBF bandwidth; 'median' takes the median pairwise distance of the first prompts registered. */
  bandwidth: number | 'median';
}

export interface VipServiceState {
  version: 1;
  options: VipServiceOptions;
  gp: GpState | null;
  steps: number;
  observations: number;
}

export interface PromptSpec {
  id: string;
  features?: number[];
  text?: string;
  meta?: Record<string, string | number | boolean>;
}

const textFeatures = hashedNgramFeatures();

function featuresOf(p: PromptSpec, where: string): number[] {
  if (p.features !== undefined) {
    if (!Array.isArray(p.features) || p.features.length === 0 || !p.features.every(Number.isFinite)) {
      throw new HttpError(400, `${where}.features: must be a non-empty list of finite numbers`);
    }
    return p.features;
  }
  if (typeof p.text === 'string') return textFeatures({ id: p.id, text: p.text, meta: p.meta });
  throw new HttpError(400, `${where}: prompt "${p.id}" is new: give its features or its text`);
}

export class VipService {
  private gp: GpModel | null;
  private steps: number;
  private observations: number;

  constructor(
    readonly options: VipServiceOptions,
    state?: VipServiceState,
  ) {
    this.gp = state?.gp ? gpFromState(state.gp) : null;
    this.steps = state?.steps ?? 0;
    this.observations = state?.observations ?? 0;
  }

  get promptCount(): number {
    return this.gp?.P ?? 0;
  }

  /** Adds the prompts not seen before; returns how many were new. */
  register(prompts: PromptSpec[], where = 'prompts'): number {
    const known = this.gp?.index;
    const fresh = prompts.filter((p, i) => {
      if (typeof p?.id !== 'string' || p.id === '')
        throw new HttpError(400, `${where}[${i}].id: must be a non-empty string`);
      return !known?.has(p.id);
    });
    const unique = [...new Map(fresh.map((p) => [p.id, p])).values()];
    if (unique.length === 0) return 0;
    const features = unique.map((p, i) => featuresOf(p, `${where}[${i}]`));
    const D = this.gp?.D ?? features[0].length;
    const bad = features.findIndex((f) => f.length !== D);
    if (bad >= 0) {
      throw new HttpError(
        400,
        `${where}: prompt "${unique[bad].id}" has ${features[bad].length} features, the others ${D}`,
      );
    }
    const ids = unique.map((p) => p.id);
    if (!this.gp) {
      const { priorMean, noise, bandwidth } = this.options;
      this.gp = createGp(ids, features, { priorMean, noise, bandwidth });
      return ids.length;
    }
    const s = gpToState(this.gp);
    const prior = ids.map(() => this.options.priorMean);
    this.gp = gpFromState({
      ...s,
      ids: [...s.ids, ...ids],
      features: [...s.features, ...features],
      mean: [...s.mean, ...prior],
      prior: [...s.prior, ...prior],
    });
    return ids.length;
  }

  /** Rollouts per prompt for a batch and a budget, with the predictions they came from. */
  allocate(prompts: PromptSpec[], budget: number): { n: number[]; p: number[]; registered: number } {
    if (!Array.isArray(prompts) || prompts.length === 0)
      throw new HttpError(400, 'prompts: must be a non-empty list');
    const registered = this.register(prompts);
    const ids = prompts.map((p) => p.id);
    if (new Set(ids).size !== ids.length) throw new HttpError(400, 'prompts: an id appears twice');
    const { lower, upper } = this.options;
    if (!Number.isInteger(budget) || budget < ids.length * lower || budget > ids.length * upper) {
      throw new HttpError(
        400,
        `budget: must be an integer in [${ids.length * lower}, ${ids.length * upper}] for ${ids.length} prompts with ${lower} ≤ n ≤ ${upper}, got ${JSON.stringify(budget)}`,
      );
    }
    const p = Array.from(gpPredict(this.gp!, ids));
    try {
      return { n: vipSplit(p, budget, this.options), p, registered };
    } catch (err) {
      // e.g. the exploration floor leaves no feasible split of this budget
      throw new HttpError(400, `budget: ${(err as Error).message}`);
    }
  }

  /** One step's outcomes: successes out of n rollouts per prompt (known prompts only). */
  observe(outcomes: Array<{ id: string; successes: number; n: number }>): number {
    if (!Array.isArray(outcomes) || outcomes.length === 0)
      throw new HttpError(400, 'outcomes: must be a non-empty list');
    const ids: string[] = [];
    const y: number[] = [];
    outcomes.forEach((o, i) => {
      const where = `outcomes[${i}]`;
      if (!this.gp?.index.has(o?.id))
        throw new HttpError(
          400,
          `${where}.id: unknown prompt ${JSON.stringify(o?.id)} (allocate or register it first)`,
        );
      if (!Number.isInteger(o.n) || o.n < 1) throw new HttpError(400, `${where}.n: must be an integer ≥ 1`);
      if (!Number.isInteger(o.successes) || o.successes < 0 || o.successes > o.n) {
        throw new HttpError(400, `${where}.successes: must be an integer in [0, n]`);
      }
      if (ids.includes(o.id)) throw new HttpError(400, `${where}.id: "${o.id}" appears twice in one step`);
      ids.push(o.id);
      y.push(o.successes / o.n);
    });
    gpUpdate(this.gp!, ids, y);
    this.steps++;
    this.observations += ids.length;
    return ids.length;
  }

  predict(ids: string[]): number[] {
    ids.forEach((id, i) => {
      if (!this.gp?.index.has(id))
        throw new HttpError(400, `ids[${i}]: unknown prompt ${JSON.stringify(id)}`);
    });
    return Array.from(gpPredict(this.gp!, ids));
  }

  toState(): VipServiceState {
    return {
      version: 1,
      options: this.options,
      gp: this.gp ? gpToState(this.gp) : null,
      steps: this.steps,
      observations: this.observations,
    };
  }

  summary(): { prompts: number; steps: number; observations: number; options: VipServiceOptions } {
    return {
      prompts: this.promptCount,
      steps: this.steps,
      observations: this.observations,
      options: this.options,
    };
  }
}
