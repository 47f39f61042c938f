import type { Problem } from '../tasks/types.js';

export interface LengthStats {
  min: number;
  mean: number;
  max: number;
}

export interface FamilySummary {
  count: number;
  /** difficulty → number of problems, keys ascending. */
  difficulty: Record<string, number>;
  answerLength: LengthStats;
  promptLength: LengthStats;
}

export interface DatasetSummary {
  rows: number;
  families: Record<string, FamilySummary>;
  answerLength: LengthStats;
  promptLength: LengthStats;
}

function stats(xs: number[]): LengthStats {
  if (xs.length === 0) return { min: 0, mean: 0, max: 0 };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of xs) {
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
  }
  return { min, mean: sum / xs.length, max };
}

/** Rows, families, difficulty histogram per family, and prompt/answer length statistics. */
export function summarize(problems: readonly Problem[]): DatasetSummary {
  const by = new Map<string, Problem[]>();
  for (const p of problems) {
    const list = by.get(p.meta.family) ?? [];
    list.push(p);
    by.set(p.meta.family, list);
  }
  const families: Record<string, FamilySummary> = {};
  for (const name of [...by.keys()].sort()) {
    const list = by.get(name)!;
    const hist = new Map<number, number>();
    for (const p of list) hist.set(p.meta.difficulty, (hist.get(p.meta.difficulty) ?? 0) + 1);
    const difficulty: Record<string, number> = {};
    for (const d of [...hist.keys()].sort((a, b) => a - b)) difficulty[String(d)] = hist.get(d)!;
    families[name] = {
      count: list.length,
      difficulty,
      answerLength: stats(list.map((p) => p.answer.length)),
      promptLength: stats(list.map((p) => p.prompt.length)),
    };
  }
  return {
    rows: problems.length,
    families,
    answerLength: stats(problems.map((p) => p.answer.length)),
    promptLength: stats(problems.map((p) => p.prompt.length)),
  };
}

/** A plain-text rendering of a summary. */
export function formatSummary(s: DatasetSummary): string {
  const f = (x: LengthStats) => `min ${x.min}, mean ${x.mean.toFixed(1)}, max ${x.max}`;
  const lines = [
    `rows: ${s.rows}`,
    `prompt length: ${f(s.promptLength)}`,
    `answer length: ${f(s.answerLength)}`,
    'families:',
  ];
  for (const [name, fam] of Object.entries(s.families)) {
    lines.push(`  ${name}: ${fam.count} rows; answer length ${f(fam.answerLength)}`);
    const hist = Object.entries(fam.difficulty)
      .map(([d, n]) => `${d}:${n}`)
      .join('  ');
    lines.push(`    difficulty histogram: ${hist}`);
  }
  return lines.join('\n');
}
