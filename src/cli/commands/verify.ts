import type { Command } from 'commander';
import { DatasetError, readJsonlRows, writeFileAtomic, type RawRow } from '../../data/index.js';
import { emptyCounts, VerifierPool, type VerifyOptions, type VerifyResult } from '../../verify/index.js';
import { guarded } from '../common.js';
import { intOption } from '../options.js';

/** One input row of `flopwise verify`. */
export interface VerifyRow {
  id: string | number;
  completion: string;
  gold: string;
}

/**
 * Reads and checks every row first, so a bad row stops the command before any work, with its
 * file, row and field: `completion` must be a string, `gold` (or `answer`) a string or a number,
 * `id` (optional, default the row number) a string or a number.
 */
export function readVerifyRows(file: string): VerifyRow[] {
  const { rows, errors } = readJsonlRows(file);
  const bad: DatasetError[] = [...errors];
  const out: VerifyRow[] = [];
  for (const r of rows) {
    try {
      out.push(toVerifyRow(r, file));
    } catch (e) {
      if (!(e instanceof DatasetError)) throw e;
      bad.push(e);
    }
  }
  if (bad.length > 0) {
    bad.sort((a, b) => a.row - b.row);
    const more = bad.length > 1 ? ` (and ${bad.length - 1} more bad rows)` : '';
    throw new Error(bad[0].message + more);
  }
  return out;
}

function toVerifyRow({ row, data }: RawRow, file: string): VerifyRow {
  const bad = (field: string, reason: 'missing_field' | 'wrong_type', detail: string) =>
    new DatasetError(file, row, field, reason, detail);
  const completion = data.completion;
  if (completion === undefined || completion === null)
    throw bad('completion', 'missing_field', 'missing completion');
  if (typeof completion !== 'string') throw bad('completion', 'wrong_type', 'completion must be a string');
  const goldField = data.gold !== undefined ? 'gold' : 'answer';
  const gold = data[goldField];
  if (gold === undefined || gold === null) throw bad('gold', 'missing_field', 'missing gold (or answer)');
  if (typeof gold !== 'string' && !(typeof gold === 'number' && Number.isFinite(gold)))
    throw bad(goldField, 'wrong_type', `${goldField} must be a string or a number`);
  const id = data.id ?? row;
  if (typeof id !== 'string' && typeof id !== 'number')
    throw bad('id', 'wrong_type', 'id must be a string or a number');
  return { id, completion, gold: String(gold) };
}

/** The output line of one row. */
export function outputLine(row: VerifyRow, r: VerifyResult): string {
  return JSON.stringify({
    id: row.id,
    reward: r.reward,
    extracted: r.extracted ?? null,
    reason: r.reason,
    ...(r.message ? { detail: r.message } : {}),
  });
}

interface VerifyFlags {
  output?: string;
  workers: number;
  timeoutMs: number;
  percent: VerifyOptions['percent'];
}

async function runVerify(file: string, flags: VerifyFlags): Promise<void> {
  const rows = readVerifyRows(file);
  const pool = new VerifierPool({ size: flags.workers, timeoutMs: flags.timeoutMs });
  const lines: string[] = [];
  const chunk = 512;
  try {
    for (let start = 0; start < rows.length; start += chunk) {
      const part = rows.slice(start, start + chunk);
      const results = await pool.verifyMany(
        part.map((r) => ({
          completion: r.completion,
          groundTruth: r.gold,
          options: { percent: flags.percent },
        })),
      );
      const text = part.map((r, i) => outputLine(r, results[i]));
      if (flags.output) lines.push(...text);
      else process.stdout.write(text.join('\n') + '\n');
      if (flags.output)
        process.stderr.write(`\r${Math.min(start + chunk, rows.length)}/${rows.length} checked`);
    }
  } finally {
    await pool.close();
  }
  if (flags.output) {
    writeFileAtomic(flags.output, lines.length > 0 ? lines.join('\n') + '\n' : '');
    process.stderr.write('\n');
  }
  const counts = { ...emptyCounts(), ...pool.stats() };
  const summary = Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  process.stderr.write(`${rows.length} rows: ${summary}\n`);
}

export function register(program: Command): void {
  program
    .command('verify')
    .description(
      'check the math verifier on your own data: reads JSONL rows {completion, gold (or answer), id?} and ' +
        'writes one JSONL line per row, in order: {id, reward, extracted, reason, detail?}',
    )
    .argument('<file>', 'JSONL file of {completion, gold|answer, id?} rows')
    .option('-o, --output <file>', 'write the results here instead of stdout')
    .option('--workers <n>', 'verifier worker threads', intOption('--workers', { min: 1, max: 64 }), 2)
    .option(
      '--timeout-ms <ms>',
      'time limit of one check; past it the row scores 0 with reason "timeout"',
      intOption('--timeout-ms', { min: 10 }),
      2000,
    )
    .option(
      '--percent <rule>',
      'how "50%" compares: strip (50% = 50), fraction (50% = 0.5) or either',
      (v: string) => {
        if (v !== 'strip' && v !== 'fraction' && v !== 'either')
          throw new Error(`--percent must be strip, fraction or either, got "${v}"`);
        return v;
      },
      'strip',
    )
    .addHelpText(
      'after',
      '\nReasons: correct, wrong, no_answer (nothing to extract), malformed (cut off mid-answer), ' +
        'timeout, error. A summary of the counts goes to stderr.',
    )
    .action((file: string, flags: VerifyFlags) => guarded(() => runVerify(file, flags)));
}
