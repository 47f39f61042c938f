import type { Command } from 'commander';
import { sgpoPlan, type SgpoPlan } from '../../algo/index.js';
import { readProfileEntries } from '../../run/profile.js';
import { guarded, intArg, pct } from '../common.js';
import { floatOption } from '../options.js';

export function printPlan(plan: SgpoPlan): void {
  const c = plan.counts;
  const lines = [
    `sGPO plan (τ=${plan.options.tau}, α=${plan.options.alpha}, G ∈ [${plan.options.gMin}, ${plan.options.gMax}], ${plan.options.groupSize})`,
    `  prompts: ${c.total} — trivial ${c.trivial} (${pct(c.trivial / c.total)}, dropped), unsolved ${c.unsolved} (${pct(c.unsolved / c.total)}, ${c.unsolvedKept} kept), learnable ${c.learnable} (${pct(c.learnable / c.total)})`,
    ...plan.phases.map(
      (ph) =>
        `  phase ${ph.index + 1}: G=${ph.G}, ${ph.promptIds.length} prompts (${ph.learnable} learnable + ${ph.unsolved} unsolved), ${ph.rollouts} rollouts per pass`,
    ),
    `  rollouts per epoch: ${plan.rolloutsPerEpoch} vs ${plan.baselineRolloutsPerEpoch} for uniform G=${plan.options.uniformN} (${(plan.ratio * 100).toFixed(0)}%), plus ${plan.profileRollouts} profiling rollouts once`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  program
    .command('plan')
    .description(
      'show the sGPO plan a profile yields (classes, phases, rollouts per epoch against uniform) without training',
    )
    .argument('<profile>', 'profile.jsonl written by `flopwise profile` (rows with id, k, successes)')
    .option('--tau <p>', 'trivial threshold: p̂ > τ is dropped', floatOption('--tau', { min: 0, max: 1 }), 0.75)
    .option('--alpha <f>', 'fraction of unsolved prompts kept', floatOption('--alpha', { min: 0, max: 1 }), 0.1)
    .option('--g-min <n>', 'smallest group size', intArg('--g-min', 1), 2)
    .option('--g-max <n>', 'largest group size', intArg('--g-max', 1), 8)
    .option('--exact', 'G = round(1/p̂) instead of power-of-two buckets')
    .option(
      '--uniform-n <n>',
      'group size of the uniform baseline compared against',
      intArg('--uniform-n', 1),
      8,
    )
    .option('--seed <n>', 'seed of the unsolved subsample', intArg('--seed', 0), 1)
    .option('--json', 'print the plan as JSON')
    .action((file: string, opts) =>
      guarded(async () => {
        const plan = sgpoPlan(readProfileEntries(file), {
          tau: opts.tau,
          alpha: opts.alpha,
          gMin: opts.gMin,
          gMax: opts.gMax,
          groupSize: opts.exact ? 'exact' : 'pow2',
          uniformN: opts.uniformN,
          seed: opts.seed,
        });
        if (opts.json) process.stdout.write(JSON.stringify({ ...plan, prompts: undefined }, null, 2) + '\n');
        else printPlan(plan);
      }),
    );
}
