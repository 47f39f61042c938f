/**
 * Small seeded PRNG (mulberry32) and helpers. Deterministic: same seed, same stream.
 * The whole state is one uint32 (`rng.state()`), so a trainer can checkpoint and restore it.
 */

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform uint32. */
  nextUint32(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Current state (uint32); `createRng(rng.state())` continues the same stream. */
  state(): number;
}

/** FNV-1a 32-bit hash of a string (used for seeds from labels and for feature hashing). */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Normalise a numeric or string seed to a uint32. */
export function seedToUint32(seed: number | string): number {
  if (typeof seed === 'string') return hashString(seed);
  if (!Number.isFinite(seed)) throw new Error(`seed must be finite, got ${seed}`);
  // Mix in the high bits so seeds above 2^32 still differ.
  const hi = Math.floor(seed / 4294967296);
  return (seed >>> 0) ^ Math.imul(hi >>> 0, 0x9e3779b1);
}

/** mulberry32 generator seeded by a number or string. */
export function createRng(seed: number | string): Rng {
  let a = seedToUint32(seed);
  const nextUint32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    nextUint32,
    next: () => nextUint32() / 4294967296,
    int: (n: number) => {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`int(n) needs a positive integer, got ${n}`);
      return Math.floor((nextUint32() / 4294967296) * n);
    },
    state: () => a,
  };
}

/** Derive an independent seed from a base seed and a label (e.g. a phase index). */
export function deriveSeed(seed: number | string, label: string | number): number {
  return hashString(String(label), seedToUint32(seed) ^ 0x811c9dc5);
}

/** Fisher–Yates shuffle into a new array. */
export function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
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
    const j = i + rng.int(out.length - i);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out.slice(0, k);
}
