/**
 * Small seeded PRNG keyed by (seed, index, ...salts), so problem i never depends on problem i−1.
 * The key is hashed with FNV-1a + a murmur-style finaliser into a 32-bit state for mulberry32.
 */

/** 32-bit FNV-1a hash of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h >>> 0);
}

/** Murmur3 finaliser: spreads the bits of a 32-bit integer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seeded random stream. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/** mulberry32 stream from a 32-bit state. */
export function mulberry32(state: number): Rng {
  let a = state >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int(lo, hi) {
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    pick(items) {
      if (items.length === 0) throw new Error('pick from an empty array');
      return items[Math.floor(next() * items.length)];
    },
  };
}

/** A stream keyed by any list of parts, e.g. rngFor('add', seed, index). */
export function rngFor(...parts: Array<string | number>): Rng {
  return mulberry32(hashString(parts.join('\u0000')));
}

/** A uniform random integer with exactly `digits` decimal digits (0..9 when digits = 1). */
export function randomDigits(rng: Rng, digits: number): number {
  if (digits <= 1) return rng.int(0, 9);
  return rng.int(10 ** (digits - 1), 10 ** digits - 1);
}
