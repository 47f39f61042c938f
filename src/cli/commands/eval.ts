import type { Command } from 'commander';
import { evaluate } from '../../run/evaluator.js';
import { Ledger } from '../../run/ledger.js';
import { loadDataset, loadDatasets, scorerFor } from '../../run/setup.js';
import { closeSharedVerifierPool } from '../../verify/index.js';
import { buildTrainConfig, formatFlops, guarded, intArg, pct, withConfigOptions } from '../common.js';
import { openPolicy, withPolicyOptions, type PolicyFlags } from '../policy-options.js';

export function register(program: Command): void {
  const cmd = program
    .command('eval')
    .description('held-out accuracy of a policy: greedy, sampled (temperature 1) and pass@k')
    .addHelpText(
      'after',
      '\nExamples:\n  flopwise eval --checkpoint runs/train/checkpoints/step-000040\n' +
        '  flopwise eval --server http://127.0.0.1:11434/v1 --model qwen2.5:1.5b --data test.jsonl --max-new-tokens 512',
    );
  withPolicyOptions(withConfigOptions(cmd))
    .option('--columns <map>', 'column mapping for --data, e.g. prompt=question,answer=solution')
    .option('--skip-bad-rows', 'skip (and count) bad rows of --data instead of stopping at the first')
    .option('--data <file>', 'dataset file (JSONL or Parquet) instead of the procedural eval split')
    .option(
      '--samples <n>',
      'samples per prompt for sampled accuracy and pass@k (0 = greedy only)',
      intArg('--samples', 0),
      4,
    )
    .option('--pass-k <k>', 'k of pass@k', intArg('--pass-k', 1), 4)
    .option('--max-new-tokens <n>', 'completion length limit', intArg('--max-new-tokens', 1))
    .option('--json', 'print the result as JSON')
    .action((opts) =>
      guarded(async () => {
        const flags = opts.maxNewTokens ? [`sampling.maxNewTokens=${opts.maxNewTokens}`] : [];
        if (opts.columns) {
          for (const pair of String(opts.columns).split(',')) flags.push(`data.columns.${pair.trim()}`);
        }
        if (opts.skipBadRows) flags.push('data.onBadRow=skip');
        const config = buildTrainConfig(opts, flags);
        const problems = opts.data
          ? await loadDataset(opts.data, config.data)
          : (await loadDatasets(config.data)).eval;
        const policy = await openPolicy(opts as PolicyFlags, config, (m) => process.stderr.write(`${m}\n`));
        try {
          const ledger = new Ledger();
          const r = await evaluate(policy, problems, scorerFor(config.data), ledger, {
            samples: opts.samples,
            passK: opts.passK,
            maxNewTokens: config.sampling.maxNewTokens,
            seed: config.seed,
          });
          if (opts.json)
            process.stdout.write(JSON.stringify({ ...r, flops: ledger.get('eval').flops }, null, 2) + '\n');
          else
            process.stdout.write(
              `${r.prompts} prompts: greedy ${pct(r.greedyAccuracy)}, sampled ${pct(r.sampledAccuracy)}, pass@${r.k} ${pct(r.passAtK)}` +
                (ledger.get('eval').flops > 0 ? ` (${formatFlops(ledger.get('eval').flops)})` : '') +
                '\n',
            );
        } finally {
          await policy.close();
          await closeSharedVerifierPool();
        }
      }),
    );
}
