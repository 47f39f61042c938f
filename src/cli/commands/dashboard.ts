import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { startDashboard } from '../../serve/dashboard.js';
import { guarded } from '../common.js';
import { intOption } from '../options.js';

export function register(program: Command): void {
  program
    .command('dashboard')
    .description(
      'serve a live dashboard of the runs and benchmarks under a directory: status, and the report’s charts ' +
        'updating while runs write (read-only: never slows or blocks a run)',
    )
    .argument('[runs-dir]', 'directory holding run and benchmark directories', 'runs')
    .option(
      '-p, --port <n>',
      'port to listen on (0 = any free port)',
      intOption('--port', { min: 0, max: 65535 }),
      8737,
    )
    .option('--host <host>', 'interface to listen on (default: this machine only)', '127.0.0.1')
    .action((root: string, opts: { port: number; host: string }) =>
      guarded(async () => {
        const started = await startDashboard({ root, port: opts.port, host: opts.host }).catch(
          (err: unknown) => {
            if ((err as { code?: string }).code === 'EADDRINUSE')
              throw new Error(`port ${opts.port} is in use: choose another with --port (0 picks a free one)`);
            throw err;
          },
        );
        if (!existsSync(root))
          process.stdout.write(`${root} does not exist yet: runs appear as they start\n`);
        process.stdout.write(`dashboard of ${root}: ${started.url} (Ctrl-C to stop)\n`);
        await new Promise(() => {}); // serve until interrupted
      }),
    );
}
