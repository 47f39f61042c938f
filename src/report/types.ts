/**
 * The view model: what the page draws, as plain JSON. The report embeds one; the dashboard serves one
 * per poll. The same browser script renders both, so a chart looks the same in either place.
 */
import type { XY } from './curves.js';

export interface ChartSeries {
  label: string;
  color: string;
  points: XY[];
  /** Seeds are drawn thin and translucent behind their mean. */
  faint?: boolean;
  dash?: boolean;
  /** line (default), points only, or bars. */
  kind?: 'line' | 'points' | 'bars';
  /** Listed in the chart's legend (seeds are not, their method is). */
  legend?: boolean;
}

export interface ChartBand {
  color: string;
  x: number[];
  lo: number[];
  hi: number[];
}

export interface Chart {
  id: string;
  title: string;
  note?: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  bands?: ChartBand[];
  hlines?: Array<{ y: number; label: string }>;
  vlines?: Array<{ x: number; label: string }>;
  /** Points drawn as large rings (where a method crosses the target). */
  markers?: Array<{ x: number; y: number; label: string; color: string }>;
}

export interface Table {
  title: string;
  note?: string;
  head: string[];
  rows: string[][];
}

/** Horizontal stacked bars (the compute ledger by phase). */
export interface Stacks {
  title: string;
  note?: string;
  parts: Array<{ name: string; color: string }>;
  rows: Array<{ label: string; values: number[]; text: string }>;
}

export interface Section {
  id: string;
  title: string;
  charts: Chart[];
  tables: Table[];
  stacks?: Stacks[];
  /** Blocks of preformatted text (the resolved config). */
  blocks?: Array<{ title: string; text: string }>;
  /** What this section would show but the directory does not record. */
  missing: string[];
}

export interface View {
  title: string;
  subtitle: string;
  status: string;
  sections: Section[];
}
