/** Sample completions at the start and the end, and what produced the runs (config, version, machine). */
import { num } from './curves.js';
import { fmtTime } from './format.js';
import type { Subject } from './groups.js';
import type { Row, RunData } from './load.js';
import type { Section, Table } from './types.js';

const clip = (s: unknown, n: number): string => {
  const t = typeof s === 'string' ? s : JSON.stringify(s ?? '');
  return t.length > n ? `${t.slice(0, n)}…` : t;
};

/** Up to `per` correct and `per` wrong examples of one evaluation, as table rows. */
export function exampleRows(label: string, step: number, examples: unknown[], per = 2): string[][] {
  const rows = examples.filter((e): e is Row => !!e && typeof e === 'object');
  const correct = rows.filter((e) => (num(e.reward) ?? 0) > 0).slice(0, per);
  const wrong = rows.filter((e) => (num(e.reward) ?? 0) <= 0).slice(0, per);
  return [...correct, ...wrong].map((e) => [
    label,
    String(step),
    typeof e.level === 'string' ? e.level : '',
    clip(e.prompt, 160),
    clip(e.completion, 160),
    String(num(e.reward) ?? 'not recorded'),
  ]);
}

export function samplesSection(s: Subject): Section {
  const table: Table = {
    title: 'Greedy completions on held-out prompts (first seed of each method)',
    head: ['method', 'step', 'level', 'prompt', 'completion', 'reward'],
    rows: [],
  };
  for (const g of s.groups) {
    const ev = g.evals[0] ?? [];
    const withExamples = ev.filter((p) => p.examples.length > 0);
    const first = withExamples[0];
    const last = withExamples[withExamples.length - 1];
    if (first) table.rows.push(...exampleRows(g.method, first.step, first.examples));
    if (last && last !== first) table.rows.push(...exampleRows(g.method, last.step, last.examples));
  }
  const missing = table.rows.length ? [] : ['sample completions (evaluations lack eval.examples)'];
  return {
    id: 'samples',
    title: 'Sample completions',
    charts: [],
    tables: table.rows.length ? [table] : [],
    missing,
  };
}

function metaRows(run: RunData): string[][] {
  const m = run.meta ?? {};
  const field = (k: string) =>
    m[k] === undefined ? 'not recorded' : typeof m[k] === 'string' ? (m[k] as string) : JSON.stringify(m[k]);
  return [
    ['run directory', run.dir],
    ['status', run.status + (run.badLines ? ` (${run.badLines} unreadable metrics line(s) skipped)` : '')],
    ['flopwise version', field('version')],
    ['command line', field('command')],
    ['base policy', field('base')],
    ['base policy hash', field('baseHash')],
    ['started', m.startedAt === undefined ? 'not recorded' : fmtTime(m.startedAt)],
    ['resumed', Array.isArray(m.resumedAt) && m.resumedAt.length ? m.resumedAt.map(fmtTime).join(', ') : '–'],
    [
      'ended',
      m.endedAt === undefined
        ? run.status === 'finished'
          ? 'not recorded'
          : run.status
        : fmtTime(m.endedAt),
    ],
    ['machine', field('machine')],
  ];
}

function benchRows(r: Row): string[][] {
  const protocol = (r.protocol as Row | undefined) ?? {};
  const field = (v: unknown) =>
    v === undefined || v === null ? 'not recorded' : typeof v === 'string' ? v : JSON.stringify(v);
  return [
    ['preset', field(r.preset)],
    ['regime', field(r.regime)],
    ['claim', field(r.claim)],
    ['caveat', field(r.caveat ?? '–')],
    ['machine', field(r.machine)],
    ['FLOP budget per run', field(protocol.flopBudget ?? r.flopBudget)],
    ['evaluation', field(protocol.eval)],
    ['written', r.writtenAt === undefined ? 'not recorded' : fmtTime(r.writtenAt)],
  ];
}

export function metaSection(s: Subject): Section {
  const section: Section = {
    id: 'meta',
    title: 'Provenance',
    charts: [],
    tables: [],
    blocks: [],
    missing: [],
  };
  const r = s.results;
  if (r) {
    section.tables.push({
      title: 'Benchmark',
      head: ['field', 'value'],
      rows: benchRows(r),
    });
    if (typeof r.markdown === 'string')
      section.blocks!.push({ title: 'Benchmark table (results.md)', text: r.markdown });
  }
  for (const g of s.groups) {
    const run = g.runs[0];
    if (!run) continue;
    section.tables.push({
      title: `${g.method}${g.runs.length > 1 ? ` (first of ${g.runs.length} seeds)` : ''}`,
      head: ['field', 'value'],
      rows: metaRows(run),
    });
    section.blocks!.push({
      title: `${run.name}: resolved config`,
      text: run.config ? JSON.stringify(run.config, null, 2) : 'not recorded',
    });
    if (!run.meta)
      section.missing.push(`${run.name}: meta.json (version, command line, base hash, times, machine)`);
  }
  return section;
}
