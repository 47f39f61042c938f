import { Option, type Command } from 'commander';
import { startAllocatorServer } from '../../serve/allocator-server.js';
import { guarded } from '../common.js';
import { floatOption, intOption } from '../options.js';
import { closeOnSignal } from './serve.js';

/** `flopwise allocator serve`: VIP's per-step allocation as an HTTP service. */
export function register(program: Command): void {
  const allocator = program
    .command('allocator')
    .description("VIP's per-step rollout allocation for other trainers");
  allocator
    .command('serve')
    .description(
      'serve VIP over HTTP: POST /allocate (prompt ids with features or text, a rollout budget → rollouts per ' +
        "prompt), POST /observe (a step's outcomes); the state file is saved after every change, so a restart continues",
    )
    .requiredOption(
      '--state <file>',
      'state file (JSON): loaded when it exists, rewritten after every change',
    )
    .option('--port <n>', 'port (0 = any free port)', intOption('--port', { min: 0, max: 65535 }), 8100)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option('--objective <name>', 'variance objective').choices(['rloo', 'drgrpo']).default('rloo'),
    )
    .option('--lower <n>', 'fewest rollouts per prompt', intOption('--lower', { min: 2 }), 2)
    .option('--upper <n>', 'most rollouts per prompt', intOption('--upper', { min: 2 }), 32)
    .option(
      '--floor <n>',
      'rollouts every prompt gets whatever its prediction',
      intOption('--floor', { min: 1 }),
      2,
    )
    .option('--gamma <g>', 'weight of the γ·log(p)·n term (0 = off)', floatOption('--gamma', { min: 0 }), 0)
    .option('--noise <s2>', 'GP observation noise σ²', floatOption('--noise', { min: 1e-9 }), 0.5)
    .option('--prior-mean <g>', 'prior mean of the latent logit (0 = p 0.5)', floatOption('--prior-mean'), 0)
    .option(
      '--bandwidth <h>',
      'RBF bandwidth (default: median pairwise distance)',
      floatOption('--bandwidth', { min: 1e-9 }),
    )
    .addHelpText(
      'after',
      '\nExample:\n  flopwise allocator serve --state vip-state.json --port 8100\n' +
        '  python3 examples/vip_client.py http://127.0.0.1:8100',
    )
    .action((opts) =>
      guarded(async () => {
        if (opts.lower > opts.upper)
          throw new Error(`--lower (${opts.lower}) must be ≤ --upper (${opts.upper})`);
        const server = await startAllocatorServer({
          statePath: opts.state,
          port: opts.port,
          host: opts.host,
          options: {
            objective: opts.objective,
            lower: opts.lower,
            upper: opts.upper,
            floor: opts.floor,
            gamma: opts.gamma,
            noise: opts.noise,
            priorMean: opts.priorMean,
            bandwidth: opts.bandwidth ?? 'median',
          },
        });
        const s = server.service.summary();
        process.stdout.write(
          `VIP allocator at ${server.url} (state ${opts.state}: ${s.prompts} prompts, ${s.steps} steps so far)\n`,
        );
        closeOnSignal(() => server.close());
      }),
    );
}
