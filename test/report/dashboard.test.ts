/** The dashboard's HTTP side (the page itself is tested in browser.test.ts). */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from '../../src/serve/dashboard.js';
import { writeBenchDir, writeRunDir } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'flopwise-dash-'));
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  writeRunDir(
    join(root, 'a'),
    { allocator: 'vip', seed: 1, steps: 6, evalEvery: 3, start: 0.2, slope: 0.05, flopsPerStep: 1e9 },
    { finished: false },
  );
  appendFileSync(join(root, 'a', 'metrics.jsonl'), '{"step":7,"rew'); // a crash mid-line
  writeBenchDir(join(root, 'group', 'b'));
  mkdirSync(join(root, 'empty-dir'));
  const s = await startDashboard({ root, port: 0 });
  url = s.url;
  close = () => new Promise((ok) => s.server.close(() => ok()));
});
afterAll(async () => {
  await close();
  rmSync(root, { recursive: true, force: true });
});

describe('dashboard server', () => {
  it('lists runs and benchmarks (two levels deep) with their status and progress', async () => {
    const list = (await (await fetch(`${url}api/runs`)).json()) as Array<Record<string, unknown>>;
    expect(list.map((e) => [e.id, e.kind, e.status, e.steps])).toEqual([
      ['a', 'run', 'running', 6],
      [join('group', 'b'), 'bench', 'finished', null],
    ]);
    expect(list[0].lastAccuracy).toBeCloseTo(0.5, 12); // the eval at step 6: 0.2 + 6 × 0.05
    expect(list[1].children).toHaveLength(6); // grpo, sgpo, vip × 2 seeds, each viewable alone
    const one = await fetch(`${url}api/view?dir=${encodeURIComponent((list[1].children as string[])[0])}`);
    expect(((await one.json()) as { title: string }).title).toBe('flopwise: run grpo-seed1');
  });

  it('serves the view of a half-written run as data, not an error', async () => {
    const res = await fetch(`${url}api/view?dir=a`);
    expect(res.status).toBe(200);
    const view = (await res.json()) as { status: string; sections: Array<{ id: string }> };
    expect(view.status).toBe('running');
    expect(view.sections.map((s) => s.id)).toContain('vip');
  });

  it('reads nothing outside its directory and accepts no writes', async () => {
    expect((await fetch(`${url}api/view?dir=${encodeURIComponent('../..')}`)).status).toBe(400);
    expect((await fetch(`${url}api/runs`, { method: 'POST' })).status).toBe(405);
    const gone = (await (await fetch(`${url}api/view?dir=nothing-here`)).json()) as { status: string };
    expect(gone.status).toBe('unreadable');
  });

  it('the page inlines everything it runs', async () => {
    const html = await (await fetch(url)).text();
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});
