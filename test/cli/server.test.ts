/** The CLI against an OpenAI-compatible server (a fake one on 127.0.0.1): profile, plan and eval. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startFakeOpenAIServer, type FakeOpenAIServer } from '../helpers/fake-openai-server.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'flopwise-server-'));
let server: FakeOpenAIServer;

beforeAll(async () => {
  server = await startFakeOpenAIServer({ models: ['tiny'], usage: true });
  // verl-style rows with the answer under other column names, to exercise the mapping
  const rows = Array.from({ length: 6 }, (_, i) => ({
    question: `What is ${i} + ${i}?`,
    solution: String(2 * i),
  }));
  writeFileSync(join(dir, 'math.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const flopwise = (...args: string[]) =>
  run(join(root, 'node_modules/.bin/tsx'), [join(root, 'src/cli/index.ts'), ...args], { timeout: 60_000 });

describe('CLI against an OpenAI-compatible server', () => {
  it('profiles a dataset with column mapping and writes the plan columns', async () => {
    const out = join(dir, 'profile');
    const { stdout } = await flopwise(
      'profile',
      '--server',
      server.baseURL,
      '--model',
      'tiny',
      '--data',
      join(dir, 'math.jsonl'),
      '--columns',
      'prompt=question,answer=solution',
      '-k',
      '4',
      '--max-new-tokens',
      '16',
      '-o',
      out,
    );
    expect(stdout).toContain('profile: 6 prompts × 4 samples');
    expect(stdout).toContain('compute: not counted (remote server');
    const rows = readFileSync(join(out, 'profile.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(6);
    for (const r of rows) {
      expect(r.k).toBe(4);
      expect(['trivial', 'unsolved', 'learnable']).toContain(r.class);
    }
    expect(server.stats.completionRequests).toBeGreaterThanOrEqual(6);
  });

  it('evaluates a served model on a dataset', async () => {
    const { stdout } = await flopwise(
      'eval',
      '--server',
      server.baseURL,
      '--model',
      'tiny',
      '--data',
      join(dir, 'math.jsonl'),
      '--columns',
      'prompt=question,answer=solution',
      '--samples',
      '2',
      '--pass-k',
      '2',
      '--json',
    );
    const r = JSON.parse(stdout);
    expect(r.prompts).toBe(6);
    expect(r.greedyAccuracy).toBeGreaterThanOrEqual(0);
    expect(r.greedyAccuracy).toBeLessThanOrEqual(1);
    expect(r.passAtK).not.toBeNull();
  });

  it('leaves a prompt the server keeps failing out of the figures, and says so', async () => {
    server.options.failOn = 'What is 3 + 3?';
    try {
      const common = ['--server', server.baseURL, '--model', 'tiny', '--data', join(dir, 'math.jsonl')];
      const args = [...common, '--columns', 'prompt=question,answer=solution', '--samples', '2'];
      // exit status 2, as profile with failed rows: the figures cover fewer prompts than asked for
      const failedRun = await flopwise('eval', ...args, '--max-attempts', '2', '--json').then(
        () => null,
        (e: { code: number; stdout: string }) => e,
      );
      expect(failedRun?.code).toBe(2);
      const json = JSON.parse(failedRun!.stdout);
      expect(json.prompts).toBe(5);
      expect(json.givenUp).toHaveLength(1);
      expect(json.givenUp[0].error).toMatch(/always fails/);
      const { stdout } = await flopwise('eval', ...args, '--max-attempts', '2', '--by-level').catch(
        (e: { stdout: string }) => e,
      );
      expect(stdout).toMatch(/^5 prompts: greedy/m);
      expect(stdout).toContain('GIVEN UP: 1 of 6 prompts failed on every attempt');
      // per level from the same samples: the given-up prompt is left out there too
      expect(stdout).toContain('sampled accuracy by level (2 samples each)');
      const levels = [...stdout.matchAll(/^ {2}\S+\s+(\d+) prompts/gm)].map((m) => Number(m[1]));
      expect(levels.reduce((a, b) => a + b, 0)).toBe(5);
    } finally {
      server.options.failOn = null;
    }
  });

  it('names the model and the models served when the model is wrong', async () => {
    await expect(
      flopwise(
        'eval',
        '--server',
        server.baseURL,
        '--model',
        'nope',
        '--data',
        join(dir, 'math.jsonl'),
        '--columns',
        'prompt=question,answer=solution',
      ),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/nope[\s\S]*tiny/) });
  });

  it('profiles across a fleet file with a dead server, refuses other settings on rerun, exports for verl', async () => {
    const out = join(dir, 'fleet');
    const fleet = join(dir, 'fleet.txt');
    const dead = `http://127.0.0.1:${await closedPort()}/v1`;
    writeFileSync(fleet, `# two servers, one not running\n${dead}\n\n${server.baseURL}\n`);
    const common = [
      '--model',
      'tiny',
      '--data',
      join(dir, 'math.jsonl'),
      '--columns',
      'prompt=question,answer=solution',
    ];
    const { stdout } = await flopwise('profile', '--servers', fleet, ...common, '-k', '4', '-o', out);
    expect(stdout).toContain('profile: 6 prompts × 4 samples');
    expect(stdout).toMatch(/requests: [1-9]\d* retries, 0 timeouts, 0 prompts given up/);

    const refused = await flopwise(
      'profile',
      '--server',
      server.baseURL,
      ...common,
      '-k',
      '2',
      '-o',
      out,
    ).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toMatch(/k \(samples per prompt\): was 4, now 2.*--fresh/);
    const fresh = await flopwise(
      'profile',
      '--server',
      server.baseURL,
      ...common,
      '-k',
      '2',
      '-o',
      out,
      '--fresh',
    );
    expect(fresh.stdout).toContain('profile: 6 prompts × 2 samples');

    const plan = await flopwise('plan', join(out, 'profile.parquet'), '--alpha', '1');
    expect(plan.stdout).toMatch(/phase 1: G=/);
    const verl = join(dir, 'verl');
    const exported = await flopwise(
      'export',
      '--format',
      'verl',
      join(out, 'profile.jsonl'),
      ...common.slice(2),
      '--alpha',
      '1',
      '-o',
      verl,
    );
    expect(exported.stdout).toMatch(/actor_rollout_ref\.rollout\.n=\d+/);
    expect(existsSync(join(verl, 'verl-plan.json'))).toBe(true);
  });
});
