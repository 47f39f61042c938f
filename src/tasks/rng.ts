import { fmix32 } from '../engine/rng.js';

/**
 * The one seeded random-number module of flopwise (tasks, algo, run and the verifier draw from it;
 * only the engine keeps its own generator, see engine/rng.ts).
 *
 * - `mulberry32(state)`: a small generator whose whole state is one uint32 (`rng.state()`), so a
 *   strategy can checkpoint and restore it exactly.
 * - `createRng(seed)`: a stream from a number or string seed.
 * - `rngFor(...parts)`: a stream keyed by a list of parts, e.g. rngFor('add', digits, seed, index),
 *   so problem i never depends on problem i − 1.
 * - `fnv1a` (raw FNV-1a, for feature hashing and derived seeds) and `hashString` (FNV-1a + a
 *   murmur finaliser, for keys whose bits must be spread: splits, stream keys, sampling seeds).
 */

/** A seeded random stream. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform uint32. */
  nextUint32(): number;
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  /** Uniform integer in [0, n). */
  below(n: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** Current state (uint32); `mulberry32(rng.state())` continues the same stream. */
  state(): number;
}

/** 32-bit FNV-1a hash of a string, from `seed` (default: the FNV offset basis). */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// The murmur finaliser is the engine's (the bottom layer), so there is one copy of it.
export { fmix32 };

/** FNV-1a then the murmur finaliser: a well-spread 32-bit key of a string. */
export function hashString(s: string): number {
  return fmix32(fnv1a(s));
}

/** mulberry32 stream from a 32-bit state. */
export function mulberry32(state: number): Rng {
  let a = state >>> 0;
  const nextUint32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => nextUint32() / 4294967296;
  return {
    next,
    nextUint32,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    below: (n) => {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`below(n) needs a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
    pick(items) {
      if (items.length === 0) throw new Error('pick from an empty array');
      return items[Math.floor(next() * items.length)];
    },
    state: () => a,
  };
}

/** Normalises a numeric or string seed to a uint32. */
export function seedToUint32(seed: number | string): number {
  if (typeof seed === 'string') return fnv1a(seed);
  if (!Number.isFinite(seed)) throw new Error(`seed must be finite, got ${seed}`);
  // Mix in the high bits so seeds above 2^32 still differ.
  const hi = Math.floor(seed / 4294967296);
  return (seed >>> 0) ^ Math.imul(hi >>> 0, 0x9e3779b1);
}

/** A stream from a number or string seed. */
export function createRng(seed: number | string): Rng {
  return mulberry32(seedToUint32(seed));
}

/** A stream keyed by any list of parts, e.g. rngFor('add', seed, index). */
export function rngFor(...parts: Array<string | number>): Rng {
  return mulberry32(hashString(parts.join('\u0000')));
}

/** An independent seed from a base seed and a label (e.g. a phase index). */
export function deriveSeed(seed: number | string, label: string | number): number {
  return fnv1a(String(label), seedToUint32(seed) ^ 0x811c9dc5);
}

/** A uniform random integer with exactly `digits` decimal digits (0..9 when digits = 1). */
export function randomDigits(rng: Rng, digits: number): number {
  if (digits <= 1) return rng.int(0, 9);
  return rng.int(10 ** (digits - 1), 10 ** digits - 1);
}

/** Fisher–Yates shuffle into a new array. */
export function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** k distinct items chosen uniformly (partial Fisher–Yates), in selection order. */
export function sampleWithoutReplacement<T>(items: readonly T[], k: number, rng: Rng): T[] {
  if (!Number.isInteger(k) || k < 0 || k > items.length) {
    throw new Error(`cannot sample ${k} of ${items.length} items`);
  }
  const out = items.slice();
  for (let i = 0; i < k; i++) {
    const j = i + rng.below(out.length - i);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out.slice(0, k);
}
