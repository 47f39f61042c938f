// Seeded pseudo-random numbers for the engine (no Math.random anywhere in src/engine).
// The rest of flopwise draws from src/tasks/rng.ts; the engine keeps its own because it is the bottom
// layer and imports nothing from the project (it must stay usable and testable on its own), and its
// sampler needs a counter-based draw (below) rather than a stream.
// - `Rng`: xoshiro128** seeded through splitmix32, for parameter initialisation.
// - `hashUniform(seed, a, b)`: a counter-based uniform in [0, 1) keyed by (seed, a, b), used by the
//   sampler with a = sequence index and b = generated-token index, so a sequence's draws do not
//   depend on the batch it shares, on chunking or on the thread count.

function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [s, z >>> 0];
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed: number) {
    let st = seed | 0;
    const out: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [ns, z] = splitmix32(st);
      st = ns;
      out.push(z);
    }
    [this.s0, this.s1, this.s2, this.s3] = out as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Murmur3 finaliser: spreads the bits of a 32-bit integer (tasks/rng reuses it). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Counter-based uniform in [0, 1) keyed by (seed, a, b); 53 random bits. */
export function hashUniform(seed: number, a: number, b: number): number {
  const k = fmix32((seed | 0) ^ 0x3c6ef372);
  const h1 = fmix32(k ^ fmix32((a | 0) + 0x632be59b));
  const h2 = fmix32(h1 ^ fmix32((b | 0) + 0x85157af5));
  const h3 = fmix32(h2 ^ 0x9e3779b9);
  return ((h2 >>> 5) * 67108864 + (h3 >>> 6)) / 9007199254740992;
}
