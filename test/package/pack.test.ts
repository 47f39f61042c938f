/**
 * The npm package: `npm pack` gives a tarball with the compiled CLI, type declarations, the wasm
 * kernels and the report's page assets; installed into an empty directory it runs `flopwise --help`,
 * a tiny `train` and a `report` of that run.
 *
 * Installing needs the dependencies without a network. `npm install --offline` works when npm's cache
 * holds them (CI after `npm ci`); otherwise the tarball is unpacked where npm would put it and its
 * declared dependencies (only those) are linked from this checkout's node_modules.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBase, PretrainConfigSchema } from '../../src/policy/pretrain.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'flopwise-pack-'));
const app = join(dir, 'app');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
};
let tarball: string;
let files: string[];
let base: string;

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(
    0,
    ...execFileSync('find', [path, '-type', 'f', '-name', '*.ts'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((f) => statSync(f).mtimeMs),
  );
}

/** dist/ must be current: CI builds before testing; a stale local tree is rebuilt here. */
function ensureBuilt(): void {
  const entry = join(root, 'dist', 'cli', 'index.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(root, 'src'))) return;
  spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (!existsSync(entry)) throw new Error('tsc did not produce dist/cli/index.js');
}

function installFromTarball(): 'npm' | 'linked' {
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  const npm = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], {
    cwd: app,
    encoding: 'utf8',
  });
  if (npm.status === 0) return 'npm';
  rmSync(join(app, 'node_modules'), { recursive: true, force: true });
  const target = join(app, 'node_modules', pkg.name);
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  mkdirSync(join(target, 'node_modules'));
  for (const dep of Object.keys(pkg.dependencies)) {
    mkdirSync(join(target, 'node_modules', dep, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), join(target, 'node_modules', dep));
  }
  mkdirSync(join(app, 'node_modules', '.bin'));
  symlinkSync(join('..', pkg.name, 'bin', 'flopwise.js'), join(app, 'node_modules', '.bin', 'flopwise'));
  return 'linked';
}

beforeAll(async () => {
  ensureBuilt();
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
  });
  const info = (JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
  tarball = join(dir, info.filename);
  files = info.files.map((f) => f.path);
  const how = installFromTarball();
  process.stderr.write(`package test: installed ${info.filename} (${how})\n`);
  const mixture = join(dir, 'count.json');
  writeFileSync(
    mixture,
    JSON.stringify({ name: 'count', components: [{ family: 'count', levels: [1, 2], weight: 1 }] }),
  );
  const b = await ensureBase(
    PretrainConfigSchema.parse({
      mixture,
      examples: 200,
      steps: 5,
      batchSize: 8,
      model: { dModel: 16, nLayers: 1, nHeads: 2, contextLength: 24 },
    }),
    { cacheDir: join(dir, 'cache') },
  );
  base = b.dir;
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tinySets = () =>
  [
    `data.mixture=${JSON.stringify(join(dir, 'count.json'))}`,
    'data.trainSize=16',
    'data.evalSize=8',
    'allocator.promptsPerStep=4',
    'allocator.groupSize=2',
    'sampling.maxNewTokens=3',
    'eval.samples=2',
    'eval.passK=1',
    'eval.every=1',
  ].flatMap((s) => ['--set', s]);

function flopwise(...args: string[]) {
  return spawnSync('npx', ['--no-install', 'flopwise', ...args], {
    cwd: app,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, FLOPWISE_CACHE: join(dir, 'cache'), NO_COLOR: '1' },
  });
}

describe('npm package', () => {
  it('holds the compiled CLI, declarations, wasm kernels and report assets, and no sources or tests', () => {
    for (const f of [
      'bin/flopwise.js',
      'dist/cli/index.js',
      'dist/index.js',
      'dist/index.d.ts',
      'build/kernels.wasm',
      'dist/engine/worker.mjs',
      'src/report/assets/client.js',
      'package.json',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => f.startsWith('test/') || (f.startsWith('src/') && f.endsWith('.ts')))).toEqual(
      [],
    );
  });

  it('installed: `npx flopwise --help` lists the commands', () => {
    const r = flopwise('--help');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const c of ['train', 'bench', 'report', 'dashboard']) expect(r.stdout).toContain(c);
  });

  it('installed: a tiny train runs, and its report is written', () => {
    const run = join(dir, 'run');

    const r = flopwise('train', '--base', base, '--steps', '2', '-o', run, ...tinySets());
    expect(r.stderr).not.toContain('Error');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/held-out before → after: greedy .* sampled .* pass@1 /);
    const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { step: number }).step)).toEqual([0, 1, 2]);
    const meta = JSON.parse(readFileSync(join(run, 'meta.json'), 'utf8')) as {
      version: string;
      endedAt?: string;
    };
    expect(meta.version).toBe(pkg.version);
    expect(meta.endedAt).toBeDefined();

    const again = flopwise('train', '--base', base, '--steps', '2', '-o', run, ...tinySets());
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(
      'already holds a run: continue it with --resume, replace it with --overwrite',
    );

    const rep = flopwise('report', run);
    expect(rep.status).toBe(0);
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=/); // self-contained
  });
});

describe('Ctrl-C', () => {
  it('stops training, restores the terminal and prints how to resume', async () => {
    const run = join(dir, 'interrupted');
    const bin = join(app, 'node_modules', pkg.name, 'bin', 'flopwise.js');
    const child = spawn(
      process.execPath,
      [bin, 'train', '--base', base, '--steps', '500', '-o', run, ...tinySets(), '--set', 'eval.every=1000'],
      {
        cwd: app,
        env: { ...process.env, FLOPWISE_CACHE: join(dir, 'cache'), NO_COLOR: '1' },
      },
    );
    let stderr = '';
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    await new Promise<void>((ok) => {
      child.stderr.on('data', (d) => {
        stderr += String(d);
        if (/train \d+\/500/.test(stderr)) ok();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(
      `interrupted. Continue from the last checkpoint with: flopwise train --resume -o ${run}`,
    );
  });
});
