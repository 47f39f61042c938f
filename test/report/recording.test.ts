/** What runs record for reports: greedy examples at eval, VIP's allocation summary, meta.json. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/types.js';
import { evaluate } from '../../src/run/evaluator.js';
import { Ledger } from '../../src/run/ledger.js';
import { recordEnd, recordStart, weightsHash } from '../../src/run/meta.js';
import { allocationInfo } from '../../src/run/strategies/vip.js';
import type { ScoredGroup } from '../../src/run/strategies/types.js';
import type { Problem } from '../../src/tasks/types.js';

const dir = mkdtempSync(join(tmpdir(), 'flopwise-recording-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eval examples', () => {
  it('keeps the first three right and three wrong greedy completions, clipped, with level and reward', async () => {
    const problems: Problem[] = Array.from({ length: 10 }, (_, i) => ({
      id: `p${i}`,
      prompt: i === 0 ? 'x'.repeat(500) : `${i}+${i}=`,
      answer: String(2 * i),
      meta: { family: 'add', difficulty: 1, level: 1 },
    }));
    // The policy answers right on even prompts, wrong on odd ones.
    const policy = {
      sample: async (req: { prompts: string[]; n: number[] }) => ({
        groups: req.prompts.map((_, i) =>
          Array.from({ length: req.n[i] }, () => ({ text: i % 2 === 0 ? 'right' : 'wrong' })),
        ),
        flops: 0,
        tokens: 0,
      }),
    } as unknown as Policy;
    const score = async (_p: Problem, text: string) => ({
      reward: (text === 'right' ? 1 : 0) as 0 | 1,
      reason: 'correct' as const,
    });
    const r = await evaluate(policy, problems, score, new Ledger(), {
      samples: 0,
      passK: 1,
      maxNewTokens: 4,
      seed: 1,
    });
    expect(r.examples!.map((e) => [e.prompt.slice(0, 4), e.reward])).toEqual([
      ['xxxx', 1],
      ['1+1=', 0],
      ['2+2=', 1],
      ['3+3=', 0],
      ['4+4=', 1],
      ['5+5=', 0],
    ]);
    expect(r.examples![0].prompt).toHaveLength(241); // 240 characters and an ellipsis
    expect(r.examples![0].level).toBe('add/1');
  });
});

describe('VIP allocation summary', () => {
  it('spread of rollouts per prompt and mean predicted against observed success (prompts without rollouts left out)', () => {
    const group = (successes: number, n: number): ScoredGroup =>
      ({
        problem: {} as Problem,
        rollouts: Array.from({ length: n }, (_, i) => ({ reward: i < successes ? 1 : 0 })),
      }) as ScoredGroup;
    const info = allocationInfo([0.5, 0.2, 0.9], [4, 2, 0], [group(1, 4), group(1, 2), group(0, 0)]);
    expect(info).toEqual({
      rolloutsPerPromptMin: 0,
      rolloutsPerPromptMedian: 2,
      rolloutsPerPromptMax: 4,
      predictedSuccess: (0.5 + 0.2) / 2,
      observedSuccess: (0.25 + 0.5) / 2,
      predictionAbsError: (0.25 + 0.3) / 2,
    });
  });
});

describe('meta.json', () => {
  it('records version, command, base hash and times; a resume keeps the start and adds its time', () => {
    const base = join(dir, 'base');
    mkdirSync(base);
    writeFileSync(join(base, 'model.safetensors'), 'weights');
    const run = join(dir, 'run');
    mkdirSync(run);
    recordStart(run, base, false);
    const first = JSON.parse(readFileSync(join(run, 'meta.json'), 'utf8'));
    // `printf weights | sha256sum`, first 16 hex digits
    expect(first.baseHash).toBe('9a129038d9a00aed');
    expect(weightsHash(base)).toBe(first.baseHash);
    expect(first.version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    recordEnd(run, 'interrupted');
    recordStart(run, base, true);
    recordEnd(run, 'steps');
    const last = JSON.parse(readFileSync(join(run, 'meta.json'), 'utf8'));
    expect(last.startedAt).toBe(first.startedAt);
    expect(last.resumedAt).toHaveLength(1);
    expect(last.stoppedBy).toBe('steps');
    expect(Date.parse(last.endedAt)).toBeGreaterThanOrEqual(Date.parse(last.resumedAt[0]));
  });
});
