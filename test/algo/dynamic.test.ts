import { describe, expect, it } from 'vitest';
import { dynamicSamplingFilter, hasSignal } from '../../src/algo/dynamic.js';

describe('DAPO dynamic-sampling filter', () => {
  it('keeps groups with 0 < successes < n and counts rollouts', () => {
    const groups = [
      { promptId: 'a', rewards: [1, 0] },
      { promptId: 'b', rewards: [1, 1] },
      { promptId: 'c', rewards: [0, 0, 0] },
      { promptId: 'd', rewards: [1] },
      { promptId: 'e', rewards: [0, 1, 1] },
    ];
    const res = dynamicSamplingFilter(groups);
    expect(res.kept.map((g) => g.promptId)).toEqual(['a', 'e']);
    expect(res.dropped.map((g) => g.promptId)).toEqual(['b', 'c', 'd']);
    expect(res.counts).toEqual({
      groups: 5,
      groupsKept: 2,
      groupsDropped: 3,
      rolloutsGenerated: 11,
      rolloutsKept: 5,
      rolloutsDropped: 6,
    });
    expect(hasSignal({ promptId: 'x', rewards: [0.3, 0.3 + 1e-12] })).toBe(false);
  });
});
