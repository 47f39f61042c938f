/** `flopwise report`: one self-contained HTML file for a run or a benchmark directory. */
import { join } from 'node:path';
import { writeFileAtomic } from '../data/atomic.js';
import { reportHtml } from './html.js';
import { loadDir } from './load.js';
import { buildView } from './view.js';

export { buildView } from './view.js';
export { loadDir, discover, loadRun, loadBench } from './load.js';
export { reportHtml, pageShell, pageAssets } from './html.js';
export type { View } from './types.js';

export function writeReport(dir: string, out = join(dir, 'report.html')): { path: string; bytes: number } {
  const html = reportHtml(buildView(loadDir(dir)));
  writeFileAtomic(out, html);
  return { path: out, bytes: Buffer.byteLength(html) };
}
