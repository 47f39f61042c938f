/**
 * Composition of the policies a run trains: the embedded engine from the base checkpoint (the
 * configured one, or the cached default warm start). The run layer receives this as a factory.
 */
import { join } from 'node:path';
import { loadEmbeddedPolicy } from '../policy/embedded.js';
import { resolveBaseCheckpoint } from '../policy/pretrain.js';
import type { TrainConfig } from '../run/config.js';
import type { PolicyFactory, RunCallbacks } from '../run/run.js';

/** The base checkpoint a config trains from: its `base`, or the default warm start (built on first use). */
export function resolveBase(
  config: TrainConfig,
  callbacks: RunCallbacks = {},
  workdir = process.cwd(),
): Promise<string> {
  return resolveBaseCheckpoint({
    base: config.base,
    threads: config.threads,
    cacheDir: process.env.FLOPWISE_CACHE ?? join(workdir, '.cache', 'flopwise'),
    onPhase: callbacks.onPhase,
    onPretrain: callbacks.onPretrain,
  });
}

/** The embedded engine: from the base, or from a checkpoint (with its optimizer state); KL against the base. */
export const embeddedPolicies: PolicyFactory = async ({ config, checkpoint, workdir, callbacks }) => {
  const base = await resolveBase(config, callbacks, workdir);
  const policy = await loadEmbeddedPolicy(checkpoint ?? base, {
    threads: config.threads,
    optimizer: checkpoint !== undefined,
    withReference: config.optim.klCoef > 0,
    referenceDir: base,
  });
  return { policy, base };
};
