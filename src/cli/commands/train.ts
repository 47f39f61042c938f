import { Option, type Command } from 'commander';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runTraining, type RunSummary } from '../../run/run.js';
import { readJson } from '../../run/rundir.js';
import {
  buildTrainConfig,
  formatFlops,
  guarded,
  pct,
  terminalCallbacks,
  withConfigOptions,
} from '../common.js';
import { intOption } from '../options.js';
import { evalChangeLine } from '../progress.js';
import { embeddedPolicies } from '../policies.js';

/** A new run never lands on top of another one by accident: that takes --overwrite (or --resume). */
function clearRunDir(dir: string, overwrite: boolean): void {
  const held = ['config.json', 'metrics.jsonl'].some((f) => existsSync(join(dir, f)));
  if (!held) return;
  if (!overwrite) {
    throw new Error(
      `${dir} already holds a run: continue it with --resume, replace it with --overwrite, or pick another --run-dir`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

export function printSummary(s: RunSummary): void {
  // a run tuned on the validation split must not print its numbers as held-out ones
  const split = s.evalSplit === 'validation' ? 'validation' : 'held-out';
  const lines = [
    `run: ${s.runDir} (${s.allocator}, ${s.estimator}${s.weighting !== 'none' ? ` + ${s.weighting}` : ''}, seed ${s.seed})`,
    `${split} ${s.headline} accuracy: ${pct(s.initialAccuracy)} → ${pct(s.finalAccuracy)} after ${s.steps} steps (${s.stoppedBy})`,
    `${split} before → after: ${evalChangeLine(s.initialEval, s.finalEval)}`,
    `training-side compute: ${formatFlops(s.chargedFlops)} (profile ${formatFlops(s.ledger.profile.flops)}, rollout ${formatFlops(s.ledger.rollout.flops)}, train ${formatFlops(s.ledger.train.flops)}, log-prob ${formatFlops(s.ledger.logprob.flops)}); eval ${formatFlops(s.ledger.eval.flops)} not charged`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description(
      'RL-train the embedded policy on verifiable tasks; writes config, metrics.jsonl, checkpoints and summary.json to the run directory',
    );
  withConfigOptions(cmd)
    .option('-o, --run-dir <dir>', 'run directory', join('runs', 'train'))
    .option(
      '--resume',
      'continue the run in --run-dir from its latest checkpoint with its saved config; only --steps (and flopBudget) may change',
    )
    .option('--print-config', 'print the resolved config as JSON and exit without running')
    .option('--overwrite', 'replace a run already in --run-dir (by default train refuses to touch it)')
    .addOption(
      new Option('--allocator <type>', 'allocation strategy').choices(['uniform', 'dynamic', 'sgpo', 'vip']),
    )
    .addOption(new Option('--estimator <type>', 'advantage estimator').choices(['grpo', 'drgrpo', 'rloo']))
    .addOption(
      new Option('--weighting <type>', 'asymmetric prompt weights').choices([
        'none',
        'linear-r',
        'sqrt-r',
        'uniform-r',
      ]),
    )
    .option('--steps <n>', 'training steps', intOption('--steps', { min: 1 }))
    .option('--seed <n>', 'run seed (same seed and config → same numbers)', intOption('--seed', { min: 0 }))
    .option('--base <dir>', 'base policy checkpoint (default: the cached supervised warm start)')
    .option(
      '--profile <file>',
      'sGPO profile (profile.jsonl from `flopwise profile`) instead of profiling now',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  flopwise train --allocator sgpo --steps 60\n  flopwise train --allocator vip --set allocator.rolloutsPerStep=128\n  flopwise train --resume -o runs/train',
    )
    .action((opts) =>
      guarded(async () => {
        const flags: string[] = [];
        if (opts.allocator) flags.push(`allocator.type=${opts.allocator}`);
        if (opts.estimator) flags.push(`estimator.type=${opts.estimator}`);
        if (opts.weighting) flags.push(`weighting.type=${opts.weighting}`);
        if (opts.steps !== undefined) flags.push(`steps=${opts.steps}`);
        if (opts.seed !== undefined) flags.push(`seed=${opts.seed}`);
        if (opts.base) flags.push(`base=${JSON.stringify(opts.base)}`);
        if (opts.profile) flags.push(`allocator.profile=${JSON.stringify(opts.profile)}`);
        const savedPath = join(opts.runDir, 'config.json');
        const saved =
          opts.resume && existsSync(savedPath) ? readJson<Record<string, unknown>>(savedPath) : undefined;
        const config = buildTrainConfig(opts, flags, saved);
        if (opts.printConfig) return void process.stdout.write(JSON.stringify(config, null, 2) + '\n');
        if (!opts.resume) clearRunDir(opts.runDir, opts.overwrite === true);
        const progress = terminalCallbacks(config.steps, {
          flopBudget: config.flopBudget,
          resumeHint: `Continue from the last checkpoint with: flopwise train --resume -o ${opts.runDir}`,
        });
        const summary = await runTraining(
          { config, runDir: opts.runDir, resume: opts.resume, policies: embeddedPolicies },
          progress,
        );
        progress.stop();
        printSummary(summary);
      }),
    );
}
