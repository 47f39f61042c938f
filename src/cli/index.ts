#!/usr/bin/env node
import { Command } from 'commander';
import { flopwiseVersion } from '../run/meta.js';
import { register as registerBench } from './commands/bench.js';
import { register as registerData } from './commands/data.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerEval } from './commands/eval.js';
import { register as registerPlan } from './commands/plan.js';
import { register as registerPretrain } from './commands/pretrain.js';
import { register as registerProfile } from './commands/profile.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerExport } from './commands/export.js';
import { register as registerAllocator } from './commands/allocator.js';
import { register as registerReport } from './commands/report.js';
import { register as registerDashboard } from './commands/dashboard.js';
import { register as registerTrain } from './commands/train.js';
import { register as registerConfig } from './commands/config.js';
import { register as registerVerify } from './commands/verify.js';

// Each command lives in its own file under src/cli/commands/ and exports `register(program)`.
// To add one: import it below and add it to this list.
const commands: Array<(program: Command) => void> = [
  registerDemo,
  registerPretrain,
  registerTrain,
  registerConfig,
  registerProfile,
  registerPlan,
  registerEval,
  registerBench,
  registerData,
  registerReport,
  registerDashboard,
  registerServe,
  registerExport,
  registerAllocator,
  registerVerify,
];

const program = new Command();
program
  .name('flopwise')
  .description(
    'RLVR that spends rollout compute where it teaches: sGPO, VIP and asymmetric prompt weights, ' +
      'measured against uniform GRPO in FLOPs.',
  )
  .version(flopwiseVersion())
  .showHelpAfterError();
for (const register of commands) register(program);

await program.parseAsync(process.argv);
