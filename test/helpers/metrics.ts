import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A run's metrics rows without wall times: what must match between a resumed and a whole run. */
export function metricRowsWithoutTimes(root: string): Array<Record<string, unknown>> {
  return readFileSync(join(root, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      delete r.wallMs;
      for (const p of Object.values((r.ledger as Record<string, { wallMs?: number }>) ?? {})) delete p.wallMs;
      return r;
    });
}
