import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'flopwise-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function flopwise(...args: string[]) {
  return spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'src/cli/index.ts'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, FLOPWISE_CACHE: join(dir, 'cache') },
  });
}

describe('flopwise CLI', () => {
  it('lists every command in --help', () => {
    const r = flopwise('--help');
    expect(r.status).toBe(0);
    for (const c of ['demo', 'pretrain', 'train', 'profile', 'plan', 'eval', 'bench', 'data'])
      expect(r.stdout).toContain(c);
  });

  it('plan: prints classes, phases and rollouts against uniform for a profile', () => {
    const rows = [
      { id: 'a', k: 8, successes: 8 }, // trivial
      { id: 'b', k: 8, successes: 0 }, // unsolved
      { id: 'c', k: 8, successes: 4 }, // p̂ = 0.5 → G = 2
      { id: 'd', k: 8, successes: 1 }, // p̂ = 0.125 → G = 8
    ];
    const file = join(dir, 'profile.jsonl');
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = flopwise('plan', file, '--alpha', '0');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('trivial 1 (25.0%, dropped), unsolved 1 (25.0%, 0 kept), learnable 2 (50.0%)');
    expect(r.stdout).toContain('phase 1: G=2, 1 prompts');
    expect(r.stdout).toContain('phase 2: G=8, 1 prompts');
    expect(r.stdout).toContain('rollouts per epoch: 10 vs 32 for uniform G=8');
  });

  it('plan: a bad profile row names the file, row and field', () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"id":"a","k":8,"successes":1}\n{"id":"b","k":8}\n');
    const r = flopwise('plan', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}: row 2: field 'successes' is missing`);
  });

  it('train: an invalid config stops before any work and names the field', () => {
    const r = flopwise('train', '-o', join(dir, 'run'), '--set', 'optim.lr=-1');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('optim.lr');
  });
});
