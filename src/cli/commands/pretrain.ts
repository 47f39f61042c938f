import type { Command } from 'commander';
import { ensureBase, PretrainConfigSchema, pretrainHash } from '../../policy/pretrain.js';
import { loadEmbeddedPolicy } from '../../policy/embedded.js';
import { applyOverrides, parseConfig, readConfigFile, TrainConfigSchema } from '../../run/config.js';
import { loadDatasets, scorerFor } from '../../run/setup.js';
import { measureSpread } from '../../run/spread.js';
import { formatFlops, guarded, pct, progressBar, withConfigOptions } from '../common.js';

export function register(program: Command): void {
  const cmd = program
    .command('pretrain')
    .description(
      'supervised warm start of the base policy on the procedural tasks, cached by config hash (later runs reuse it)',
    );
  withConfigOptions(cmd)
    .option('--force', 'train again even when a cached base exists')
    .option(
      '--check',
      'then measure the base policy’s success spread on the RL training prompts of its mixture (8 samples per prompt)',
    )
    .option('--cache-dir <dir>', 'cache directory (default .cache/flopwise, or $FLOPWISE_CACHE)')
    .action((opts) =>
      guarded(async () => {
        const raw = applyOverrides(opts.config ? readConfigFile(opts.config) : {}, opts.set);
        const cfg = parseConfig(PretrainConfigSchema, raw, opts.config ?? 'flags');
        process.stderr.write(
          `base policy ${pretrainHash(cfg)}: d=${cfg.model.dModel}, ${cfg.model.nLayers} layers, ${cfg.steps} steps\n`,
        );
        const bar = progressBar('pretrain', cfg.steps, 'loss {loss}');
        const s = await ensureBase(cfg, {
          cacheDir: opts.cacheDir,
          force: opts.force,
          onProgress: (p) => bar.update(p.step, { loss: p.loss.toFixed(3) }),
        });
        bar.stop();
        process.stdout.write(
          `base policy: ${s.dir}\n  ${s.paramCount} parameters, final loss ${s.finalLoss.toFixed(3)}, ${formatFlops(s.flops)} in ${(s.wallMs / 1000).toFixed(1)} s\n`,
        );
        if (!opts.check) return;
        const rl = parseConfig(TrainConfigSchema, { data: { mixture: cfg.mixture } }, 'defaults');
        const { train } = await loadDatasets(rl.data);
        const policy = await loadEmbeddedPolicy(s.dir, { threads: cfg.threads });
        try {
          const sp = await measureSpread({
            policy,
            problems: train,
            score: scorerFor(rl.data),
            maxNewTokens: rl.sampling.maxNewTokens,
          });
          process.stdout.write(
            `success spread on ${sp.prompts} RL prompts (k=${sp.k}): p̂ > ${sp.tau}: ${pct(sp.easy)}, p̂ = 0: ${pct(sp.unsolved)}, in between: ${pct(sp.learnable)}\n` +
              `  prompts by successes 0..${sp.k}: ${sp.histogram.join(' ')}\n` +
              Object.entries(sp.byFamily)
                .map(
                  ([f, v]) =>
                    `  ${f.padEnd(10)} ${String(v.prompts).padStart(4)} prompts, mean p̂ ${v.meanP.toFixed(2)}`,
                )
                .join('\n') +
              '\n',
          );
        } finally {
          await policy.close();
        }
      }),
    );
}
