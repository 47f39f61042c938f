import type { Command } from 'commander';
import { writeReport } from '../../report/index.js';
import { guarded } from '../common.js';

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write one self-contained HTML report (opens offline) for a run directory or a benchmark directory: ' +
        'accuracy vs FLOPs, steps and wall time, compute ledger, sGPO/VIP views, per-level accuracy, samples',
    )
    .argument('<dir>', 'a run directory (from train) or a benchmark directory (from bench)')
    .option('-o, --out <file>', 'output file (default: <dir>/report.html)')
    .addHelpText(
      'after',
      '\nExamples:\n  flopwise report runs/train\n  flopwise report runs/bench -o bench.html',
    )
    .action((dir: string, opts: { out?: string }) =>
      guarded(async () => {
        const { path, bytes } = writeReport(dir, opts.out);
        process.stdout.write(`report: ${path} (${(bytes / 1024).toFixed(0)} KiB)\n`);
      }),
    );
}
