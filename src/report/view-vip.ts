/** VIP's views: rollouts per prompt over steps and predicted against observed success. */
import { num, perStep, type XY } from './curves.js';
import { PALETTE, type Subject } from './groups.js';
import type { Row } from './load.js';
import { perStepChart } from './view-compute.js';
import type { Chart, Section } from './types.js';

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
