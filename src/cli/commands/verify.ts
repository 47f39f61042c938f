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

/** A row as read: checked and ready, or bad (with the file, row and field in its error). */
export type InputRow =
  { row: number; ok: VerifyRow } | { row: number; id: string | number; bad: DatasetError };

/**
 * Reads every row, in file order: `completion` must be a string, `gold` (or `answer`) a string or a
 * number, `id` (optional, default the row number) a string or a number. A bad row is kept as such
 * (blank lines are skipped), so that the output still has one line per input.
 */
export function readVerifyRows(file: string): InputRow[] {
  const { rows, errors } = readJsonlRows(file);
  const out: InputRow[] = errors
    .filter((e) => e.reason !== 'blank_row')
    .map((e) => ({ row: e.row, id: e.row, bad: e }));
  for (const r of rows) {
    try {
      out.push({ row: r.row, ok: toVerifyRow(r, file) });
    } catch (e) {
      if (!(e instanceof DatasetError)) throw e;
      const id = r.data.id;
      out.push({ row: r.row, id: typeof id === 'string' || typeof id === 'number' ? id : r.row, bad: e });
    }
  }
  return out.sort((a, b) => a.row - b.row);
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

/** The output line of a bad row: scored 0 with reason "error" and what is wrong with it. */
export function badRowLine(r: Extract<InputRow, { bad: DatasetError }>): string {
  return JSON.stringify({ id: r.id, reward: 0, extracted: null, reason: 'error', detail: r.bad.message });
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
  strict?: boolean;
}

/** Bad rows: each named on stderr (the first few), or with --strict the first one stops the command. */
function reportBadRows(rows: InputRow[], strict: boolean | undefined): number {
  const bad = rows.filter((r): r is Extract<InputRow, { bad: DatasetError }> => 'bad' in r);
  if (bad.length === 0) return 0;
  if (strict) {
    const more = bad.length > 1 ? ` (and ${bad.length - 1} more bad rows)` : '';
    throw new Error(bad[0].bad.message + more);
  }
  for (const r of bad.slice(0, 10)) process.stderr.write(`bad row: ${r.bad.message}\n`);
  if (bad.length > 10) process.stderr.write(`… and ${bad.length - 10} more bad rows\n`);
  return bad.length;
}

async function runVerify(file: string, flags: VerifyFlags): Promise<void> {
  const rows = readVerifyRows(file);
  const badRows = reportBadRows(rows, flags.strict);
  const pool = new VerifierPool({ size: flags.workers, timeoutMs: flags.timeoutMs });
  const lines: string[] = [];
  const chunk = 512;
  try {
    for (let start = 0; start < rows.length; start += chunk) {
      const part = rows.slice(start, start + chunk);
      const results = await Promise.all(
        part.map((r) =>
          'ok' in r
            ? pool.verify({
                completion: r.ok.completion,
                groundTruth: r.ok.gold,
                options: { percent: flags.percent },
              })
            : undefined,
        ),
      );
      const text = part.map((r, i) => ('ok' in r ? outputLine(r.ok, results[i]!) : badRowLine(r)));
      if (flags.output) {
        lines.push(...text);
        process.stderr.write(`\r${Math.min(start + chunk, rows.length)}/${rows.length} checked`);
      } else process.stdout.write(text.join('\n') + '\n');
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
  process.stderr.write(`${rows.length} rows: ${summary}${badRows ? `, bad rows ${badRows}` : ''}\n`);
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
    .option('--strict', 'stop at the first bad row instead of writing an "error" line for it')
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
        'timeout, error (a crashed check, or a bad row: its detail names the file, row and field). ' +
        'A summary of the counts goes to stderr.',
    )
    .action((file: string, flags: VerifyFlags) => guarded(() => runVerify(file, flags)));
}
