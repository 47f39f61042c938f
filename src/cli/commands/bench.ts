import { Option, type Command } from 'commander';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { loadEmbeddedPolicy } from '../../policy/embedded.js';
import {
  BENCH_METHODS,
  BENCH_PRESETS,
  benchBase,
  benchMethod,
  benchPreset,
  methodsToRun,
  resultFiles,
  runBench,
  runConfig,
  type BenchArgs,
  type BenchPreset,
} from '../../run/bench.js';
import { measureEvalNoise, type EvalNoise } from '../../run/bench/noise.js';
import { BENCH_AXES, type BenchAxis } from '../../run/bench/axis.js';
import { loadDatasets, scorerFor } from '../../run/setup.js';
import { writeJsonAtomic } from '../../run/rundir.js';
import { collect, guarded, terminalCallbacks } from '../common.js';
import { intListOption, intOption } from '../options.js';
import { embeddedPolicies } from '../policies.js';

export function machineDescription(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
}

function listText(): string {
  const presets = Object.values(BENCH_PRESETS).map(
    (p) =>
      `  ${p.name.padEnd(14)} ${p.regime}\n${' '.repeat(17)}claim: ${p.claim}\n${' '.repeat(17)}` +
      `${p.seeds.length} seeds; methods: ${p.methods.join(', ')}`,
  );
  const methods = BENCH_METHODS.map((m) => `  ${m.name.padEnd(20)} ${m.description}`);
  return `presets:\n${presets.join('\n')}\n\nmethods:\n${methods.join('\n')}\n`;
}

function noiseText(n: EvalNoise): string {
  const pts = (x: number) => `${(100 * x).toFixed(2)} points`;
  return (
    `eval noise of ${n.checkpoint}: ${n.prompts} prompts × ${n.samples} samples, ${n.repeats} repeats\n` +
    `  sampled accuracy per repeat: ${n.sampledAccuracies.map((a) => (100 * a).toFixed(2)).join(' ')} %\n` +
    `  spread over repeats (std): ${pts(n.repeatStd)}; standard error from per-prompt counts: ${pts(n.modelStandardError)}\n` +
    `  mean per-prompt p(1 − p): ${n.meanBernoulliVariance.toFixed(4)}; for SE ≤ ${pts(n.targetStandardError)}: ` +
    `prompts × samples ≥ ${n.promptSamplesNeeded} (${n.samplesPerPromptNeeded} samples per prompt on these ${n.prompts} prompts)\n` +
    `  one evaluation: ${(n.evalFlops / 1e9).toFixed(1)} GFLOP, ${(n.evalWallMs / 1000).toFixed(1)} s (reported, not charged)\n`
  );
}

async function evalNoise(args: BenchArgs, opts: { checkpoint?: string; repeats: number; samples?: number }) {
  const config = runConfig(args, benchMethod(args.preset.baseline), args.preset.seeds[0]);
  const checkpoint = opts.checkpoint ?? (await benchBase(args, config.threads));
  const samples = opts.samples ?? config.eval.samples;
  const policy = await loadEmbeddedPolicy(checkpoint, { threads: config.threads, optimizer: false });
  try {
    const { eval: problems } = await loadDatasets(config.data);
    const noise = await measureEvalNoise({
      checkpoint,
      policy,
      problems,
      score: scorerFor(config.data),
      samples,
      repeats: opts.repeats,
      maxNewTokens: config.sampling.maxNewTokens,
      targetStandardError: 0.003,
      onRepeat: (i, n) => args.callbacks?.onPhase?.(`evaluation ${i}/${n}`),
    });
    mkdirSync(args.outDir, { recursive: true });
    writeJsonAtomic(join(args.outDir, `eval-noise-s${samples}.json`), noise);
    return noise;
  } finally {
    await policy.close();
  }
}

