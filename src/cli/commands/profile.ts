import type { Command } from 'commander';
import { join } from 'node:path';
import { Ledger } from '../../run/ledger.js';
import { PROFILE_FILES, runProfile, writeProfileWithPlan } from '../../run/profile.js';
import { RunDir } from '../../run/rundir.js';
import { scorerFor } from '../../run/setup.js';
import { closeSharedVerifierPool } from '../../verify/index.js';
import { buildTrainConfig, formatFlops, guarded, intArg, progressBar, withConfigOptions } from '../common.js';
import { floatOption } from '../options.js';
import {
  commandProblems,
  datasetSets,
  openPolicy,
  withDatasetOptions,
  withPolicyOptions,
  type PolicyFlags,
} from '../policy-options.js';
import { printPlan } from './plan.js';

export function register(program: Command): void {
  const cmd = program
    .command('profile')
    .description(
      "sGPO's offline pass: k samples of every training prompt under the initial policy, scored by the verifier; " +
        'streams to the output directory and resumes where it stopped',
    );
  withDatasetOptions(withPolicyOptions(withConfigOptions(cmd)))
    .option(
      '-o, --out <dir>',
      'output directory (profile.jsonl, profile.parquet, profile.meta.json)',
      join('runs', 'profile'),
    )
    .option('-k, --samples <k>', 'samples per prompt', intArg('-k', 1), 8)
    .option('--temperature <t>', 'sampling temperature', floatOption('--temperature', { min: 0 }), 1)
    .option('--chunk <n>', 'prompts per sampling call and per resumable chunk', intArg('--chunk', 1), 64)
    .addHelpText(
      'after',
      '\nExamples:\n  flopwise profile -o runs/p1                      # the embedded base policy, default mixture\n' +
        '  flopwise profile --server http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-1.5B-Instruct \\\n' +
        '      --data math.parquet --max-new-tokens 1024 -o runs/qwen-profile',
    )
    .action((opts) =>
      guarded(async () => {
        const config = buildTrainConfig(opts, datasetSets(opts));
        const problems = await commandProblems(opts, config, 'train');
        const policy = await openPolicy(opts as PolicyFlags, config, (m) => process.stderr.write(`${m}\n`));
        const dir = new RunDir(opts.out).root;
        const bar = progressBar('profile', problems.length, 'prompts, {rate}/s');
        const started = performance.now();
        let resumedAt: number | undefined; // prompts already done by an earlier, interrupted pass
        try {
          const ledger = new Ledger();
          const { rows, meta } = await runProfile({
            policy,
            problems,
            score: scorerFor(config.data),
            dir,
            ledger,
            options: {
              k: opts.samples,
              temperature: opts.temperature,
              maxNewTokens: config.sampling.maxNewTokens,
              seed: config.seed,
              chunkSize: opts.chunk,
            },
            onProgress: (p) => {
              resumedAt ??= p.done;
              const seconds = Math.max(1e-3, (performance.now() - started) / 1000);
              bar.update(p.done, { rate: ((p.done - resumedAt) / seconds).toFixed(1) });
            },
          });
          bar.stop();
          const plan = writeProfileWithPlan(dir, rows, { seed: config.seed });
          process.stdout.write(
            `profile: ${rows.length} prompts × ${opts.samples} samples → ${join(dir, PROFILE_FILES.jsonl)} (+ .parquet)\n` +
              `compute: ${meta.flops > 0 ? formatFlops(meta.flops) : 'not counted (remote server)'}, ${meta.tokens} tokens, ${(meta.wallMs / 1000).toFixed(1)} s\n`,
          );
          printPlan(plan);
        } finally {
          bar.stop();
          await policy.close();
          await closeSharedVerifierPool();
        }
      }),
    );
}
