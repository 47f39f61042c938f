/**
 * Runs rebuilt from a benchmark's results.json when its run directories are not there (a results
 * file shared on its own): the evaluation curves with per-level accuracy, per-step rollout columns
 * and the final ledger. Wall time per step, VIP details and sample completions live only in the
 * run directories, so those views say "not recorded".
 */
import type { Row, RunData } from './load.js';

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function evalRows(detail: Row, headline: string): Row[] {
  return arr(detail.evals).map((e) => {
    const r = e as Row;
    const headlineValue = typeof r.accuracy === 'number' ? r.accuracy : null;
    return {
      step: r.step,
      chargedFlops: r.chargedFlops,
      eval: {
        greedyAccuracy: headline === 'greedy' ? headlineValue : r.greedyAccuracy,
        sampledAccuracy: headline === 'greedy' ? null : headlineValue,
        byLevel: r.byLevel ?? undefined,
      },
    };
  });
}

/** The per-step columns back into rows, with the names metrics.jsonl uses. */
function stepRowsOf(detail: Row): Row[] {
  const cols = (detail.perStep ?? {}) as Record<string, unknown>;
  const names: Record<string, string> = {
    chargedFlops: 'chargedFlops',
    reward: 'reward',
    groups: 'groups',
    generated: 'rolloutsGenerated',
    trained: 'rolloutsTrained',
    discarded: 'rolloutsDiscarded',
    groupsWithSignal: 'groupsWithSignal',
  };
  return arr(cols.step).map((step, i) => {
    const row: Row = { step };
    for (const [col, name] of Object.entries(names)) row[name] = arr(cols[col])[i];
    const phase = arr(cols.phase)[i];
    if (phase !== null && phase !== undefined) row.info = { phase };
    return row;
  });
}

/** The allocator a benchmark method's name starts with (sgpo…, vip…), for the method-specific views. */
const allocatorOf = (method: string): string | undefined => ['sgpo', 'vip'].find((a) => method.startsWith(a));

export function runsFromResults(results: Row | null): RunData[] {
  const runs = results?.runs;
  if (!runs || typeof runs !== 'object') return [];
  const protocol = (results?.protocol as Row | undefined) ?? {};
  const headline = String((protocol.eval as Row | undefined)?.headline ?? 'sampled');
  const out: RunData[] = [];
  for (const [method, details] of Object.entries(runs as Record<string, unknown>)) {
    for (const d of arr(details)) {
      const detail = d as Row;
      const seed = typeof detail.seed === 'number' ? detail.seed : null;
      const rows = [...evalRows(detail, headline), ...stepRowsOf(detail)].sort(
        (a, b) => (a.step as number) - (b.step as number),
      );
      out.push({
        name: `${method}-seed${seed ?? '?'}`,
        dir: String(detail.runDir ?? ''),
        method,
        seed,
        config: { eval: { headline }, allocator: { type: allocatorOf(method) } },
        meta: null,
        summary: { ledger: detail.ledger },
        rows,
        badLines: 0,
        profile: null,
        status: 'finished',
        updatedAt: 0,
      });
    }
  }
  return out;
}
