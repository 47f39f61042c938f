import { Command, Option } from 'commander';
import { resolveMixture } from '../../data/mixture-file.js';
import { loadProblems, saveProblems, formatOf } from '../../data/io.js';
import { formatSummary, summarize } from '../../data/summary.js';
import { generateMixture, MIXTURES } from '../../tasks/mixture.js';
import { DEFAULT_EVAL_FRACTION } from '../../tasks/split.js';
import { guarded } from '../common.js';
import { floatOption, intOption } from '../options.js';

/** `flopwise data generate|summary`. */
export function register(program: Command): void {
  const data = program.command('data').description('generate and inspect task datasets (JSONL / Parquet)');

  data
    .command('generate')
    .description(
      'generate a deterministic dataset of procedural problems from a mixture of task families and write it ' +
        'as verl-style rows (prompt, answer, data_source, reward_model, extra_info)',
    )
    .option(
      '--mixture <name|file>',
      `a named mixture (${Object.keys(MIXTURES).join(', ')}) or a .json/.yaml file {name?, components: [{family, weight, config? | levels?: [lo, hi]}]}`,
      'default',
    )
    .option('--n <count>', 'number of distinct problems to generate', intOption('--n', { min: 1 }), 2000)
    .option('--seed <int>', 'seed: same seed and mixture, same problems', intOption('--seed', { min: 0 }), 1)
    .addOption(
      new Option('--split <split>', 'keep only prompts of this split (split by a hash of the prompt text)')
        .choices(['train', 'eval', 'all'])
        .default('train'),
    )
    .option(
      '--eval-fraction <f>',
      'fraction of the prompt space held out for eval',
      floatOption('--eval-fraction', { min: 0, max: 1 }),
      DEFAULT_EVAL_FRACTION,
    )
    .requiredOption('--out <file>', 'output file; the format comes from the extension: .jsonl or .parquet')
    .action(
      (opts: {
        mixture: string;
        n: number;
        seed: number;
        split: 'train' | 'eval' | 'all';
        evalFraction: number;
        out: string;
      }) =>
        guarded(async () => {
          formatOf(opts.out);
          const mixture = resolveMixture(opts.mixture);
          const { problems, stats } = generateMixture(mixture, {
            n: opts.n,
            seed: opts.seed,
            split: opts.split,
            evalFraction: opts.evalFraction,
          });
          saveProblems(opts.out, problems);
          console.log(
            `wrote ${problems.length} problems (mixture ${mixture.name}, split ${opts.split}, seed ${opts.seed}) to ${opts.out}` +
              ` [${stats.attempts} draws, ${stats.duplicates} duplicates, ${stats.otherSplit} in the other split]`,
          );
          if (stats.shortfall > 0) {
            console.warn(
              `warning: ${stats.shortfall} fewer than requested: the mixture's prompt space ran out`,
            );
          }
        }),
    );

  data
    .command('summary')
    .description(
      'summarise a dataset file: rows, families, difficulty histogram per family, prompt/answer lengths',
    )
    .argument('<file>', 'a .jsonl or .parquet dataset')
    .option('--skip-bad-rows', 'skip bad rows (and count them) instead of stopping at the first', false)
    .option('--json', 'print the summary as JSON', false)
    .action((file: string, opts: { skipBadRows: boolean; json: boolean }) =>
      guarded(async () => {
        const res = await loadProblems(file, { onBadRow: opts.skipBadRows ? 'skip' : 'error' });
        const s = summarize(res.problems);
        if (opts.json) console.log(JSON.stringify({ ...s, skipped: res.skippedByReason }, null, 2));
        else {
          console.log(formatSummary(s));
          if (res.skipped.length > 0) console.log(`skipped bad rows: ${JSON.stringify(res.skippedByReason)}`);
        }
      }),
    );
}
