/** Method-specific views: the sGPO profile and plan, VIP's allocation and predictions, per-level accuracy. */
import { num, perStep, seedBand, stepRows, type XY } from './curves.js';
import { fmtPct } from './format.js';
import { PALETTE, type Subject } from './groups.js';
import type { Row } from './load.js';
import { perStepChart } from './view-compute.js';
import type { Chart, Section, Table } from './types.js';

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
  const phases = new Map<string, { n: number; G: Map<number, number> }>();
  for (const r of profile) {
    const c = classes.get(String(r.class)) ?? { n: 0, kept: 0 };
    c.n++;
    if (r.kept === true) c.kept++;
    classes.set(String(r.class), c);
    for (const ph of String(r.phase ?? '')
      .split(',')
      .filter(Boolean)) {
      const p = phases.get(ph) ?? { n: 0, G: new Map<number, number>() };
      p.n++;
      const G = num(r.G) ?? 0;
      p.G.set(G, (p.G.get(G) ?? 0) + 1);
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

const VIP_KEYS = ['rolloutsPerPromptMin', 'rolloutsPerPromptMedian', 'rolloutsPerPromptMax'] as const;
const info = (r: Row, key: string): number | null => num((r.info as Row | undefined)?.[key]);

export function vipSection(s: Subject): Section | null {
  const vipGroups = s.groups.filter((g) =>
    g.runs.some((r) => (r.config?.allocator as Row | undefined)?.type === 'vip'),
  );
  if (vipGroups.length === 0) return null;
  const sub: Subject = { ...s, groups: vipGroups };
  const section: Section = {
    id: 'vip',
    title: 'VIP: allocation and predictions',
    charts: [],
    tables: [],
    missing: [],
  };
  const rows = vipGroups[0].runs[0].rows;
  if (perStep(rows, (r) => info(r, VIP_KEYS[1])).length) {
    const chart: Chart = {
      id: 'vip-n',
      title: `Rollouts per prompt over steps (${vipGroups[0].method}, first seed)`,
      xLabel: 'step',
      yLabel: 'rollouts per prompt',
      series: [],
    };
    VIP_KEYS.forEach((key, i) => {
      chart.series.push({
        label: key.replace('rolloutsPerPrompt', '').toLowerCase(),
        color: PALETTE[i],
        points: perStep(rows, (r) => info(r, key)),
        legend: true,
        dash: i !== 1,
      });
    });
    section.charts.push(chart);
  } else section.missing.push('rollouts per prompt (step rows lack info.rolloutsPerPromptMedian)');
  if (perStep(rows, (r) => info(r, 'predictedSuccess')).length) {
    section.charts.push(vipCalibration(sub));
    section.charts.push(
      perStepChart(
        sub,
        {
          id: 'vip-err',
          title: 'Prediction error per step',
          yLabel: 'mean |predicted − observed| over prompts',
        },
        (r) => info(r, 'predictionAbsError'),
      ),
    );
  } else section.missing.push('predicted vs observed success (step rows lack info.predictedSuccess)');
  return section;
}

/** Per step: mean predicted success of the step's prompts against their observed success rate. */
function vipCalibration(s: Subject): Chart {
  const chart: Chart = {
    id: 'vip-calibration',
    title: 'Predicted vs observed success (one point per step)',
    note: 'Mean over the step’s prompts; on the diagonal the predictor is calibrated.',
    xLabel: 'predicted success (GP)',
    yLabel: 'observed success rate',
    series: [
      {
        label: 'calibrated',
        color: '#777777',
        dash: true,
        points: [
          [0, 0],
          [1, 1],
        ],
      },
    ],
  };
  for (const g of s.groups) {
    const points: XY[] = [];
    for (const r of g.runs.flatMap((run) => run.rows)) {
      const p = info(r, 'predictedSuccess');
      const o = info(r, 'observedSuccess');
      if (p !== null && o !== null) points.push([p, o]);
    }
    points.sort((a, b) => a[0] - b[0]);
    chart.series.push({ label: g.method, color: g.color, kind: 'points', points, legend: true });
  }
  return chart;
}

/** Held-out accuracy per level over steps, one chart per method (seed mean), so forgetting shows. */
export function levelSection(s: Subject): Section {
  const section: Section = {
    id: 'levels',
    title: 'Held-out accuracy per level',
    charts: [],
    tables: [],
    missing: [],
  };
  for (const g of s.groups) {
    const levels = [...new Set(g.evals.flat().flatMap((p) => Object.keys(p.byLevel)))].sort();
    if (levels.length === 0) continue;
    const chart: Chart = {
      id: `levels-${g.method}`,
      title: `${g.method}: accuracy per level`,
      note: g.runs.length > 1 ? 'Seed mean at matched steps.' : undefined,
      xLabel: 'step',
      yLabel: 'held-out accuracy',
      series: [],
    };
    levels.forEach((level, i) => {
      const curves = g.evals.map((ev) =>
        ev.filter((p) => level in p.byLevel).map((p): XY => [p.step, p.byLevel[level]]),
      );
      const band = seedBand(curves);
      chart.series.push({
        label: level,
        color: PALETTE[i % PALETTE.length],
        dash: i >= PALETTE.length,
        points: band.x.map((x, j): XY => [x, band.mean[j]]),
        legend: true,
      });
    });
    section.charts.push(chart);
  }
  if (section.charts.length === 0) section.missing.push('per-level accuracy (evaluations lack eval.byLevel)');
  return section;
}
