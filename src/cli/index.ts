#!/usr/bin/env node
import { Command } from 'commander';

const program = new Command();
program
  .name('flopwise')
  .description(
    'RLVR that spends rollout compute where it teaches: sGPO, VIP and asymmetric prompt weights,\n' +
      'measured against uniform GRPO in FLOPs.',
  )
  .version('0.1.0')
  .showHelpAfterError();

await program.parseAsync(process.argv);
