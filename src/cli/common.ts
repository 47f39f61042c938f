/** Pieces shared by the CLI commands: config loading with overrides, number parsing, progress, errors. */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { RunCallbacks } from '../run/run.js';
import { intOption } from './options.js';
import {
  applyOverrides,
  parseConfig,
  readConfigFile,
  TrainConfigSchema,
  type TrainConfig,
} from '../run/config.js';

/** An integer flag ≥ `min` (kept for commands not yet on the bounded parsers of ./options). */
export function intArg(name: string, min: number): (v: string) => number {
  return intOption(name, { min });
}

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

/** File, then --set overrides, then the named flags (already mapped to `key=value` strings). */
export function buildTrainConfig(opts: { config?: string; set?: string[] }, flagSets: string[]): TrainConfig {
  const base = opts.config ? readConfigFile(opts.config) : {};
  const raw = applyOverrides(base, [...(opts.set ?? []), ...flagSets]);
  return parseConfig(TrainConfigSchema, raw, opts.config ? `${opts.config} + flags` : 'flags');
}

/** A progress bar on a terminal; plain log lines otherwise (CI, pipes). */
export function progressBar(label: string, total: number, format: string) {
  if (!process.stderr.isTTY) {
    let last = -1;
    return {
      update(value: number, payload: Record<string, unknown>) {
        const pct = Math.floor((100 * value) / Math.max(1, total));
        if (pct >= last + 10 || value === total) {
          last = pct;
          const extra = Object.entries(payload)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ');
          process.stderr.write(`${label}: ${value}/${total} ${extra}\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} ${format} | ETA {eta_formatted}`,
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, {});
  return {
    update(value: number, payload: Record<string, unknown>) {
      bar.update(value, payload);
    },
    stop() {
      bar.stop();
    },
  };
}

export function formatFlops(f: number): string {
  if (f >= 1e15) return `${(f / 1e15).toFixed(2)} PFLOP`;
  if (f >= 1e12) return `${(f / 1e12).toFixed(2)} TFLOP`;
  if (f >= 1e9) return `${(f / 1e9).toFixed(1)} GFLOP`;
  return `${(f / 1e6).toFixed(1)} MFLOP`;
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)}%`;
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

/**
 * Progress for a run on the terminal: one bar at a time (warm start, profile, training), replaced
 * when the phase changes. `totalSteps` sizes the training bar.
 */
export function terminalCallbacks(totalSteps: number): RunCallbacks & { stop(): void } {
  let bar: ReturnType<typeof progressBar> | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    stop,
    onPhase: (m) => {
      stop();
      process.stderr.write(`${m}\n`);
    },
    onPretrain: (p) => {
      bar ??= progressBar('pretrain', p.steps, 'loss {loss}');
      bar.update(p.step, { loss: p.loss.toFixed(3) });
    },
    onProfile: (p) => {
      bar ??= progressBar('profile', p.total, 'prompts');
      bar.update(p.done, {});
    },
    onStep: (row) => {
      bar ??= progressBar('train', totalSteps, 'acc {acc} reward {reward} {flops}');
      bar.update(row.step, {
        acc: row.eval ? pct(row.eval.sampledAccuracy ?? row.eval.greedyAccuracy) : '…',
        reward: row.reward.toFixed(2),
        flops: formatFlops(row.chargedFlops),
      });
    },
  };
}
