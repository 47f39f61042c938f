// flopwise embedded engine: public API.
export { createModel, Model } from './model.js';
export { parameterLayout, validateConfig } from './plan.js';
export type * from './types.js';
export { CharTokenizer, defaultVocab, PAD, BOS, EOS } from './tokenizer.js';
export { lrSchedule, type LrScheduleOptions } from './schedule.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  loadCheckpointFull,
  loadWeightsInto,
  readCheckpointConfig,
  type CheckpointConfig,
  type SaveOptions,
  type LoadedCheckpoint,
} from './checkpoint.js';
export { writeSafetensors, SafetensorsFile } from './safetensors.js';
export { Rng, hashUniform } from './rng.js';
export { KernelTrapError } from './pool.js';
