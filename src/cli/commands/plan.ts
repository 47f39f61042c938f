import type { Command } from 'commander';
import { sgpoPlan, type SgpoPlan } from '../../algo/index.js';
import { readProfileTable } from '../../run/profile.js';
import { guarded, pct } from '../common.js';
import { floatOption, intOption } from '../options.js';

export function printPlan(plan: SgpoPlan, failed = 0): void {
  const c = plan.counts;
  const lines = [
    `sGPO plan (τ=${plan.options.tau}, α=${plan.options.alpha}, G ∈ [${plan.options.gMin}, ${plan.options.gMax}], ${plan.options.groupSize})`,
    `  prompts: ${c.total} — trivial ${c.trivial} (${pct(c.trivial / c.total)}, dropped), unsolved ${c.unsolved} (${pct(c.unsolved / c.total)}, ${c.unsolvedKept} kept), learnable ${c.learnable} (${pct(c.learnable / c.total)})`,
    ...(failed > 0 ? [`  (${failed} failed prompts have no score and are left out)`] : []),
    ...plan.phases.map(
      (ph) =>
        `  phase ${ph.index + 1}: G=${ph.G}, ${ph.promptIds.length} prompts (${ph.learnable} learnable + ${ph.unsolved} unsolved), ${ph.rollouts} rollouts per pass`,
    ),
    `  rollouts per epoch: ${plan.rolloutsPerEpoch} vs ${plan.baselineRolloutsPerEpoch} for uniform G=${plan.options.uniformN} (${(plan.ratio * 100).toFixed(0)}%), plus ${plan.profileRollouts} profiling rollouts once`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** The plan's knobs, shared by `plan` and `export`. */
export function withPlanOptions(cmd: Command): Command {
  return cmd
    .option(
      '--tau <p>',
      'trivial threshold: p̂ > τ is dropped',
      floatOption('--tau', { min: 0, max: 1 }),
      0.75,
    )
    .option(
      '--alpha <f>',
      'fraction of unsolved prompts kept',
      floatOption('--alpha', { min: 0, max: 1 }),
      0.1,
    )
    .option('--g-min <n>', 'smallest group size', intOption('--g-min', { min: 1 }), 2)
    .option('--g-max <n>', 'largest group size', intOption('--g-max', { min: 1 }), 8)
    .option('--exact', 'G = round(1/p̂) instead of power-of-two buckets')
    .option(
      '--uniform-n <n>',
      'group size of the uniform baseline compared against',
      intOption('--uniform-n', { min: 1 }),
      8,
    )
    .option('--seed <n>', 'seed of the unsolved subsample', intOption('--seed', { min: 0 }), 1);
}

export interface PlanFlags {
  tau: number;
  alpha: number;
  gMin: number;
  gMax: number;
  exact?: boolean;
  uniformN: number;
  seed: number;
}

/** Reads a JSONL or Parquet profile and builds its plan (failed rows left out). */
export async function planFromFile(file: string, o: PlanFlags): Promise<{ plan: SgpoPlan; failed: number }> {
  const table = await readProfileTable(file);
  const plan = sgpoPlan(table.entries, {
    tau: o.tau,
    alpha: o.alpha,
    gMin: o.gMin,
    gMax: o.gMax,
    groupSize: o.exact ? 'exact' : 'pow2',
    uniformN: o.uniformN,
    seed: o.seed,
  });
  return { plan, failed: table.failed.length };
}

export function register(program: Command): void {
  const cmd = program
    .command('plan')
    .description(
      'show the sGPO plan a profile yields (classes, phases, rollouts per epoch against uniform) without training',
    )
    .argument(
      '<profile>',
      'profile.jsonl or profile.parquet written by `flopwise profile` (rows with id, k, successes)',
    );
  withPlanOptions(cmd)
    .option('--json', 'print the plan as JSON')
    .action((file: string, opts) =>
      guarded(async () => {
        const { plan, failed } = await planFromFile(file, opts as PlanFlags);
        if (opts.json) {
          const phases = plan.phases.map((ph) => ({ ...ph, phase: ph.index + 1 }));
          process.stdout.write(
            JSON.stringify({ ...plan, phases, prompts: undefined, failed }, null, 2) + '\n',
          );
        } else printPlan(plan, failed);
      }),
    );
}
