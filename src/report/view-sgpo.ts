/** sGPO's views: the profile's p̂ histogram, the plan (classes, phases, G) and rollouts by phase. */
import { num, stepRows, type XY } from './curves.js';
import { fmtPct } from './format.js';
import { PALETTE, type Subject } from './groups.js';
import type { Row } from './load.js';
import type { Section, Table } from './types.js';

/** Prompts by successes out of k (the profile's p̂ histogram). */
export function profileHistogram(profile: Row[]): { k: number; counts: number[] } | null {
  const k = num(profile[0]?.k);
  if (k === null || k <= 0) return null;
  const counts = new Array<number>(k + 1).fill(0);
  for (const r of profile) {
    const s = num(r.successes);
    const rk = num(r.k);
    if (s === null || rk === null || rk <= 0) continue;
    counts[Math.round((s / rk) * k)]++;
  }
  return { k, counts };
}

/** The histogram results.json keeps of the benchmark's profile (when the profile file is not at hand). */
export function reportedHistogram(results: Row | null): { k: number; counts: number[] } | null {
  const p = results?.profile as Row | null | undefined;
  const k = num(p?.k);
  const counts = Array.isArray(p?.histogram) ? (p.histogram as unknown[]).map((c) => num(c) ?? 0) : [];
  return k !== null && counts.length === k + 1 ? { k, counts } : null;
}

/** Classes and phases of the sGPO plan as the profile file records them (class, kept, G, phase). */
export function planTables(profile: Row[]): Table[] {
  if (!profile.some((r) => typeof r.class === 'string')) return [];
  const classes = new Map<string, { n: number; kept: number }>();
  // Kept unsolved prompts have no G of their own (G null): they join each phase at that phase's G.
  const phases = new Map<string, { n: number; G: Map<number, number>; atPhaseG: number }>();
  for (const r of profile) {
    const c = classes.get(String(r.class)) ?? { n: 0, kept: 0 };
    c.n++;
    if (r.kept === true) c.kept++;
    classes.set(String(r.class), c);
    for (const ph of String(r.phase ?? '')
      .split(',')
      .filter(Boolean)) {
      const p = phases.get(ph) ?? { n: 0, G: new Map<number, number>(), atPhaseG: 0 };
      p.n++;
      const G = num(r.G);
      if (G === null) p.atPhaseG++;
      else p.G.set(G, (p.G.get(G) ?? 0) + 1);
      phases.set(ph, p);
    }
  }
  const total = profile.length;
  return [
    {
      title: 'sGPO plan: classes',
      head: ['class', 'prompts', 'share', 'kept'],
      rows: [...classes].map(([cls, c]) => [cls, String(c.n), fmtPct(c.n / total), String(c.kept)]),
    },
    {
      title: 'sGPO plan: phases (easy → hard)',
      head: ['phase', 'prompts', 'group size G (prompts)'],
      rows: [...phases]
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([ph, p]) => [
          ph,
          String(p.n),
          [...p.G]
            .sort(([a], [b]) => a - b)
            .map(([G, n]) => `G=${G} (${n})`)
            .concat(p.atPhaseG > 0 ? [`unsolved at the phase's G (${p.atPhaseG})`] : [])
            .join(', '),
        ]),
    },
  ];
}

export function sgpoSection(s: Subject): Section | null {
  const hasSgpo = s.groups.some((g) =>
    g.runs.some((r) => (r.config?.allocator as Row | undefined)?.type === 'sgpo'),
  );
  if (!hasSgpo && !s.profile && !reportedHistogram(s.results)) return null;
  const section: Section = {
    id: 'sgpo',
    title: 'sGPO: profile and plan',
    charts: [],
    tables: [],
    missing: [],
  };
  const hist = s.profile ? profileHistogram(s.profile) : reportedHistogram(s.results);
  if (hist) {
    section.charts.push({
      id: 'profile-hist',
      title: `Profile of the base policy: prompts by successes out of ${hist.k}`,
      note: `p̂ = successes / ${hist.k}; ${hist.counts.reduce((a, b) => a + b, 0)} prompts. Phase boundaries are drawn on the accuracy curves.`,
      xLabel: 'p̂',
      yLabel: 'prompts',
      series: [
        {
          label: 'prompts',
          color: PALETTE[3],
          kind: 'bars',
          points: hist.counts.map((c, i): XY => [i / hist.k, c]),
          legend: true,
        },
      ],
    });
    section.tables.push(...planTables(s.profile ?? []));
  } else section.missing.push('the sGPO profile (no profile.jsonl found beside the runs)');
  if (hist && section.tables.length === 0)
    section.missing.push('the sGPO plan (the profile has no class/phase columns)');
  const byPhase = phaseTable(s);
  if (byPhase) section.tables.push(byPhase);
  return section;
}

/** Per sGPO method and phase (steps' info.phase), summed over seeds: where the rollouts went. */
export function phaseTable(s: Subject): Table | null {
  const rows: string[][] = [];
  for (const g of s.groups) {
    const totals = new Map<string, { steps: number; generated: number; trained: number; signal: number }>();
    for (const r of g.runs.flatMap((run) => stepRows(run.rows))) {
      const phase = (r.info as Row | undefined)?.phase;
      if (phase === undefined) continue;
      const t = totals.get(String(phase)) ?? { steps: 0, generated: 0, trained: 0, signal: 0 };
      t.steps++;
      t.generated += num(r.rolloutsGenerated) ?? 0;
      t.trained += num(r.rolloutsTrained) ?? 0;
      t.signal += num(r.groupsWithSignal) ?? 0;
      totals.set(String(phase), t);
    }
    for (const [phase, t] of totals) {
      const perRollout = t.generated > 0 ? (100 * t.signal) / t.generated : 0;
      rows.push([
        g.method,
        phase,
        String(t.steps),
        String(t.generated),
        String(t.trained),
        perRollout.toFixed(1),
      ]);
    }
  }
  if (rows.length === 0) return null;
  return {
    title: 'Rollouts by sGPO phase (all seeds)',
    head: [
      'method',
      'phase',
      'steps',
      'rollouts generated',
      'rollouts trained',
      'groups with signal per 100 rollouts',
    ],
    rows,
  };
}
