import type { Command } from 'commander';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { BENCH_METHODS, BENCH_PRESETS, runBench } from '../../run/bench.js';
import { collect, guarded, terminalCallbacks } from '../common.js';
import { intListOption } from '../options.js';

export function machineDescription(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description(
      'compare allocation methods at matched compute: each method × seeds from the same base policy and FLOP budget; ' +
        'writes results.json and results.md (final accuracy, compute to target, saving vs uniform GRPO)',
    )
    .option('--quick', 'the quick preset (≈ 15 minutes on 2 cores) instead of the full one')
    .option('-o, --out <dir>', 'output directory (finished runs in it are reused)', join('runs', 'bench'))
    .option('--methods <list>', `comma-separated subset of: ${BENCH_METHODS.map((m) => m.name).join(', ')}`)
    .option('--seeds <list>', 'comma-separated seeds (default 1,2,3)', intListOption('--seeds', { min: 0 }))
    .option('--set <key.path=value>', 'override a config field for every run (repeatable)', collect, [])
    .action((opts) =>
      guarded(async () => {
        const preset = { ...BENCH_PRESETS[opts.quick ? 'quick' : 'full'] };
        if (opts.seeds) preset.seeds = opts.seeds;
        const methods = opts.methods ? String(opts.methods).split(',') : undefined;
        for (const m of methods ?? []) {
          if (!BENCH_METHODS.some((b) => b.name === m)) throw new Error(`bench: unknown method '${m}'`);
        }
        const progress = terminalCallbacks(0);
        const result = await runBench({
          preset,
          outDir: opts.out,
          methods,
          extraSets: opts.set,
          machine: machineDescription(),
          callbacks: {
            onPhase: progress.onPhase,
            onPretrain: progress.onPretrain,
            onRun: (method, seed, i, total) => progress.onPhase!(`[${i}/${total}] ${method}, seed ${seed}`),
          },
        });
        progress.stop();
        process.stdout.write(`\n${result.markdown}\n`);
        if (result.profile) {
          process.stdout.write(
            `profile of the base policy: ${result.profile.prompts} prompts by successes out of ${result.profile.k}: ${result.profile.histogram.join(' ')}\n`,
          );
        }
        const best = result.table.find((r) => r.method === result.best);
        const verdict =
          best && best.savingVsBaseline !== null && best.savingVsBaseline > 1
            ? `${best.method} saves compute: ${best.savingVsBaseline.toFixed(2)}× less than the baseline to reach its accuracy`
            : 'no method reached the baseline’s final accuracy with less compute than the baseline';
        process.stdout.write(
          `${verdict}\nwritten: ${join(opts.out, 'results.json')}, ${join(opts.out, 'results.md')}\n`,
        );
      }),
    );
}
