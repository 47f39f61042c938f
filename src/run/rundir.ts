/**
 * The run directory: resolved config, metrics as JSONL (one row per step), checkpoints, summary.
 *
 * Every file that a crash could leave half-written is written to a temp file and renamed, and
 * `latest` points at a checkpoint only after that checkpoint is complete.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../data/atomic.js';

export { readJson, writeFileAtomic, writeJsonAtomic };

export class RunDir {
  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  get configPath(): string {
    return join(this.root, 'config.json');
  }
  get metricsPath(): string {
    return join(this.root, 'metrics.jsonl');
  }
  get summaryPath(): string {
    return join(this.root, 'summary.json');
  }
  checkpointDir(step: number): string {
    return join(this.root, 'checkpoints', `step-${String(step).padStart(6, '0')}`);
  }

  writeConfig(config: unknown): void {
    writeJsonAtomic(this.configPath, config);
  }

  appendMetrics(row: Record<string, unknown>): void {
    appendFileSync(this.metricsPath, JSON.stringify(row) + '\n');
  }

  readMetrics(): Record<string, unknown>[] {
    if (!existsSync(this.metricsPath)) return [];
    const lines = readFileSync(this.metricsPath, 'utf8').split('\n');
    const rows: Record<string, unknown>[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        rows.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        break; // a line cut off by a crash: everything from here on is redone
      }
    }
    return rows;
  }

  /** Keeps the metric rows with step ≤ `step` (rows written after the last checkpoint are redone on resume). */
  truncateMetrics(step: number): void {
    const rows = this.readMetrics().filter((r) => typeof r.step === 'number' && r.step <= step);
    writeFileAtomic(this.metricsPath, rows.map((r) => JSON.stringify(r) + '\n').join(''));
  }

  /** Marks a finished checkpoint as the one to resume from. */
  setLatest(step: number): void {
    writeJsonAtomic(join(this.root, 'checkpoints', 'latest.json'), { step, dir: this.checkpointDir(step) });
  }

  latest(): { step: number; dir: string } | undefined {
    const p = join(this.root, 'checkpoints', 'latest.json');
    return existsSync(p) ? readJson<{ step: number; dir: string }>(p) : undefined;
  }

  writeSummary(summary: unknown): void {
    writeJsonAtomic(this.summaryPath, summary);
  }
}
