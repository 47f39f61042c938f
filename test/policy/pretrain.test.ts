import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baseDir, ensureBase, pretrainHash, PretrainConfigSchema } from '../../src/policy/pretrain.js';

const dir = mkdtempSync(join(tmpdir(), 'flopwise-pretrain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('warm-start cache', () => {
  it('keys the cache by the mixture content, not its name, and ignores the thread count', () => {
    const file = join(dir, 'm.json');
    const mixture = (w: number) => ({
      name: 'm',
      components: [{ family: 'add', levels: [1, 1], weight: w }],
    });
    writeFileSync(file, JSON.stringify(mixture(1)));
    const a = pretrainHash(PretrainConfigSchema.parse({ mixture: file }));
    expect(pretrainHash(PretrainConfigSchema.parse({ mixture: file, threads: 1 }))).toBe(a);
    writeFileSync(
      file,
      JSON.stringify({
        ...mixture(1),
        components: [...mixture(1).components, { family: 'add', levels: [2, 2], weight: 1 }],
      }),
    );
    expect(pretrainHash(PretrainConfigSchema.parse({ mixture: file }))).not.toBe(a);
    expect(pretrainHash(PretrainConfigSchema.parse({ mixture: file, steps: 7 }))).not.toBe(
      pretrainHash(PretrainConfigSchema.parse({ mixture: file })),
    );
  });

  it('trains once, then reuses the cached base', async () => {
    const cfg = PretrainConfigSchema.parse({
      mixture: 'ladder',
      examples: 200,
      steps: 3,
      batchSize: 8,
      model: { dModel: 16, nLayers: 1, nHeads: 2, contextLength: 24 },
    });
    const cacheDir = join(dir, 'cache');
    let calls = 0;
    const first = await ensureBase(cfg, { cacheDir, onProgress: () => calls++ });
    expect(calls).toBe(3);
    expect(first.dir).toBe(baseDir(cfg, cacheDir));
    expect(first.flops).toBeGreaterThan(0);
    const again = await ensureBase(cfg, { cacheDir, onProgress: () => calls++ });
    expect(calls).toBe(3); // no training the second time
    expect(again).toEqual(first);
  });
});
