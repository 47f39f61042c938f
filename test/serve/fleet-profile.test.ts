/**
 * Profiling across a fleet of servers: one server errors, then stalls, then is killed mid-run; every
 * row still ends up profiled exactly once, with the rows a single healthy server gives. Prompts whose
 * requests keep failing become failed rows (never 0) and are retried on resume.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleetPolicy } from '../../src/policy/fleet.js';
import type { Policy } from '../../src/policy/types.js';
import { Ledger } from '../../src/run/ledger.js';
import { PROFILE_FILES, runProfile, type ProfileOptions } from '../../src/run/profile.js';
import type { Scorer } from '../../src/run/scoring.js';
import type { Problem } from '../../src/tasks/types.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../helpers/fake-openai-server.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'flopwise-fleet-'));
const problems: Problem[] = Array.from({ length: 40 }, (_, i) => ({
  id: `q${i}`,
  prompt: `What is ${i} + 1?`,
  answer: String(i + 1),
  meta: { family: 'test', difficulty: 0, sourceRow: i + 2 },
}));
// The fake answers are "the answer is N" with N a hash: call it correct when N is even.
const score: Scorer = async (_p, text) =>
  Number(text.split(' ').pop()) % 2 === 0 ? { reward: 1, reason: 'correct' } : { reward: 0, reason: 'wrong' };
const options: ProfileOptions = { k: 3, temperature: 1, maxNewTokens: 8, seed: 7, chunkSize: 8 };
const fast = { perServer: 4, backoffMs: 30, maxBackoffMs: 200 };

let servers: FakeOpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function server(o: Parameters<typeof startFakeOpenAIServer>[0] = {}) {
  const s = await startFakeOpenAIServer({ models: ['m'], ...o });
  servers.push(s);
  return s;
}
const fleet = (urls: string[], maxAttempts = 3, timeoutMs = 400) =>
  createFleetPolicy(urls, { model: 'm', mode: 'completions', timeoutMs }, { ...fast, maxAttempts });

type ProfileArgs = Parameters<typeof runProfile>[0];
/** runProfile with this file's scorer, options, model name and a fresh ledger unless given one. */
const profileWith = (policy: Policy, dir: string, more: Partial<ProfileArgs> = {}) =>
  runProfile({ policy, problems, score, dir, ledger: new Ledger(), options, model: 'm', ...more });

async function reference() {
  const healthy = await server();
  const policy = fleet([healthy.baseURL]);
  const out = await profileWith(policy, tmp());
  await policy.close();
  return out.rows;
}

describe('profiling across servers', () => {
  it('survives a server that errors, stalls and is killed mid-run: every row once, same rows as one healthy server', async () => {
    const want = await reference();
    const good = await server({ delayMs: 5 });
    const bad = await server({ fail500: 2 });
    // after its two errors the bad server stalls (answers nothing), then it is killed
    const stall = setInterval(() => {
      if (bad.stats.completionRequests >= 2) bad.options.hang = 'headers';
    }, 1);
    let killed = false;
    const policy = fleet([good.baseURL, bad.baseURL]);
    const dir = tmp();
    const out = await profileWith(policy, dir, {
      onProgress: (p) => {
        if (!killed && p.done >= 16) {
          killed = true;
          void bad.close();
        }
      },
    });
    clearInterval(stall);
    await policy.close();
    expect(killed).toBe(true);
    expect(out.failed).toEqual([]);
    expect(out.rows).toEqual(want);
    const lines = readFileSync(join(dir, PROFILE_FILES.partial), 'utf8').trim().split('\n');
    const ids = lines.map((l) => JSON.parse(l).id);
    expect(new Set(ids).size).toBe(40);
    expect(ids).toHaveLength(40);
    expect(bad.stats.completionRequests).toBeGreaterThanOrEqual(3);
    expect(out.meta.requests.retries).toBeGreaterThan(0);
    expect(out.meta.requests.timeouts).toBeGreaterThan(0);
    expect(out.meta.requests.failures).toBe(0);
  });

  it('marks prompts whose requests keep failing as failed rows naming the dataset row, then retries them on resume', async () => {
    const broken = await server({ fail500: 1_000_000 });
    const dir = tmp();
    const policy = fleet([broken.baseURL], 2);
    const first = await profileWith(policy, dir, { problems: problems.slice(0, 6) });
    await policy.close();
    expect(first.complete).toBe(true);
    expect(first.rows).toEqual([]);
    expect(first.failed).toHaveLength(6);
    expect(first.failed[2].error).toMatch(/^dataset row 4 \(id "q2"\): .*HTTP 500/);
    expect(first.failed[2].server).toBe(broken.baseURL);
    expect(first.meta.failedRows).toBe(6);
    expect(first.meta.requests.failures).toBe(6);
    // no row scored 0: failed rows carry no successes at all
    for (const line of readFileSync(join(dir, PROFILE_FILES.partial), 'utf8').trim().split('\n')) {
      expect(JSON.parse(line)).not.toHaveProperty('successes');
    }

    const healthy = await server();
    const again = fleet([healthy.baseURL]);
    const resumed = await profileWith(again, dir, { problems: problems.slice(0, 6) });
    await again.close();
    expect(resumed.failed).toEqual([]);
    expect(resumed.rows.map((r) => r.id)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5']);
    expect(resumed.meta.failedRows).toBe(0);
  });

  it('spreads requests over servers up to the per-server limit', async () => {
    const a = await server({ delayMs: 20 });
    const b = await server({ delayMs: 20 });
    const policy = fleet([a.baseURL, b.baseURL]);
    await policy.sample({
      prompts: problems.slice(0, 16).map((p) => p.prompt),
      n: problems.slice(0, 16).map(() => 2),
      maxNewTokens: 8,
      temperature: 1,
      seed: 1,
    });
    await policy.close();
    expect(a.stats.completionRequests).toBe(8);
    expect(b.stats.completionRequests).toBe(8);
    expect(a.stats.maxInFlight).toBe(4);
    expect(b.stats.maxInFlight).toBe(4);
  });

  it('estimates remote FLOPs from --params and the reported tokens, else says they are not counted', async () => {
    const s = await server();
    const req = { prompts: ['one two'], n: [2], maxNewTokens: 8, temperature: 1, seed: 1 };
    const counted = createFleetPolicy([s.baseURL], { model: 'm', mode: 'completions' }, { params: 1e6 });
    const a = await counted.sample(req);
    expect(a.tokens).toBeGreaterThan(0);
    expect(a.flops).toBe(2 * 1e6 * a.tokens);
    expect(a.flopsCounted).toBe(true);
    const unknown = createFleetPolicy([s.baseURL], { model: 'm', mode: 'completions' });
    const b = await unknown.sample(req);
    expect(b.flops).toBe(0);
    expect(b.flopsCounted).toBe(false);
    await counted.close();
    await unknown.close();

    const ledger = new Ledger();
    const out = await profileWith(
      createFleetPolicy([s.baseURL], { model: 'm', mode: 'completions' }),
      tmp(),
      {
        problems: problems.slice(0, 2),
        ledger,
      },
    );
    expect(out.meta.flopsCounted).toBe(false);
    expect(ledger.get('profile').uncounted).toBe(true);
  });
});
