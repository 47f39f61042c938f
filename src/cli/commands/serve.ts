import type { Command } from 'commander';
import { basename, resolve } from 'node:path';
import { loadEmbeddedPolicy } from '../../policy/embedded.js';
import { resolveBase } from '../policies.js';
import { startPolicyServer } from '../../serve/policy-server.js';
import { buildTrainConfig, guarded, withConfigOptions } from '../common.js';
import { floatOption, intOption } from '../options.js';

/** `flopwise serve`: a checkpoint behind an OpenAI-compatible API. */
export function register(program: Command): void {
  const cmd = program
    .command('serve')
    .description(
      'serve an embedded checkpoint (default: the base policy) over an OpenAI-compatible HTTP API ' +
        '(/v1/completions, /v1/chat/completions, /v1/models); concurrent requests are batched',
    );
  withConfigOptions(cmd)
    .option('--checkpoint <dir>', 'checkpoint directory to serve (default: the base policy)')
    .option('--port <n>', 'port (0 = any free port)', intOption('--port', { min: 0, max: 65535 }), 8000)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--model-name <name>', 'the model id clients pass (default: the checkpoint directory name)')
    .option(
      '--batch-wait <ms>',
      'longest a request waits for others to share its batch',
      floatOption('--batch-wait', { min: 0, max: 1000 }),
      20,
    )
    .option('--max-batch <n>', 'sequences per engine call at most', intOption('--max-batch', { min: 1 }), 512)
    .addHelpText(
      'after',
      '\nExamples:\n  flopwise serve --checkpoint runs/r1/checkpoints/step-000500 --port 8000\n' +
        '  flopwise profile --server http://127.0.0.1:8000/v1 --model step-000500 -o runs/p-served',
    )
    .action((opts) =>
      guarded(async () => {
        const config = buildTrainConfig(opts, []);
        const dir =
          opts.checkpoint ?? (await resolveBase(config, { onPhase: (m) => process.stderr.write(`${m}\n`) }));
        const policy = await loadEmbeddedPolicy(dir, { threads: config.threads, optimizer: false });
        const modelName = opts.modelName ?? basename(resolve(dir));
        const server = await startPolicyServer({
          model: {
            sampler: policy.model,
            tokenizer: policy.tokenizer,
            contextLength: policy.model.config.contextLength,
          },
          modelName,
          port: opts.port,
          host: opts.host,
          maxWaitMs: opts.batchWait,
          maxSequences: opts.maxBatch,
        });
        process.stdout.write(`serving "${modelName}" (${resolve(dir)}) at ${server.baseURL}\n`);
        closeOnSignal(async () => {
          await server.close();
          await policy.close();
        });
      }),
    );
}

/** Runs `close` and exits on Ctrl-C or SIGTERM: how the long-running servers stop. */
export function closeOnSignal(close: () => Promise<void>): void {
  const stop = async () => {
    await close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
