/**
 * Prompt feature vectors for the success predictor. The default needs no model:
 * hashed character n-grams (n = 1..3 of the lower-cased text, FNV-1a into `dim` buckets, counts,
 * L2-normalised) followed by `metaDim` buckets of task metadata: a string/boolean value v of key k adds
 * `metaWeight` at bucket hash("k=v") (a hashed one-hot, e.g. the task family); a numeric value adds
 * metaWeight·v at bucket hash("k") (e.g. difficulty — scale it to about [0, 1] yourself).
 * Any function of type FeatureFn can replace it.
 */
import { fnv1a } from '../tasks/rng.js';

export interface PromptInfo {
  id: string;
  text: string;
  meta?: Record<string, string | number | boolean | null | undefined>;
}

export type FeatureFn = (prompt: PromptInfo) => number[];

export interface NgramFeatureOptions {
  /** Buckets for the n-grams (default 128). */
  dim?: number;
  nMin?: number;
  nMax?: number;
  /** Buckets for metadata (default 16; 0 to ignore metadata). */
  metaDim?: number;
  metaWeight?: number;
}

export const NGRAM_DEFAULTS = { dim: 128, nMin: 1, nMax: 3, metaDim: 16, metaWeight: 0.5 };

export function hashedNgramFeatures(options: NgramFeatureOptions = {}): FeatureFn {
  const o = { ...NGRAM_DEFAULTS, ...options };
  if (!(o.dim >= 1 && o.nMin >= 1 && o.nMax >= o.nMin && o.metaDim >= 0)) {
    throw new Error(`bad n-gram feature options ${JSON.stringify(o)}`);
  }
  return (prompt) => {
    const v = new Array<number>(o.dim + o.metaDim).fill(0);
    const text = prompt.text.toLowerCase();
    for (let n = o.nMin; n <= o.nMax; n++) {
      for (let i = 0; i + n <= text.length; i++) {
        v[fnv1a(text.slice(i, i + n)) % o.dim] += 1;
      }
    }
    let norm = 0;
    for (let i = 0; i < o.dim; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < o.dim; i++) v[i] /= norm;
    if (o.metaDim > 0 && prompt.meta) {
      for (const key of Object.keys(prompt.meta).sort()) {
        const val = prompt.meta[key];
        if (val === null || val === undefined) continue;
        if (typeof val === 'number') {
          if (Number.isFinite(val)) v[o.dim + (fnv1a(key) % o.metaDim)] += o.metaWeight * val;
        } else {
          v[o.dim + (fnv1a(`${key}=${String(val)}`) % o.metaDim)] += o.metaWeight;
        }
      }
    }
    return v;
  };
}
