/**
 * Headless Chromium from the system's packages, driven by playwright-core (which downloads nothing).
 * Outside CI a machine without /usr/bin/chromium skips the browser tests, saying so loudly; in CI
 * (.ci/run sets CI=true and installs chromium) a missing browser is a failure.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.FLOPWISE_CHROMIUM ?? '/usr/bin/chromium';
const inCi = !!process.env.CI;

export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (inCi)
    throw new Error(`${CHROMIUM} is missing in CI: .ci/run must install it (apt-get install -y chromium)`);
  process.stderr.write(
    `\n*** SKIPPING BROWSER TESTS: ${CHROMIUM} not found. Install it with \`apt-get install -y chromium\` ` +
      `(or set FLOPWISE_CHROMIUM). In CI they always run. ***\n\n`,
  );
  return false;
}

/** A fresh profile every time (playwright passes it to chromium as --user-data-dir). */
export async function launch(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'flopwise-chromium-')), {
    executablePath: CHROMIUM,
    viewport: { width: 1360, height: 900 },
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Collects console errors and uncaught page errors. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/**
 * Per chart: how many canvas pixels are strongly coloured. Axes, grid and labels are grey or black,
 * so saturated pixels are series, bands or markers: a chart with nothing drawn counts (almost) none.
 */
export async function colouredPixels(page: Page): Promise<Record<string, number>> {
  // Runs in the page (a string, so this file needs no DOM types).
  return page.evaluate(`(() => {
    const out = {};
    for (const plot of document.querySelectorAll('.plot')) {
      const canvas = plot.querySelector('canvas');
      let n = 0;
      if (canvas) {
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        for (let i = 0; i < data.length; i += 4) {
          const r = data[i], g = data[i + 1], b = data[i + 2], a = data[i + 3];
          if (a > 100 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
        }
      }
      out[plot.dataset.chart] = n;
    }
    return out;
  })()`);
}
