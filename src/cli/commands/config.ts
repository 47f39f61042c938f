import type { Command } from 'commander';
import { stringify } from 'yaml';
import { defaultConfigYaml, fieldListing } from '../../run/config-docs.js';
import { buildTrainConfig, guarded, withConfigOptions } from '../common.js';

export function register(program: Command): void {
  const cmd = program
    .command('config')
    .description(
      'the run config: the documented defaults (--defaults), every field with its description (--fields), ' +
        'or the config that a file and --set overrides resolve to (checked, as train would)',
    );
  withConfigOptions(cmd)
    .option('--defaults', 'print the default config as YAML, each field with its description')
    .option('--fields', 'list every field (all allocator and weighting variants) with its description')
    .addHelpText(
      'after',
      '\nExamples:\n  flopwise config --defaults > my-run.yaml\n  flopwise config -c my-run.yaml --set allocator.type=vip',
    )
    .action((opts) =>
      guarded(async () => {
        if (opts.defaults) return void process.stdout.write(defaultConfigYaml());
        if (opts.fields) return void process.stdout.write(fieldListing());
        process.stdout.write(stringify(buildTrainConfig(opts, [])));
      }),
    );
}
