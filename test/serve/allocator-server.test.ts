/** `flopwise allocator serve`: VIP over HTTP, its state surviving a restart, and the Python example client. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createGp, gpPredict, gpUpdate, hashedNgramFeatures } from '../../src/algo/index.js';
import { startAllocatorServer } from '../../src/serve/allocator-server.js';
import type { VipServiceOptions } from '../../src/serve/vip-service.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const options: VipServiceOptions = {
  objective: 'rloo',
  lower: 2,
  upper: 32,
  floor: 2,
  gamma: 0,
  noise: 0.5,
  priorMean: 0,
  bandwidth: 'median',
};
const prompts = ['2+2', '17*23', 'reverse abc', 'count the vowels in banana'].map((text, i) => ({
  id: `q${i}`,
  text,
}));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reply bodies are checked field by field below
type Json = any;

async function post(url: string, path: string, body: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(url + path, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('allocator service', () => {
  it('allocates, learns from outcomes like the GP itself, and continues after a restart', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'flopwise-vip-')), 'state.json');
    const server = await startAllocatorServer({ statePath, options, port: 0 });
    // equal prior predictions: the budget is split evenly
    const first = await post(server.url, '/allocate', { prompts, budget: 16 });
    expect(first.status).toBe(200);
    expect(first.json.allocation.map((a: { n: number }) => a.n)).toEqual([4, 4, 4, 4]);
    expect(first.json.allocation.every((a: { p: number }) => a.p === 0.5)).toBe(true);

    const outcomes = [
      { id: 'q0', successes: 8, n: 8 },
      { id: 'q1', successes: 0, n: 8 },
      { id: 'q2', successes: 4, n: 8 },
      { id: 'q3', successes: 3, n: 8 },
    ];
    expect((await post(server.url, '/observe', { outcomes })).json).toEqual({ observed: 4, steps: 1 });

    // the same update done directly with the GP functions
    const features = hashedNgramFeatures();
    const gp = createGp(
      prompts.map((p) => p.id),
      prompts.map((p) => features({ id: p.id, text: p.text })),
      { priorMean: 0, noise: 0.5, bandwidth: 'median' },
    );
    gpUpdate(gp, ['q0', 'q1', 'q2', 'q3'], [1, 0, 0.5, 3 / 8]);
    const want = Array.from(gpPredict(gp, ['q0', 'q1', 'q2', 'q3']));
    const second = await post(server.url, '/allocate', { ids: ['q0', 'q1', 'q2', 'q3'], budget: 16 });
    const p = second.json.allocation.map((a: { p: number }) => a.p);
    p.forEach((x: number, i: number) => expect(x).toBeCloseTo(want[i], 12));
    const n = second.json.allocation.map((a: { n: number }) => a.n);
    expect(n.reduce((s: number, x: number) => s + x, 0)).toBe(16);
    // VIP's variance objective favours prompts near p = 0.5 over nearly solved or unsolved ones
    expect(Math.min(n[2], n[3])).toBeGreaterThan(Math.max(n[0], n[1]));
    await server.close();

    const again = await startAllocatorServer({ statePath, options, port: 0 });
    expect(((await fetch(`${again.url}/state`).then((r) => r.json())) as Json).steps).toBe(1);
    const after = await post(again.url, '/allocate', { ids: ['q0', 'q1', 'q2', 'q3'], budget: 16 });
    expect(after.json).toEqual(second.json);
    await again.close();
  });

  it('answers bad input with 400 and a message naming the field', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'flopwise-vip-')), 'state.json');
    const server = await startAllocatorServer({ statePath, options, port: 0 });
    const cases: Array<[string, unknown, RegExp]> = [
      [
        '/allocate',
        { prompts: [{ id: 'new' }], budget: 4 },
        /prompt "new" is new: give its features or its text/,
      ],
      ['/allocate', { prompts, budget: 3 }, /^budget: must be an integer in \[8, 128\]/],
      [
        '/allocate',
        { prompts: [{ id: 'f', features: [1, 'x'] }], budget: 4 },
        /features: must be a non-empty list/,
      ],
      ['/observe', { outcomes: [{ id: 'nope', successes: 1, n: 2 }] }, /unknown prompt "nope"/],
      ['/observe', { outcomes: 'all good' }, /outcomes: must be a non-empty list/],
      ['/allocate', '{oops', /not valid JSON/],
    ];
    for (const [path, body, message] of cases) {
      const res = await post(server.url, path, body);
      expect(res.status, path).toBe(400);
      expect(res.json.error.message).toMatch(message);
    }
    await post(server.url, '/register', { prompts });
    const bad = await post(server.url, '/observe', { outcomes: [{ id: 'q0', successes: 5, n: 4 }] });
    expect(bad.json.error.message).toMatch(/outcomes\[0\]\.successes: must be an integer in \[0, n\]/);
    await server.close();
  });

  it('the Python example client (standard library only) runs its steps against the service', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'flopwise-vip-')), 'state.json');
    const server = await startAllocatorServer({ statePath, options, port: 0 });
    const { stdout } = await run(
      'python3',
      [join(root, 'examples', 'vip_client.py'), server.url, '--steps', '3'],
      {
        timeout: 30_000,
      },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([0, 1, 2]);
    expect(lines.map((l) => l.steps)).toEqual([1, 2, 3]);
    for (const l of lines) {
      const n = Object.values(l.n) as number[];
      expect(n).toHaveLength(8);
      expect(n.reduce((s, x) => s + x, 0)).toBe(32);
    }
    expect(server.service.summary()).toMatchObject({ prompts: 8, steps: 3, observations: 24 });
    await server.close();
  });
});
