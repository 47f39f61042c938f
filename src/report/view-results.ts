/** The benchmark's own verdicts from results.json: final accuracy and saving with their intervals. */
import { num } from './curves.js';
import { fmtFlops, fmtPct } from './format.js';
import { resultRows } from './groups.js';
import type { Row } from './load.js';
import type { Table } from './types.js';

function interval(ci: unknown, f: (x: number) => string): string {
  const c = ci as Row | null | undefined;
  const lo = num(c?.lo);
  const hi = num(c?.hi);
  return lo !== null && hi !== null ? ` [${f(lo)}, ${f(hi)}]` : '';
}

const times = (x: number) => `${x.toFixed(2)}×`;

function crossingText(c: unknown): string {
  if (c === null || c === undefined) return 'not recorded';
  if (typeof c === 'number') return fmtFlops(c);
  const o = c as Row;
  const f = (v: unknown) => (num(v) === null ? 'not reached' : fmtFlops(num(v)));
  return 'isotonic' in o
    ? `${f(o.isotonic)} (confirmed ${f(o.confirmed)}, first touch ${f(o.firstTouch)})`
    : 'not recorded';
}

function savingText(r: Row): string {
  const s = r.saving as Row | null | undefined;
  if (s && typeof s === 'object') {
    const v = num(s.value);
    return v === null
      ? '–'
      : `${times(v)}${interval(s.ci, times)}${s.resolved ? ` (${String(s.resolved)})` : ''}`;
  }
  const old = num(r.savingVsBaseline);
  return old === null ? '–' : times(old);
}

export function resultsTable(results: Row | null): Table | null {
  const rows = resultRows(results);
  if (rows.length === 0) return null;
  const protocol = results?.protocol as Row | undefined;
  return {
    title: 'Benchmark verdicts (results.json)',
    note: typeof protocol?.crossingRule === 'string' ? `Crossing rule: ${protocol.crossingRule}` : undefined,
    head: [
      'method',
      'vs',
      'final accuracy (95% CI)',
      'compute to target',
      'saving vs baseline (95% CI)',
      'seeds reaching target',
    ],
    rows: rows.map((r) => {
      const fa = r.finalAccuracy as Row | undefined;
      const seeds = Array.isArray(r.seeds) ? r.seeds.length : null;
      return [
        String(r.method ?? '?'),
        String(r.baseline ?? '–'),
        `${fmtPct(num(fa?.mean))}${interval(fa?.ci, fmtPct)}`,
        crossingText(r.computeToTarget ?? r.meanComputeToTarget),
        savingText(r),
        `${num(r.reached) ?? '–'}${seeds !== null ? `/${seeds}` : ''}`,
      ];
    }),
  };
}
