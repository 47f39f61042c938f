#!/usr/bin/env node
// Runs the compiled CLI (npm run build); during development use `npm run flopwise -- <command>`.
import('../dist/cli/index.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error(
      'flopwise is not built yet: run `npm run build` first (or `npm run flopwise -- <command>`).',
    );
    process.exit(1);
  }
  throw err;
});
