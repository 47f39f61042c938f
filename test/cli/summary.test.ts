import { afterEach, describe, expect, it, vi } from 'vitest';
import { printSummary } from '../../src/cli/commands/train.js';
import type { RunSummary } from '../../src/run/run.js';
import { Ledger } from '../../src/run/ledger.js';

function summary(evalSplit: RunSummary['evalSplit']): RunSummary {
  const ledger = new Ledger();
  return {
    runDir: 'runs/x',
    allocator: 'uniform',
    estimator: 'grpo',
    weighting: 'none',
    seed: 1,
    steps: 10,
    stoppedBy: 'steps',
    initialAccuracy: 0.25,
    finalAccuracy: 0.5,
    headline: 'sampled',
    evalSplit,
    curve: [],
    ledger: ledger.snapshot(),
    chargedFlops: 0,
    trainOnZeroAdvantage: false,
  };
}

function printed(s: RunSummary): string {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  printSummary(s);
  const out = write.mock.calls.map((c) => String(c[0])).join('');
  write.mockRestore();
  return out;
}

describe('train summary', () => {
  afterEach(() => vi.restoreAllMocks());

  it('names the validation split when the run was evaluated on it, never calling it held-out', () => {
    const out = printed(summary('validation'));
    expect(out).toContain('validation sampled accuracy: 25.0% → 50.0% after 10 steps');
    expect(out).not.toContain('held-out');
  });

  it('calls the test split (and summaries that predate the field) held-out', () => {
    expect(printed(summary('test'))).toContain('held-out sampled accuracy: 25.0% → 50.0%');
    expect(printed(summary(undefined))).toContain('held-out sampled accuracy: 25.0% → 50.0%');
  });
});
