#!/usr/bin/env node
import { Command } from 'commander';
import { register as registerData } from './commands/data.js';

// Each command lives in its own file under src/cli/commands/ and exports `register(program)`.
// To add one: import it below and add it to this list.
const commands: Array<(program: Command) => void> = [registerData];

const program = new Command();
program
  .name('flopwise')
  .description(
    'RLVR that spends rollout compute where it teaches: sGPO, VIP and asymmetric prompt weights, ' +
      'measured against uniform GRPO in FLOPs.',
  )
  .version('0.1.0')
  .showHelpAfterError();
for (const register of commands) register(program);

await program.parseAsync(process.argv);
