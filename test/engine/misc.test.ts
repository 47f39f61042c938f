import { describe, expect, it } from 'vitest';
import { CharTokenizer, createModel, lrSchedule } from '../../src/engine/index.js';
import { hashUniform, Rng } from '../../src/engine/rng.js';

describe('tokenizer', () => {
  const tok = new CharTokenizer();
  it('has PAD, BOS, EOS, printable ASCII and newline (99 tokens)', () => {
    expect(tok.vocabSize).toBe(99);
    expect(tok.vocab.slice(0, 3)).toEqual(['<pad>', '<bos>', '<eos>']);
    expect(tok.encode(' ')).toEqual([3]);
    expect(tok.encode('~\n')).toEqual([97, 98]);
  });
  it('round-trips text and adds BOS/EOS', () => {
    const s = 'Hello, world!\n 12+30=42';
    const ids = tok.encode(s, { bos: true, eos: true });
    expect(ids[0]).toBe(tok.bosId);
    expect(ids[ids.length - 1]).toBe(tok.eosId);
    expect(tok.decode(ids)).toBe(s);
    expect(tok.decode(ids, { keepSpecial: true })).toBe(`<bos>${s}<eos>`);
  });
  it('names an unknown character', () => {
    expect(() => tok.encode('abé')).toThrow(/character "é" \(U\+00E9\) at index 2 is not in the vocabulary/);
    expect(() => tok.encode('a\tb')).toThrow(/U\+0009/);
  });
});

describe('lrSchedule', () => {
  it('warms up linearly then decays by cosine to the floor', () => {
    const f = lrSchedule({ lr: 1, warmupSteps: 4, totalSteps: 14, minLr: 0.1 });
    expect(f(0)).toBeCloseTo(0.25);
    expect(f(3)).toBeCloseTo(1);
    expect(f(4)).toBeCloseTo(1);
    expect(f(9)).toBeCloseTo(0.55);
    expect(f(14)).toBeCloseTo(0.1);
    expect(f(100)).toBeCloseTo(0.1);
    expect(lrSchedule({ lr: 0.5, kind: 'constant' })(77)).toBe(0.5);
  });
});

describe('rng', () => {
  it('is seeded and counter-based', () => {
    expect(new Rng(1).uniform()).toBe(new Rng(1).uniform());
    expect(new Rng(1).uniform()).not.toBe(new Rng(2).uniform());
    expect(hashUniform(1, 2, 3)).toBe(hashUniform(1, 2, 3));
    const xs = Array.from({ length: 10000 }, (_, i) => hashUniform(7, i, 0));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});

describe('model accounting', () => {
  it('counts parameters and FLOPs from the computed dimensions', async () => {
    const cfg = { vocabSize: 99, dModel: 128, nLayers: 4, nHeads: 4, contextLength: 48 };
    const m = await createModel(cfg, { seed: 0, microBatch: 4, sampleBatch: 4 });
    try {
      const C = 128,
        V = 99;
      const perLayer = 12 * C * C + 13 * C;
      expect(m.paramCount).toBe(V * C + 48 * C + 4 * perLayer + 2 * C + C * V);
      expect(m.nonEmbeddingParamCount).toBe(m.paramCount - V * C - 48 * C);
      const seqs = [Array.from({ length: 11 }, (_, i) => i + 3)];
      const r = m.logprobs({ sequences: seqs, start: [1] });
      const T = 10;
      expect(r.flops).toBe(4 * (24 * T * C * C + 2 * T * (T + 1) * C) + 2 * T * C * V);
      const ce = m.accumulateCrossEntropy({
        sequences: seqs,
        lossMask: [new Uint8Array(11).fill(1)],
        normaliser: 10,
      });
      expect(ce.flops).toBe(3 * r.flops);
      const s = m.sample({ prompts: [[1, 2]], maxNewTokens: 3, temperature: 1, seed: 1 });
      // 4 decode steps at positions 0..3
      let f = 0;
      for (let p = 0; p < 4; p++) f += 4 * (24 * C * C + 4 * C * (p + 1)) + 2 * C * V;
      expect(s.flops).toBe(f);
      expect(m.flops).toEqual({
        total: r.flops + ce.flops + s.flops,
        forward: r.flops,
        backward: 2 * r.flops,
        logprobs: r.flops,
        sample: f,
      });
    } finally {
      await m.dispose();
    }
  });
});

describe('process lifetime', () => {
  it('a process that forgets dispose() still exits (workers are unreferenced)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'flopwise-exit-'));
    const file = join(dir, 'forget.mts');
    writeFileSync(
      file,
      `import { createModel } from ${JSON.stringify(root + 'src/engine/index.ts')};\n` +
        `const m = await createModel({ vocabSize: 10, dModel: 8, nLayers: 1, nHeads: 2, contextLength: 8 }, { seed: 1, threads: 2 });\n` +
        `m.sample({ prompts: [[1, 2]], maxNewTokens: 3, temperature: 1, seed: 1 });\nconsole.log('sampled');\n`,
    );
    try {
      const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [file], { timeout: 30_000, encoding: 'utf8' });
      expect(r.stdout + r.stderr).toContain('sampled');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
