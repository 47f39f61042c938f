// Compiles the AssemblyScript kernels (src/engine/kernels/index.ts) to build/kernels.wasm.
// The .wasm is a build output, never committed: `npm run build` and `npm test` both run this first.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src/engine/kernels/index.ts');
const out = join(root, 'build/kernels.wasm');

// The engine's worker script is plain JavaScript: compiled code in dist/engine/ looks for it next to
// itself (and falls back to src/engine/worker.mjs), so copy it there for `npm run build`.
const worker = join(root, 'src/engine/worker.mjs');
if (existsSync(worker)) {
  mkdirSync(join(root, 'dist/engine'), { recursive: true });
  copyFileSync(worker, join(root, 'dist/engine/worker.mjs'));
}

if (!existsSync(entry)) {
  console.log('build-wasm: no kernels yet (src/engine/kernels/index.ts missing); skipping');
  process.exit(0);
}
const srcDir = dirname(entry);
const newestSource = Math.max(...readdirSync(srcDir).map((f) => statSync(join(srcDir, f)).mtimeMs));
if (existsSync(out) && statSync(out).mtimeMs >= newestSource && !process.argv.includes('--force')) {
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
const asc = join(root, 'node_modules/.bin/asc');
execFileSync(
  asc,
  [
    entry,
    '--outFile',
    out,
    '-O3',
    '--noAssert',
    '--enable',
    'simd',
    '--runtime',
    'stub',
    '--importMemory',
    '--sharedMemory',
    '--initialMemory',
    '1',
    '--maximumMemory',
    '65536',
    '--enable',
    'threads',
  ],
  { stdio: 'inherit' },
);
console.log(`build-wasm: wrote ${out}`);
