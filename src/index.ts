/**
 * The library entry (`import … from 'flopwise'`): train a run, run the benchmark, and read, report
 * or serve their directories. The CLI (`flopwise …`) is built on the same functions.
 */
export { runTraining, type RunCallbacks, type RunSummary } from './run/run.js';
export { runBench, BENCH_METHODS, BENCH_PRESETS, type BenchArgs, type BenchResult } from './run/bench.js';
export {
  TrainConfigSchema,
  parseConfig,
  applyOverrides,
  readConfigFile,
  type TrainConfig,
} from './run/config.js';
export { Ledger, PHASES, type LedgerState, type Phase } from './run/ledger.js';
export { writeReport, buildView, loadDir, type View } from './report/index.js';
export { startDashboard, createDashboard, type DashboardOptions } from './serve/dashboard.js';
