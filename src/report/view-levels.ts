/** Held-out accuracy per task level over time. */
import { seedBand, type XY } from './curves.js';
import { PALETTE, type Subject } from './groups.js';
import type { Chart, Section } from './types.js';

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
