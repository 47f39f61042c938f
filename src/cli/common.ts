/** Pieces shared by the CLI commands: config loading with overrides, number parsing, progress, errors. */
import type { Command } from 'commander';
import {
  applyOverrides,
  parseConfig,
  readConfigFile,
  TrainConfigSchema,
  type TrainConfig,
} from '../run/config.js';

// Terminal progress and number formatting live in progress.ts; re-exported for the commands.
export { formatFlops, pct, progressBar, terminalCallbacks } from './progress.js';

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds --config and --set, which every config-driven command takes. */
export function withConfigOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file (JSON or YAML); flags override it')
    .option(
      '--set <key.path=value>',
      'override any config field, e.g. --set optim.lr=1e-4 --set allocator.type=vip (repeatable)',
      collect,
      [],
    );
}

/**
 * File, then --set overrides, then the named flags (already mapped to `key=value` strings), over
 * `saved` when given (a resumed run's config, which runTraining then checks for refused changes).
 */
export function buildTrainConfig(
  opts: { config?: string; set?: string[] },
  flagSets: string[],
  saved?: Record<string, unknown>,
): TrainConfig {
  const file = opts.config ? readConfigFile(opts.config) : {};
  const raw = applyOverrides(mergeDeep(saved ?? {}, file), [...(opts.set ?? []), ...flagSets]);
  return parseConfig(TrainConfigSchema, raw, opts.config ? `${opts.config} + flags` : 'flags');
}

function mergeDeep(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    const bothObjects = [prev, v].every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
    out[k] = bothObjects ? mergeDeep(prev as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** Runs a command body; an error prints one clear line (the stack only with FLOPWISE_DEBUG=1) and exits 1. */
export async function guarded(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (process.env.FLOPWISE_DEBUG) throw err;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`flopwise: ${message}\n`);
    process.exit(1);
  }
}
