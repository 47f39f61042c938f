/**
 * The self-contained page. Charts are drawn by uPlot (MIT, ~50 KB minified, no dependencies): small
 * enough to inline into every report so it opens offline from disk, and fast on canvas with the
 * thousands of points a long run's per-step charts hold, which keeps the live dashboard responsive.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { View } from './types.js';

const require = createRequire(import.meta.url);

// From src/report/ and from dist/report/ the assets are at the same relative place.
const asset = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../src/report/assets/${name}`, import.meta.url)), 'utf8');

let cached: { uplotJs: string; uplotCss: string; client: string; style: string } | undefined;

export function pageAssets(): NonNullable<typeof cached> {
  cached ??= {
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    client: asset('client.js'),
    style: asset('style.css'),
  };
  return cached;
}

/** Inline <script> text must not contain "</script" (nor "<!--"); escaping "<" keeps the JSON equal. */
export function scriptSafe(text: string): string {
  return text.replace(/</g, '\\u003c');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page around the app: styles and uPlot inline; `body` is the view (report) or the poller (dashboard). */
export function pageShell(title: string, body: string): string {
  const a = pageAssets();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${a.uplotCss}</style>
<style>${a.style}</style>
<script>${a.uplotJs}</script>
</head>
<body>
<div id="app"></div>
${body}
</body>
</html>
`;
}

export function reportHtml(view: View): string {
  const a = pageAssets();
  const data = `<script type="application/json" id="flopwise-view">${scriptSafe(JSON.stringify(view))}</script>`;
  return pageShell(view.title, `${data}\n<script>${a.client}</script>`);
}
