import type { Command } from 'commander';
import { join } from 'node:path';
import { Ledger } from '../../run/ledger.js';
import {
  PROFILE_CHUNK_SIZE,
  PROFILE_FILES,
  profileWithConfig,
  writeProfileWithPlan,
  type ProfileOutcome,
} from '../../run/profile.js';
import { RunDir } from '../../run/rundir.js';
import { scorerFor } from '../../run/setup.js';
import { closeSharedVerifierPool } from '../../verify/index.js';
import { buildTrainConfig, formatFlops, guarded, progressBar, withConfigOptions } from '../common.js';
import { floatOption, intOption } from '../options.js';
import {
  commandProblems,
  datasetSets,
  openPolicy,
  policyIdentity,
  withDatasetOptions,
  withPolicyOptions,
  type PolicyFlags,
} from '../policy-options.js';
import { printPlan } from './plan.js';
import { formatScoreCounts } from '../../run/scoring.js';

/** The end-of-run lines: rows, compute ("not counted" for a remote server of unknown size), requests, failures. */
export function profileSummary(out: ProfileOutcome, file: string): string {
  const { meta, rows, failed } = out;
  const compute = meta.flopsCounted
    ? formatFlops(meta.flops)
    : 'not counted (remote server; pass --params N to estimate 2·N·tokens)';
  const r = meta.requests;
  const lines = [
    `profile: ${rows.length} prompts × ${meta.k} samples → ${file} (+ .parquet)`,
    `compute: ${compute}, ${meta.tokens} tokens, ${(meta.wallMs / 1000).toFixed(1)} s`,
    `requests: ${r.retries} retries, ${r.timeouts} timeouts, ${r.failures} prompts given up`,
    ...(meta.scoring ? [formatScoreCounts(meta.scoring)] : []),
  ];
  if (failed.length > 0) {
    lines.push(`FAILED: ${failed.length} prompts have no score (rerun the same command to retry them):`);
    for (const f of failed.slice(0, 10)) lines.push(`  ${f.error}`);
    if (failed.length > 10)
      lines.push(`  … and ${failed.length - 10} more (rows marked "failed" in ${file})`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  const cmd = program
    .command('profile')
    .description(
      "sGPO's offline pass: k samples of every training prompt under the initial policy, scored by the verifier; " +
        'streams to the output directory and resumes where it stopped (refusing other settings unless --fresh)',
    );
  withDatasetOptions(withPolicyOptions(withConfigOptions(cmd)))
    .option(
      '-o, --out <dir>',
      'output directory (profile.jsonl, profile.parquet, profile.meta.json)',
      join('runs', 'profile'),
    )
    .option('-k, --samples <k>', 'samples per prompt (default: the config, 8)', intOption('-k', { min: 1 }))
    .option(
      '--temperature <t>',
      'sampling temperature (default: the config, 1)',
      floatOption('--temperature', { min: 0 }),
    )
    .option(
      '--chunk <n>',
      `prompts per sampling call and per resumable chunk (default ${PROFILE_CHUNK_SIZE})`,
      intOption('--chunk', { min: 1 }),
    )
    .option('--fresh', 'discard what an earlier run left in the output directory and start over')
    .addHelpText(
      'after',
      '\nExamples:\n  flopwise profile -o runs/p1                      # the embedded base policy, default mixture\n' +
        '  flopwise profile --server http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-1.5B-Instruct \\\n' +
        '      --data math.parquet --max-new-tokens 1024 -o runs/qwen-profile\n' +
        '  flopwise profile --servers fleet.txt --model Qwen/Qwen2.5-1.5B-Instruct --params 1.5e9 \\\n' +
        '      --data math.parquet -o runs/qwen-profile   # one URL per line; least-loaded dispatch',
    )
    .action((opts) =>
      guarded(async () => {
        const config = buildTrainConfig(opts, datasetSets(opts));
        const problems = await commandProblems(opts, config, 'train');
        const model = await policyIdentity(opts as PolicyFlags, config);
        const policy = await openPolicy(opts as PolicyFlags, config, (m) => process.stderr.write(`${m}\n`));
        const dir = new RunDir(opts.out).root;
        const bar = progressBar('profile', problems.length, 'prompts, {rate}/s, {failed} failed');
        const started = performance.now();
        let resumedAt: number | undefined; // prompts already done by an earlier, interrupted pass
        try {
          const out = await profileWithConfig({
            policy,
            problems,
            score: scorerFor(config.data),
            dir,
            ledger: new Ledger(),
            config,
            overrides: { k: opts.samples, temperature: opts.temperature, chunkSize: opts.chunk },
            model,
            fresh: opts.fresh === true,
            onProgress: (p) => {
              resumedAt ??= p.done;
              const seconds = Math.max(1e-3, (performance.now() - started) / 1000);
              bar.update(p.done, {
                rate: ((p.done - resumedAt) / seconds).toFixed(1),
                failed: p.failed ?? 0,
              });
            },
          });
          bar.stop();
          const plan = writeProfileWithPlan(dir, out.rows, { seed: config.seed }, out.failed);
          process.stdout.write(profileSummary(out, join(dir, PROFILE_FILES.jsonl)));
          printPlan(plan);
          if (out.failed.length > 0) process.exitCode = 2;
        } finally {
          bar.stop();
          await policy.close();
          await closeSharedVerifierPool();
        }
      }),
    );
}
