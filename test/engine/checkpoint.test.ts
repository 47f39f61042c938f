import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createModel,
  loadCheckpoint,
  loadCheckpointFull,
  loadWeightsInto,
  saveCheckpoint,
  SafetensorsFile,
  type Model,
} from '../../src/engine/index.js';
import {
  tinyConfig as cfg,
  tinySequences as seqs,
  tinyTokenizer as tok,
  tinyTrainStep as trainStep,
} from './helpers.js';

const dirs: string[] = [];
const models: Model[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'flopwise-ckpt-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const m of models) await m.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('checkpoints', () => {
  it('round-trips weights, optimizer state and tokenizer; training continues identically', async () => {
    const a = await createModel(cfg, { seed: 1 });
    models.push(a);
    trainStep(a);
    trainStep(a);
    const dir = tmp();
    saveCheckpoint(dir, a, { optimizer: true, tokenizer: tok, meta: { note: 'x' } });
    const { model: b, tokenizer, config } = await loadCheckpointFull(dir, { threads: 2 });
    models.push(b);
    expect(tokenizer!.vocab).toEqual(tok.vocab);
    expect(config.meta).toEqual({ note: 'x' });
    expect(b.step).toBe(2);
    const la = a.logprobs({ sequences: seqs, start: seqs.map(() => 1) }).logprobs;
    const lb = b.logprobs({ sequences: seqs, start: seqs.map(() => 1) }).logprobs;
    expect(lb).toEqual(la);
    const sa = a.sample({ prompts: [[1, 40]], maxNewTokens: 5, temperature: 1, seed: 3 });
    const sb = b.sample({ prompts: [[1, 40]], maxNewTokens: 5, temperature: 1, seed: 3 });
    expect(sb.tokens).toEqual(sa.tokens);
    for (let i = 0; i < 3; i++) expect(trainStep(b)).toBe(trainStep(a));
    for (const t of a.tensors) expect(b.paramView(t.name)).toEqual(a.paramView(t.name));
  });

  it('getState/setState restore parameters and optimizer state exactly', async () => {
    const a = await createModel(cfg, { seed: 5 });
    models.push(a);
    trainStep(a);
    const st = a.getState();
    const l1 = [trainStep(a), trainStep(a)];
    const p1 = a.paramView('h.1.mlp.fc.w').slice();
    a.setState(st);
    expect(a.step).toBe(1);
    expect([trainStep(a), trainStep(a)]).toEqual(l1);
    expect(a.paramView('h.1.mlp.fc.w')).toEqual(p1);
  });

  it('without optimizer state, loads weights only', async () => {
    const a = await createModel(cfg, { seed: 2 });
    models.push(a);
    trainStep(a);
    const dir = tmp();
    saveCheckpoint(dir, a, { optimizer: false });
    const f = new SafetensorsFile(join(dir, 'model.safetensors'));
    expect(f.has('adam.m.wte')).toBe(false);
    const b = await loadCheckpoint(dir);
    models.push(b);
    expect(b.step).toBe(0);
    expect(b.paramView('head.w')).toEqual(a.paramView('head.w'));
  });

  it('a truncated or corrupt file fails with a message naming the file and tensor', async () => {
    const a = await createModel(cfg, { seed: 3 });
    models.push(a);
    const dir = tmp();
    saveCheckpoint(dir, a, { optimizer: false });
    const path = join(dir, 'model.safetensors');
    const buf = readFileSync(path);
    writeFileSync(path, buf.subarray(0, buf.length - 100));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      /model\.safetensors: truncated safetensors file: tensor "lnf\.g" ends at byte/,
    );
    writeFileSync(path, buf.subarray(0, 5));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/model\.safetensors: corrupt safetensors file/);
    const bad = Buffer.from(buf);
    bad.write('#', 8); // break the JSON header
    writeFileSync(path, bad);
    await expect(loadCheckpoint(dir)).rejects.toThrow(/model\.safetensors: corrupt safetensors header/);
  });

  it('a wrong shape fails with a message naming the file and tensor', async () => {
    const a = await createModel(cfg, { seed: 4 });
    const other = await createModel({ ...cfg, dModel: 24, nHeads: 2 }, { seed: 4 });
    models.push(a, other);
    const dir = tmp();
    saveCheckpoint(dir, a, { optimizer: false });
    expect(() => loadWeightsInto(other, dir)).toThrow(
      /model\.safetensors: tensor "h\.0\.attn\.qkv\.w" has shape \[16, 48\], expected \[24, 72\]/,
    );
    // config.json disagreeing with the weights
    const cfgPath = join(dir, 'config.json');
    const c = JSON.parse(readFileSync(cfgPath, 'utf8'));
    c.model.contextLength = 12;
    writeFileSync(cfgPath, JSON.stringify(c));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      /tensor "wpe" has shape \[10, 16\], expected \[12, 16\]/,
    );
  });
});
