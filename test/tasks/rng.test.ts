import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed, fnv1a, sampleWithoutReplacement, shuffle } from '../../src/tasks/rng.js';

describe('seeded PRNG', () => {
  it('same seed, same stream; state() resumes it', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    const c = createRng(a.state());
    expect(c.next()).toBe(a.next());
    expect(createRng('x').next()).toBe(createRng('x').next());
    expect(createRng(1).next()).not.toBe(createRng(2).next());
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
  });
  it('uniform in [0, 1) with about the right mean; below(n) in range', () => {
    const r = createRng(7);
    let s = 0;
    for (let i = 0; i < 20000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      s += x;
    }
    expect(s / 20000).toBeCloseTo(0.5, 1);
    for (let i = 0; i < 1000; i++) expect(r.below(3)).toBeLessThan(3);
  });
  it('hash, shuffle, sample', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c); // FNV-1a reference value
    const items = [1, 2, 3, 4, 5, 6];
    expect([...shuffle(items, createRng(3))].sort()).toEqual(items);
    const s = sampleWithoutReplacement(items, 3, createRng(3));
    expect(new Set(s).size).toBe(3);
    expect(() => sampleWithoutReplacement(items, 7, createRng(3))).toThrow(/cannot sample 7 of 6/);
  });
});
