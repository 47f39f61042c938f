/**
 * The report and the dashboard in headless Chromium: every chart has data drawn, the page logs no
 * errors, and the dashboard picks up a metrics row appended while it is open.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { startDashboard } from '../../src/serve/dashboard.js';
import { browserAvailable, colouredPixels, launch, watchErrors } from './browser.js';
import { appendRow, evalAt, stepRow, writeBenchDir, writeRunDir, type FakeRun } from './fixtures.js';

const hasBrowser = browserAvailable();
const dir = mkdtempSync(join(tmpdir(), 'flopwise-browser-'));
let browser: BrowserContext;

beforeAll(async () => {
  if (hasBrowser) browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

// A chart with only axes and grid has no strongly coloured pixels; a drawn line has hundreds.
const MIN_PIXELS = 50;

describe.skipIf(!hasBrowser)('in a real browser', () => {
  it('the report of a benchmark draws data in every chart, offline, without errors', async () => {
    const bench = join(dir, 'bench');
    writeBenchDir(bench);
    const { path } = writeReport(bench);
    const page = await browser.newPage();
    const errors = watchErrors(page);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${path}`);
    await page.waitForSelector('body[data-charts]');
    const pixels = await colouredPixels(page);
    // accuracy ×3, signal, discarded, zero-advantage, histogram, VIP ×3, levels ×3
    expect(Object.keys(pixels).length).toBe(13);
    for (const [chart, n] of Object.entries(pixels))
      expect({ chart, drawn: n >= MIN_PIXELS }).toEqual({ chart, drawn: true });
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]); // nothing fetched
    expect(await page.locator('.stack-row').count()).toBe(3);
    await page.close();
  });

  it('the dashboard lists runs, draws their charts and picks up a new metrics row within seconds', async () => {
    const root = join(dir, 'runs');
    const run: FakeRun = {
      allocator: 'uniform',
      seed: 1,
      steps: 40,
      evalEvery: 5,
      start: 0.2,
      slope: 0.01,
      flopsPerStep: 1e9,
    };
    writeRunDir(join(root, 'live'), run, { finished: false, upTo: 10 });
    writeBenchDir(join(root, 'bench'));
    const { server, url } = await startDashboard({ root, port: 0, pollMs: 300 });
    try {
      const page = await browser.newPage();
      const errors = watchErrors(page);
      await page.goto(`${url}#live`);
      await page.waitForSelector('body[data-charts]');
      await expect.poll(() => page.locator('table.runs tr').count()).toBe(3); // header + 2
      const pixels = await colouredPixels(page);
      expect(Object.keys(pixels).length).toBeGreaterThan(3);
      for (const [chart, n] of Object.entries(pixels))
        expect({ chart, drawn: n >= MIN_PIXELS }).toEqual({ chart, drawn: true });

      // the run writes step 11, then step 12 (with an eval) in two pieces: the dashboard first sees half a line
      const started = Date.now();
      appendRow(join(root, 'live'), stepRow(run, 11));
      await expect
        .poll(() => page.locator('table.runs').innerText(), { timeout: 5000, interval: 100 })
        .toContain('\t11\t');
      const row12 = JSON.stringify({
        ...stepRow(run, 12),
        eval: { ...evalAt(run, 12), sampledAccuracy: 0.987 },
      });
      const metrics = join(root, 'live', 'metrics.jsonl');
      appendFileSync(metrics, row12.slice(0, 40));
      await new Promise((ok) => setTimeout(ok, 900)); // a few polls see the cut-off line
      expect(await page.locator('table.runs').innerText()).toContain('\t11\t');
      appendFileSync(metrics, row12.slice(40) + '\n');
      await expect
        .poll(() => page.locator('table.runs').innerText(), { timeout: 5000, interval: 100 })
        .toContain('98.7%');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      (server as Server).closeAllConnections(); // the browser keeps connections alive
      await new Promise((ok) => (server as Server).close(ok));
    }
  });
});
