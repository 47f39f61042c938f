/** Builds the whole page's view model for a run or a benchmark directory. */
import { subjectOf } from './groups.js';
import type { Loaded } from './load.js';
import type { Chart, Section, View } from './types.js';
import { accuracySection } from './view-accuracy.js';
import { computeSection } from './view-compute.js';
import { metaSection, samplesSection } from './view-meta.js';
import { levelSection } from './view-levels.js';
import { sgpoSection } from './view-sgpo.js';
import { vipSection } from './view-vip.js';

const hasData = (c: Chart): boolean => c.series.some((s) => s.points.length > 0 && !s.dash);

/** Charts with nothing to draw are dropped and named under "not recorded" instead. */
function pruneEmpty(section: Section): Section {
  const empty = section.charts.filter((c) => !hasData(c));
  return {
    ...section,
    charts: section.charts.filter(hasData),
    missing: [...section.missing, ...empty.map((c) => `${c.title}: nothing recorded yet`)],
  };
}

export function buildView(loaded: Loaded): View {
  const s = subjectOf(loaded);
  const sections = [
    accuracySection(s),
    computeSection(s),
    sgpoSection(s),
    vipSection(s),
    levelSection(s),
    samplesSection(s),
    metaSection(s),
  ].filter((x): x is Section => x !== null);
  const status =
    loaded.kind === 'run'
      ? loaded.run.status
      : `${loaded.bench.runs.filter((r) => r.status === 'finished').length}/${loaded.bench.runs.length} runs finished` +
        (loaded.bench.results ? '' : ', results.json not written yet');
  const runs = s.groups.reduce((n, g) => n + g.runs.length, 0);
  return {
    title: `flopwise: ${s.title}`,
    subtitle: `${s.groups.length} method(s), ${runs} run(s)`,
    status,
    sections: sections.map(pruneEmpty),
  };
}
