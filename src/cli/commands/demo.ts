import type { Command } from 'commander';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { runTraining } from '../../run/run.js';
import { buildTrainConfig, formatFlops, guarded, pct, terminalCallbacks } from '../common.js';
import { intOption } from '../options.js';
import { embeddedPolicies } from '../policies.js';
import { printSummary } from './train.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'the whole loop on this CPU in a few minutes: build (or reuse) the base policy, run a short uniform-GRPO training, ' +
        'print held-out accuracy before and after and the compute spent',
    )
    .option('-o, --run-dir <dir>', 'run directory (replaced)', join('runs', 'demo'))
    .option('--steps <n>', 'training steps', intOption('--steps', { min: 1 }), 1000)
    .action((opts) =>
      guarded(async () => {
        rmSync(opts.runDir, { recursive: true, force: true });
        const config = buildTrainConfig({}, [`steps=${opts.steps}`, 'allocator.type=uniform']);
        const progress = terminalCallbacks(config.steps, {
          flopBudget: config.flopBudget,
          resumeHint: 'The demo starts over when run again.',
        });
        const s = await runTraining({ config, runDir: opts.runDir, policies: embeddedPolicies }, progress);
        progress.stop();
        printSummary(s);
        const gain = s.finalAccuracy - s.initialAccuracy;
        process.stdout.write(
          `\nheld-out ${s.headline} accuracy ${pct(s.initialAccuracy)} → ${pct(s.finalAccuracy)} (${gain >= 0 ? '+' : ''}${(100 * gain).toFixed(1)} points) for ${formatFlops(s.chargedFlops)} of training-side compute\n` +
            `metrics: ${join(opts.runDir, 'metrics.jsonl')}; try \`flopwise bench --quick\` to compare allocation methods\n`,
        );
      }),
    );
}
