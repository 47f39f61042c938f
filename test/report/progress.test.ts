import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  evalChangeLine,
  formatDuration,
  progressBar,
  SmoothedEta,
  terminalCallbacks,
  useColour,
} from '../../src/cli/progress.js';
import type { EvalResult } from '../../src/run/evaluator.js';
import type { StepRow } from '../../src/run/trainer.js';

function pipe(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const w = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  return { stream: Object.assign(w, { isTTY: false }) as unknown as NodeJS.WriteStream, text: () => out };
}

describe('terminal progress', () => {
  it('in a pipe prints one plain line every N steps (cli-progress non-TTY mode), no bar, no escapes', () => {
    const p = pipe();
    const bar = progressBar('train', 10, 'acc {acc} | reward {reward}', { stream: p.stream, everySteps: 5 });
    for (let s = 1; s <= 10; s++) bar.update(s, { acc: `${s}%`, reward: '0.50' });
    bar.stop();
    const lines = p.text().split('\n').filter(Boolean);
    // the start line, steps 5 and 10, and the final line on stop
    expect(lines).toEqual([
      'train 0/10 acc – | reward –',
      'train 5/10 acc 5% | reward 0.50',
      'train 10/10 acc 10% | reward 0.50',
      'train 10/10 acc 10% | reward 0.50',
    ]);
    expect(p.text()).not.toContain('\x1b[');
  });

  it('colour only on a terminal and only without NO_COLOR', () => {
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColour({ isTTY: false }, {})).toBe(false);
  });

  it('smooths the ETA: the average rate since the start, damped by alpha, so one slow step barely moves it', () => {
    const eta = new SmoothedEta(0.5);
    expect(eta.update(0, 0)).toBeNull();
    // 10% per second → 0.9 left at rate 0.1 = 9 s
    expect(eta.update(0.1, 1)).toBeCloseTo(9, 9);
    // the next 10% took 3 s: rate since the start 0.2/4 = 0.05, smoothed 0.5·0.05 + 0.5·0.1 = 0.075; 0.8 left
    expect(eta.update(0.2, 4)).toBeCloseTo(0.8 / 0.075, 9);
    // back to 10% a second: since the start 0.3/5 = 0.06, smoothed 0.5·0.06 + 0.5·0.075 = 0.0675
    expect(eta.update(0.3, 5)).toBeCloseTo(0.7 / 0.0675, 9);
    // a repeated or backward reading changes nothing
    expect(eta.update(0.3, 6)).toBeCloseTo(0.7 / 0.0675, 9);
    expect(formatDuration(12)).toBe('12s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3 * 3600 + 60)).toBe('3h01m');
  });

  it('summaries say greedy, sampled and pass@k before and after', () => {
    const e = (g: number, s: number, p: number) => ({
      greedyAccuracy: g,
      sampledAccuracy: s,
      passAtK: p,
      k: 4,
      prompts: 10,
    });
    expect(evalChangeLine(e(0.5, 0.4, 0.8), e(0.6, 0.55, 0.75))).toBe(
      'greedy 50.0% → 60.0%, sampled 40.0% → 55.0%, pass@4 80.0% → 75.0%; fell: pass@4 -5.0 points',
    );
    expect(evalChangeLine(e(0.5, 0.4, 0.8), e(0.5, 0.45, 0.8))).not.toContain('fell');
    expect(evalChangeLine(null, undefined)).toBe('not recorded');
  });

  it('the training bar keeps the last held-out accuracy between evaluations (the one before step 1 too) and labels every figure', () => {
    const p = pipe();
    const t = terminalCallbacks(4, { stream: p.stream, everySteps: 1 });
    const row = (step: number) =>
      ({ step, reward: 0.25 * step, chargedFlops: step * 1e9 }) as unknown as StepRow;
    const evalOf = (acc: number) => ({
      greedyAccuracy: acc,
      sampledAccuracy: acc,
      passAtK: null,
      k: 4,
      prompts: 8,
    });
    t.onStep!(row(1)); // a run resumed past its last evaluation: nothing to show yet
    t.onEval!(1, evalOf(0.4) as unknown as EvalResult);
    t.onStep!(row(2));
    t.onEval!(3, evalOf(0.5) as unknown as EvalResult);
    t.onStep!(row(3));
    t.onStep!(row(4));
    t.stop();
    const lines = p
      .text()
      .split('\n')
      .filter((l) => /^train [1-4]\//.test(l));
    expect(lines[0]).toMatch(
      /^train 1\/4 held-out acc not yet \| reward 0\.25 \| 1\.0 GFLOP \| ETA (–|\d+s)$/,
    );
    expect(lines[1]).toMatch(
      /^train 2\/4 held-out acc 40\.0% \(step 1\) \| reward 0\.50 \| 2\.0 GFLOP \| ETA /,
    );
    expect(lines[2]).toMatch(
      /^train 3\/4 held-out acc 50\.0% \(step 3\) \| reward 0\.75 \| 3\.0 GFLOP \| ETA /,
    );
    expect(lines[3]).toMatch(
      /^train 4\/4 held-out acc 50\.0% \(step 3\) \| reward 1\.00 \| 4\.0 GFLOP \| ETA /,
    );
  });

  it('with a FLOP budget the bar fills by the budget spent and names the step', () => {
    const p = pipe();
    const t = terminalCallbacks(100_000, { stream: p.stream, flopBudget: 80e9 });
    for (let step = 1; step <= 8; step++)
      t.onStep!({ step, reward: 0.5, chargedFlops: step * 1e9 } as unknown as StepRow);
    t.stop();
    const lines = p
      .text()
      .split('\n')
      .filter((l) => /^train \d/.test(l));
    // a line every 5 % of the budget (each step spends 1.25 %), and the last one again on stop
    expect(lines.map((l) => l.split(' | ')[0])).toEqual([
      'train 0% (step –) held-out acc –',
      'train 5% (step 4) held-out acc not yet',
      'train 10% (step 8) held-out acc not yet',
      'train 10% (step 8) held-out acc not yet',
    ]);
    expect(lines[2]).toContain('8.0 GFLOP of 80.0 GFLOP');
  });

  it('a benchmark sizes the bar afresh for each run', () => {
    const p = pipe();
    const t = terminalCallbacks(0, { stream: p.stream });
    t.nextRun(4, 0);
    t.onStep!({ step: 4, reward: 0.5, chargedFlops: 1e9 } as unknown as StepRow);
    t.nextRun(100, 2e9);
    t.onStep!({ step: 1, reward: 0.5, chargedFlops: 1e9 } as unknown as StepRow);
    t.stop();
    const counters = p
      .text()
      .split('\n')
      .filter((l) => l.startsWith('train '))
      .map((l) => l.split(' held-out')[0]);
    expect(counters).toEqual([
      'train 0/4',
      'train 4/4',
      'train 4/4',
      'train 0% (step –)',
      'train 50% (step 1)',
      'train 50% (step 1)',
    ]);
  });
});
