import type { Command } from 'commander';
import { evaluate, type EvalFailure } from '../../run/evaluator.js';
import { Ledger } from '../../run/ledger.js';
import { scorerFor } from '../../run/setup.js';
import { formatScoreCounts } from '../../run/scoring.js';
import { closeSharedVerifierPool } from '../../verify/index.js';
import { buildTrainConfig, formatFlops, guarded, pct, withConfigOptions } from '../common.js';
import { intOption } from '../options.js';
import {
  commandProblems,
  datasetSets,
  openPolicy,
  withDatasetOptions,
  withPolicyOptions,
  type PolicyFlags,
} from '../policy-options.js';

/** Prompts the servers gave up on, said out loud: the figures above are over the rest. */
export function givenUpLines(givenUp: readonly EvalFailure[] | undefined, total: number): string {
  if (!givenUp || givenUp.length === 0) return '';
  const shown = givenUp
    .slice(0, 5)
    .map((f) => `  ${f.id}${f.server ? ` (${f.server})` : ''}: ${f.error}\n`)
    .join('');
  const more = givenUp.length > 5 ? `  … and ${givenUp.length - 5} more\n` : '';
  return (
    `GIVEN UP: ${givenUp.length} of ${total} prompts failed on every attempt (--max-attempts) and are left ` +
    `out of every figure above, not scored as wrong; check the servers and run again:\n${shown}${more}`
  );
}

export function register(program: Command): void {
  const cmd = program
    .command('eval')
    .description('held-out accuracy of a policy: greedy, sampled (temperature 1) and pass@k')
    .addHelpText(
      'after',
      '\nExamples:\n  flopwise eval --checkpoint runs/train/checkpoints/step-000040\n' +
        '  flopwise eval --server http://127.0.0.1:11434/v1 --model qwen2.5:1.5b --data test.jsonl --max-new-tokens 512',
    );
  withDatasetOptions(withPolicyOptions(withConfigOptions(cmd)))
    .option(
      '--samples <n>',
      'samples per prompt for sampled accuracy and pass@k (0 = greedy only)',
      intOption('--samples', { min: 0 }),
      4,
    )
    .option('--pass-k <k>', 'k of pass@k', intOption('--pass-k', { min: 1 }), 4)
    .option('--json', 'print the result as JSON')
    .option(
      '--by-level',
      "also print the sampled accuracy per task family and difficulty level (from the evaluation's own samples; needs --samples ≥ 1)",
    )
    .action((opts) =>
      guarded(async () => {
        if (opts.byLevel && opts.samples === 0)
          throw new Error('eval: --by-level reports sampled accuracy per level; it needs --samples ≥ 1');
        const config = buildTrainConfig(opts, datasetSets(opts));
        const problems = await commandProblems(opts, config, 'eval');
        const policy = await openPolicy(opts as PolicyFlags, config, (m) => process.stderr.write(`${m}\n`));
        try {
          const ledger = new Ledger();
          const r = await evaluate(policy, problems, scorerFor(config.data), ledger, {
            samples: opts.samples,
            passK: opts.passK,
            maxNewTokens: config.sampling.maxNewTokens,
            seed: config.seed,
            // a server fleet may give up on a prompt after --max-attempts: leave it out, never score it wrong
            allowFailures: policy.kind !== 'embedded',
          });
          if (opts.json)
            process.stdout.write(JSON.stringify({ ...r, flops: ledger.get('eval').flops }, null, 2) + '\n');
          else
            process.stdout.write(
              `${r.prompts} prompts: greedy ${pct(r.greedyAccuracy)}, sampled ${pct(r.sampledAccuracy)}, pass@${r.k} ${pct(r.passAtK)}` +
                (ledger.get('eval').flops > 0 ? ` (${formatFlops(ledger.get('eval').flops)})` : '') +
                '\n' +
                (r.scoring ? formatScoreCounts(r.scoring) + '\n' : '') +
                givenUpLines(r.givenUp, problems.length),
            );
          // as profile does: a result over fewer prompts than asked for is not a clean success
          if (r.givenUp) process.exitCode = 2;
          if (opts.byLevel && !opts.json) {
            // the evaluation's own samples, so a prompt given up on is left out here too
            const lines = Object.entries(r.byLevel ?? {}).map(
              ([k, v]) => `  ${k.padEnd(12)} ${String(v.prompts).padStart(5)} prompts  ${pct(v.accuracy)}`,
            );
            process.stdout.write(
              `sampled accuracy by level (${opts.samples} samples each):\n${lines.join('\n')}\n`,
            );
          }
        } finally {
          await policy.close();
          await closeSharedVerifierPool();
        }
      }),
    );
}