function presetFrom(opts: { quick?: boolean; preset?: string; seeds?: number[] }): BenchPreset {
  const preset = { ...benchPreset(opts.quick ? 'quick' : (opts.preset ?? 'post-sft')) };
  if (opts.seeds) preset.seeds = opts.seeds;
  return preset;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description(
      'compare allocation methods in one regime (preset): each method × seeds from the same base policy and FLOP budget; ' +
        'writes results.json and results.md (compute to target with bootstrap intervals, final accuracy, rollouts, ledgers)',
    )
    .option('--preset <name>', `regime to run: ${Object.keys(BENCH_PRESETS).join(', ')}`, 'post-sft')
    .option('--quick', 'the quick preset (≤ 15 minutes on 2 cores, 2 seeds: a check, not a result)')
    .option('-o, --out <dir>', 'output directory (finished runs in it are reused, killed ones resumed)')
    .option('--methods <list>', 'comma-separated methods (default: the preset’s; baselines are added)')
    .option(
      '--seeds <list>',
      'comma-separated seeds (default: the preset’s)',
      intListOption('--seeds', { min: 0 }),
    )
    .option('--set <key.path=value>', 'override a config field for every run (repeatable)', collect, [])
    .option('--report', 'only write results from the runs already finished in --out (train nothing)')
    .addOption(
      new Option(
        '--axis <axis>',
        'what compute to target and savings count: training-side FLOPs, or rollouts generated (profiling included)',
      )
        .choices([...BENCH_AXES])
        .default('flops'),
    )
    .option(
      '--against <list>',
      'also read every method against these methods (comma-separated, e.g. grpo-g16), each a table of its own',
    )
    .option(
      '--eval-noise',
      'measure held-out evaluation noise (repeated evaluations of one checkpoint) instead',
    )
    .option('--checkpoint <dir>', 'with --eval-noise: the checkpoint (default: the preset’s base policy)')
    .option(
      '--repeats <n>',
      'with --eval-noise: evaluations of the checkpoint',
      intOption('--repeats', { min: 2 }),
      6,
    )
    .option(
      '--samples <n>',
      'with --eval-noise: samples per prompt (default: the preset’s)',
      intOption('--samples', { min: 2 }),
    )
    .option('--list', 'list presets (with the claim each tests) and methods')
    .option(
      '--print-config',
      'print each run’s resolved config (method × seed) as JSON and exit; base and profile are set when runs start',
    )
    .action((opts) =>
      guarded(async () => {
        if (opts.list) {
          process.stdout.write(listText());
          return;
        }
        const preset = presetFrom(opts);
        const methods = opts.methods ? String(opts.methods).split(',') : undefined;
        methodsToRun(preset, methods); // unknown names fail here, before any work
        const against = opts.against ? String(opts.against).split(',') : undefined;
        against?.forEach((name) => benchMethod(name));
        const outDir = opts.out ?? join('runs', `bench-${preset.name}`);
        const progress = terminalCallbacks(0, {
          resumeHint:
            'Run the same bench command again: finished runs are reused, the interrupted one resumes.',
        });
        const args: BenchArgs = {
          preset,
          outDir,
          methods,
          extraSets: opts.set,
          machine: machineDescription(),
          reportOnly: opts.report === true,
          against,
          axis: opts.axis as BenchAxis,
          policies: embeddedPolicies,
          callbacks: {
            onPhase: progress.onPhase,
            onPretrain: progress.onPretrain,
            onRun: (method, seed, i, total, reused) => {
              const run = runConfig(args, benchMethod(method), seed);
              progress.nextRun(run.steps, run.flopBudget);
              progress.onPhase!(
                `[${i}/${total}] ${method}, seed ${seed}${reused ? ' (finished before: reused)' : ''}`,
              );
            },
            onStep: progress.onStep,
            onEval: progress.onEval,
            onProfile: progress.onProfile,
          },
        };
        if (opts.printConfig) {
          const configs = methodsToRun(preset, methods).flatMap((m) =>
            preset.seeds.map((seed) => ({ method: m.name, seed, config: runConfig(args, m, seed) })),
          );
          return void process.stdout.write(JSON.stringify(configs, null, 2) + '\n');
        }
        if (opts.evalNoise) {
          const n = await evalNoise(args, {
            checkpoint: opts.checkpoint,
            repeats: opts.repeats as number,
            samples: opts.samples as number | undefined,
          });
          progress.stop();
          process.stdout.write(noiseText(n));
          return;
        }
        const result = await runBench(args);
        progress.stop();
        process.stdout.write(`\n${result.markdown}\n`);
        if (result.profile) {
          process.stdout.write(
            `profile of the base policy: ${result.profile.prompts} prompts by successes out of ${result.profile.k}: ${result.profile.histogram.join(' ')}\n`,
          );
        }
        process.stdout.write(`written: ${resultFiles(outDir, args.axis).join(', ')}\n`);
      }),
    );
}
