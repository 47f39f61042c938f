// Checkpoints: a folder with `model.safetensors` (parameters, and optionally the Adam moments as
// tensors "adam.m.<name>" and "adam.v.<name>") and `config.json` (model shape, tokenizer vocabulary,
// optimizer step, FLOP counters, caller metadata). Both are written atomically (temp file + rename);
// config.json is written last.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel, type Model } from './model.js';
import { validateConfig } from './plan.js';
import type { CreateModelOptions, ModelConfig } from './types.js';
import { atomicWrite } from './atomic.js';
import { SafetensorsFile, writeSafetensors, type NamedTensor } from './safetensors.js';
import { CharTokenizer } from './tokenizer.js';

export const WEIGHTS_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';

export interface CheckpointConfig {
  format: 'flopwise-checkpoint';
  version: 1;
  model: ModelConfig;
  tokenizer?: { vocab: string[] };
  optimizer?: { step: number };
  flops?: Model['flops'];
  meta?: Record<string, unknown>;
}

export interface SaveOptions {
  /** Also save the Adam moments and step (to continue training identically). */
  optimizer: boolean;
  tokenizer?: CharTokenizer;
  meta?: Record<string, unknown>;
}

export function saveCheckpoint(dir: string, model: Model, opts: SaveOptions): void {
  mkdirSync(dir, { recursive: true });
  const tensors: NamedTensor[] = model.tensors.map((t) => ({
    name: t.name,
    shape: t.shape,
    data: model.paramView(t.name).slice(),
  }));
  if (opts.optimizer) {
    for (const t of model.tensors) {
      const { m, v } = model.adamViews(t.name);
      tensors.push({ name: `adam.m.${t.name}`, shape: t.shape, data: m.slice() });
      tensors.push({ name: `adam.v.${t.name}`, shape: t.shape, data: v.slice() });
    }
  }
  writeSafetensors(join(dir, WEIGHTS_FILE), tensors, { format: 'flopwise' });
  const cfg: CheckpointConfig = {
    format: 'flopwise-checkpoint',
    version: 1,
    model: { ...model.config },
    ...(opts.tokenizer ? { tokenizer: opts.tokenizer.toJSON() } : {}),
    ...(opts.optimizer ? { optimizer: { step: model.step } } : {}),
    flops: { ...model.flops },
    ...(opts.meta ? { meta: opts.meta } : {}),
  };
  atomicWrite(join(dir, CONFIG_FILE), JSON.stringify(cfg, null, 2) + '\n');
}

export function readCheckpointConfig(dir: string): CheckpointConfig {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) throw new Error(`${path}: checkpoint config not found`);
  let cfg: CheckpointConfig;
  try {
    cfg = JSON.parse(readFileSync(path, 'utf8')) as CheckpointConfig;
  } catch (e) {
    throw new Error(`${path}: corrupt checkpoint config (${(e as Error).message})`);
  }
  if (cfg?.format !== 'flopwise-checkpoint' || !cfg.model)
    throw new Error(`${path}: not a flopwise checkpoint config`);
  try {
    validateConfig(cfg.model);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return cfg;
}

/** Loads the weights (and, when present and wanted, the optimizer state) of `dir` into `model`,
 * checking every tensor's presence, dtype and shape against the model. */
export function loadWeightsInto(model: Model, dir: string, opts: { optimizer?: boolean } = {}): void {
  const path = join(dir, WEIGHTS_FILE);
  const f = new SafetensorsFile(path);
  const data = model.tensors.map((t) => f.read(t.name, t.shape));
  let moments: Array<{ m: Float32Array; v: Float32Array }> | undefined;
  const wantOpt = opts.optimizer ?? true;
  if (wantOpt && f.has(`adam.m.${model.tensors[0]!.name}`)) {
    moments = model.tensors.map((t) => ({
      m: f.read(`adam.m.${t.name}`, t.shape),
      v: f.read(`adam.v.${t.name}`, t.shape),
    }));
  }
  model.tensors.forEach((t, i) => model.paramView(t.name).set(data[i]!));
  model.tensors.forEach((t, i) => {
    const a = model.adamViews(t.name);
    a.m.set(moments ? moments[i]!.m : new Float32Array(t.size));
    a.v.set(moments ? moments[i]!.v : new Float32Array(t.size));
  });
  model.refreshTransposed();
}

export interface LoadedCheckpoint {
  model: Model;
  tokenizer?: CharTokenizer;
  config: CheckpointConfig;
}

export async function loadCheckpointFull(
  dir: string,
  opts: Partial<CreateModelOptions> & { optimizer?: boolean } = {},
): Promise<LoadedCheckpoint> {
  const cfg = readCheckpointConfig(dir);
  const model = await createModel(cfg.model, { ...opts, seed: opts.seed ?? 0 });
  try {
    loadWeightsInto(model, dir, opts);
  } catch (e) {
    await model.dispose();
    throw e;
  }
  if ((opts.optimizer ?? true) && cfg.optimizer) model.step = cfg.optimizer.step;
  if (cfg.flops) Object.assign(model.flops, cfg.flops);
  const tokenizer = cfg.tokenizer ? new CharTokenizer(cfg.tokenizer.vocab) : undefined;
  return { model, tokenizer, config: cfg };
}

export async function loadCheckpoint(
  dir: string,
  opts: Partial<CreateModelOptions> & { optimizer?: boolean } = {},
): Promise<Model> {
  return (await loadCheckpointFull(dir, opts)).model;
}
