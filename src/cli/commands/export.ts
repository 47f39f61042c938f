import { Option, type Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { exportVerl, verlCommands } from '../../serve/verl-export.js';
import { buildTrainConfig, guarded, withConfigOptions } from '../common.js';
import { commandProblems, datasetSets, withDatasetOptions } from '../policy-options.js';
import { planFromFile, printPlan, withPlanOptions, type PlanFlags } from './plan.js';

/** `flopwise export --format verl PROFILE`: the sGPO plan as one verl Parquet file per phase. */
export function register(program: Command): void {
  const cmd = program
    .command('export')
    .description(
      'write the sGPO plan of a profile as training data for a large-scale trainer: for verl, one Parquet ' +
        'file per curriculum phase (each with one G = actor_rollout_ref.rollout.n), named phase-<i>-G<G>.parquet',
    )
    .argument('<profile>', 'profile.jsonl or profile.parquet written by `flopwise profile`')
    .addOption(new Option('--format <format>', 'trainer format').choices(['verl']).default('verl'))
    .requiredOption('-o, --out <dir>', 'output directory')
    .option('--ability <name>', "verl's `ability` column", 'math')
    .option('--base-model <path>', 'the model phase 1 starts from, for the printed commands', '<base model>');
  withPlanOptions(withDatasetOptions(withConfigOptions(cmd)))
    .addHelpText(
      'after',
      '\nThe prompts and answers come from the same dataset the profile was made on (--data, or the config).\n' +
        'Example:\n  flopwise export --format verl runs/qwen-profile/profile.parquet --data math.parquet -o verl-data',
    )
    .action((file: string, opts) =>
      guarded(async () => {
        const config = buildTrainConfig(opts, datasetSets(opts));
        const problems = await commandProblems(opts, config, 'train');
        const { plan, failed } = await planFromFile(file, opts as PlanFlags);
        const dir = resolve(opts.out);
        mkdirSync(dir, { recursive: true });
        const files = exportVerl(dir, plan, problems, { ability: opts.ability, profile: resolve(file) });
        printPlan(plan, failed);
        process.stdout.write(`wrote ${files.map((f) => f.file).join(', ')} and verl-plan.json to ${dir}\n\n`);
        process.stdout.write(verlCommands(dir, files, opts.baseModel).join('\n\n') + '\n');
      }),
    );
}
