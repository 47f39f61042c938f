/**
 * `flopwise dashboard`: a local web server over a directory of runs and benchmarks. It only reads
 * run directories (never writes, never locks), so a run being written is never slowed or blocked; a
 * half-written or crashed directory is drawn from what it holds. The page polls for changes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative, resolve, sep } from 'node:path';
import { buildView, discover, loadDir, pageShell, type View } from '../report/index.js';
import { listEntry, type RunListEntry } from './dashboard-list.js';

export interface DashboardOptions {
  root: string;
  port: number;
  host?: string;
  /** How often the page polls, in ms. */
  pollMs?: number;
}

const dashboardScript = (): string =>
  readFileSync(fileURLToPath(new URL('../../src/report/assets/dashboard.js', import.meta.url)), 'utf8');
const clientScript = (): string =>
  readFileSync(fileURLToPath(new URL('../../src/report/assets/client.js', import.meta.url)), 'utf8');

/** Files whose size and time say whether a directory's view changed (its runs' files included). */
function signature(dir: string): string {
  const parts: string[] = [];
  const add = (p: string) => {
    try {
      const s = statSync(p);
      parts.push(`${s.size}:${s.mtimeMs}`);
    } catch {
      parts.push('-');
    }
  };
  for (const f of ['metrics.jsonl', 'summary.json', 'config.json', 'meta.json', 'results.json'])
    add(join(dir, f));
  for (const d of discover(join(dir, 'runs')))
    for (const f of ['metrics.jsonl', 'summary.json']) add(join(d.dir, f));
  // …and every half minute regardless: a run that stopped writing turns from running to stopped.
  parts.push(String(Math.floor(Date.now() / 30_000)));
  return parts.join('|');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** A view that says what went wrong instead of an error page (e.g. a directory removed mid-read). */
function errorView(dir: string, err: unknown): View {
  const message = err instanceof Error ? err.message : String(err);
  return { title: `flopwise: ${dir}`, subtitle: message, status: 'unreadable', sections: [] };
}

export function createDashboard(opts: DashboardOptions): Server {
  const root = resolve(opts.root);
  const cache = new Map<string, { sig: string; body: string }>();
  // The list is polled every second: a directory is read again only when its files changed.
  const entries = new Map<string, { sig: string; entry: RunListEntry }>();
  const entryOf = (d: { kind: 'run' | 'bench'; dir: string }): RunListEntry => {
    const sig = signature(d.dir);
    const hit = entries.get(d.dir);
    if (hit && hit.sig === sig) return hit.entry;
    const entry = listEntry(root, d);
    entries.set(d.dir, { sig, entry });
    return entry;
  };
  const inside = (rel: string): string | null => {
    const abs = resolve(root, rel);
    return abs === root || abs.startsWith(root + sep) ? abs : null;
  };
  const viewBody = (dir: string): string => {
    const sig = signature(dir);
    const hit = cache.get(dir);
    if (hit && hit.sig === sig) return hit.body;
    let view: View;
    try {
      view = buildView(loadDir(dir));
    } catch (err) {
      view = errorView(relative(root, dir) || '.', err);
    }
    const body = JSON.stringify(view);
    cache.set(dir, { sig, body });
    return body;
  };
  const page = () =>
    pageShell(
      'flopwise dashboard',
      `<script>window.FLOPWISE_DASHBOARD = ${JSON.stringify({ root, pollMs: opts.pollMs ?? 1000 }).replace(/</g, '\\u003c')};</script>\n` +
        `<script>${clientScript()}</script>\n<script>${dashboardScript()}</script>`,
    );

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'read-only');
    if (url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', page());
    if (url.pathname === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    if (url.pathname === '/api/runs') {
      const list: RunListEntry[] = discover(root).map(entryOf);
      return send(res, 200, 'application/json', JSON.stringify(list));
    }
    if (url.pathname === '/api/view') {
      const dir = inside(url.searchParams.get('dir') ?? '');
      if (!dir)
        return send(
          res,
          400,
          'application/json',
          JSON.stringify({ error: 'dir is outside the runs directory' }),
        );
      return send(res, 200, 'application/json', viewBody(dir));
    }
    return send(res, 404, 'text/plain', 'not found');
  };
  return createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      send(res, 500, 'application/json', JSON.stringify({ error: (err as Error).message }));
    }
  });
}

/** Starts listening; resolves with the URL. */
export async function startDashboard(opts: DashboardOptions): Promise<{ server: Server; url: string }> {
  const server = createDashboard(opts);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, host, () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return { server, url: `http://${host}:${port}/` };
}
