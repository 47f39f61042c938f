import { describe, expect, it } from 'vitest';
import {
  classify,
  expectedSuccesses,
  groupSizeExact,
  groupSizeMaxOneSuccess,
  groupSizePow2,
  pAtLeastOneSuccess,
  pExactlyOneSuccess,
  sgpoPlan,
  subsampleUnsolved,
  type ProfileEntry,
} from '../../src/algo/sgpo.js';

describe('classes and group sizes (k = 8)', () => {
  it('class by p̂: trivial > 0.75, unsolved = 0, else learnable', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((s) => classify(s / 8))).toEqual([
      'unsolved',
      ...Array(6).fill('learnable'),
      'trivial',
      'trivial',
    ]);
  });
  it('G = clip(2^⌊log₂(1/p̂)⌋, 2, 8): buckets {2, 4, 8}', () => {
    expect([1, 2, 3, 4, 5, 6].map((s) => groupSizePow2(s / 8))).toEqual([8, 4, 2, 2, 2, 2]);
    expect(groupSizePow2(1 / 16)).toBe(8);
    expect(groupSizePow2(1 / 3)).toBe(2);
    expect(groupSizePow2(1 / 4, 2, 64)).toBe(4);
    expect(groupSizePow2(1 / 32, 2, 64)).toBe(32);
  });
  it('exact variant clip(round(1/p̂))', () => {
    expect([1, 2, 3, 4].map((s) => groupSizeExact(s / 8))).toEqual([8, 4, 3, 2]);
    expect(groupSizeExact(1 / 5, 2, 8)).toBe(5);
  });
});

describe('plan', () => {
  const profile: ProfileEntry[] = [
    { id: 'a', k: 8, successes: 1 }, // p̂ 1/8 → G 8
    { id: 'b', k: 8, successes: 2 }, // 1/4 → G 4
    { id: 'c', k: 8, successes: 4 }, // 1/2 → G 2
    { id: 't1', k: 8, successes: 7 }, // trivial
    { id: 't2', k: 8, successes: 8 }, // trivial
    ...Array.from({ length: 10 }, (_, i) => ({ id: `u${i}`, k: 8, successes: 0 })),
  ];

  it('hand-checked plan: phases 2 → 4 → 8, one of ten unsolved kept in every phase', () => {
    const plan = sgpoPlan(profile, { seed: 3 });
    expect(plan.counts).toEqual({ total: 15, trivial: 2, unsolved: 10, unsolvedKept: 1, learnable: 3 });
    expect(plan.phases.map((p) => p.G)).toEqual([2, 4, 8]);
    const kept = plan.prompts.filter((p) => p.cls === 'unsolved' && p.kept).map((p) => p.id);
    expect(kept.length).toBe(1);
    expect(plan.phases.map((p) => p.promptIds)).toEqual([
      ['c', kept[0]],
      ['b', kept[0]],
      ['a', kept[0]],
    ]);
    // rollouts: 2·2 + 4·2 + 8·2 = 28; baseline 8 × 15 = 120; profile 8 × 15 = 120.
    expect(plan.rolloutsPerEpoch).toBe(28);
    expect(plan.baselineRolloutsPerEpoch).toBe(120);
    expect(plan.ratio).toBeCloseTo(28 / 120, 12);
    expect(plan.profileRollouts).toBe(120);
    const a = plan.prompts.find((p) => p.id === 'a')!;
    expect(a).toMatchObject({ pHat: 0.125, cls: 'learnable', G: 8, phases: [2], kept: true });
    expect(a.posterior.mean).toBeCloseTo(0.2, 12);
    const k = plan.prompts.find((p) => p.id === kept[0])!;
    expect(k.G).toBeNull();
    expect(k.phases).toEqual([0, 1, 2]);
    expect(plan.prompts.find((p) => p.id === 't1')).toMatchObject({
      cls: 'trivial',
      kept: false,
      G: null,
      phases: [],
    });
  });

  it('seeded and independent of input order; different seeds can differ', () => {
    const p1 = sgpoPlan(profile, { seed: 11 });
    const p2 = sgpoPlan([...profile].reverse(), { seed: 11 });
    const keptIds = (pl: typeof p1) =>
      pl.prompts.filter((p) => p.cls === 'unsolved' && p.kept).map((p) => p.id);
    expect(keptIds(p2)).toEqual(keptIds(p1));
    const many = new Set(Array.from({ length: 20 }, (_, s) => keptIds(sgpoPlan(profile, { seed: s }))[0]));
    expect(many.size).toBeGreaterThan(1);
    expect(subsampleUnsolved(['x', 'y', 'z'], 0, 1)).toEqual([]);
    expect(subsampleUnsolved(['x', 'y', 'z'], 1, 1).sort()).toEqual(['x', 'y', 'z']);
  });

  it('options: exact sizes, thresholds, per-phase subsets, only-unsolved profile, bad rows', () => {
    const exact = sgpoPlan([{ id: 'x', k: 8, successes: 3 }], { groupSize: 'exact' });
    expect(exact.phases).toEqual([
      { index: 0, G: 3, promptIds: ['x'], learnable: 1, unsolved: 0, rollouts: 3 },
    ]);
    expect(sgpoPlan(profile, { tau: 0.9 }).counts.trivial).toBe(1);
    const per = sgpoPlan(profile, { alpha: 0.3, unsolvedSubset: 'perPhase', seed: 5 });
    expect(per.phases.every((p) => p.unsolved === 3)).toBe(true);
    const onlyU = sgpoPlan(
      profile.filter((p) => p.id.startsWith('u')),
      { alpha: 0.2 },
    );
    expect(onlyU.phases.map((p) => [p.G, p.promptIds.length])).toEqual([[8, 2]]);
    expect(() => sgpoPlan([{ id: 'q', k: 8, successes: 9 }])).toThrow(/row 0 \(q\): successes/);
    expect(() =>
      sgpoPlan([
        { id: 'q', k: 8, successes: 1 },
        { id: 'q', k: 8, successes: 1 },
      ]),
    ).toThrow(/duplicate/);
  });
});

describe('the probability facts behind G = 1/p', () => {
  it('expected successes per group G·p = 1', () => {
    for (const G of [2, 4, 8, 16, 100]) expect(expectedSuccesses(1 / G, G)).toBeCloseTo(1, 12);
  });
  it('P(at least one success) → 1 − 1/e as p → 0, from above, with gap shrinking like p', () => {
    const target = 1 - Math.exp(-1);
    let prevGap = Infinity;
    for (const G of [2, 10, 100, 1000, 10000]) {
      const gap = pAtLeastOneSuccess(1 / G, G) - target;
      expect(gap).toBeGreaterThan(0);
      expect(gap).toBeLessThan(prevGap);
      expect(gap).toBeLessThan(1 / G);
      prevGap = gap;
    }
    expect(pAtLeastOneSuccess(1e-4, 1e4)).toBeCloseTo(target, 4);
  });
  it('P(exactly one success) peaks near G ≈ 1/p − ½', () => {
    for (const p of [0.02, 0.05, 0.1, 0.2, 0.3]) {
      let best = 1;
      for (let G = 1; G <= 1000; G++) if (pExactlyOneSuccess(p, G) > pExactlyOneSuccess(p, best)) best = G;
      expect(Math.abs(best - (1 / p - 0.5))).toBeLessThanOrEqual(1);
      // continuous maximiser −1/ln(1 − p) = 1/p − ½ − p/12 − …
      expect(Math.abs(groupSizeMaxOneSuccess(p) - (1 / p - 0.5))).toBeLessThan(p / 10);
    }
  });
});
