import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evalPoints, firstCrossing, phaseChanges, seedBand, smooth } from '../../src/report/curves.js';
import { loadDir, parseJsonl, statusOf, STALE_MS } from '../../src/report/load.js';
import { buildView } from '../../src/report/view.js';
import { planTables, profileHistogram } from '../../src/report/view-sgpo.js';
import { reportedCrossing, targetOf } from '../../src/report/groups.js';
import { reportHtml, scriptSafe } from '../../src/report/html.js';
import { writeBenchDir, writeRunDir } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'flopwise-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report arithmetic', () => {
  it('seed band: each seed holds its latest value at matched x, an ended seed its last one', () => {
    const band = seedBand([
      [
        [0, 0.2],
        [10, 0.4],
        [20, 0.6],
      ],
      [
        [0, 0.4],
        [15, 0.8],
      ],
    ]);
    expect(band.x).toEqual([0, 10, 15, 20]);
    // at x = 15 seed 1 still holds 0.4 (its x = 10 value), seed 2 has 0.8; at 20 seed 2 holds 0.8
    band.mean.forEach((m, i) => expect(m).toBeCloseTo([0.3, 0.4, 0.6, 0.7][i], 12));
    expect(band.lo).toEqual([0.2, 0.4, 0.4, 0.6]);
    expect(band.hi).toEqual([0.4, 0.4, 0.8, 0.8]);
  });

  it('crossing: the first x at or above the target; null when never', () => {
    expect(firstCrossing([1, 2, 3], [0.1, 0.5, 0.9], 0.5)).toBe(2);
    expect(firstCrossing([1, 2], [0.1, 0.2], 0.5)).toBeNull();
  });

  it('moving average over a trailing window', () => {
    expect(
      smooth(
        [
          [1, 2],
          [2, 4],
          [3, 6],
          [4, 8],
        ],
        2,
      ),
    ).toEqual([
      [1, 2],
      [2, 3],
      [3, 5],
      [4, 7],
    ]);
  });

  it('a half-written last line (a crash mid-write) is skipped and counted, the rest kept', () => {
    const { rows, bad } = parseJsonl('{"step":0}\n{"step":1}\n{"step":2,"rew');
    expect(rows).toEqual([{ step: 0 }, { step: 1 }]);
    expect(bad).toBe(1);
  });

  it('status: finished with a summary, running while written to, stopped when stale', () => {
    const now = 1_000_000_000;
    expect(statusOf(true, 3, now - 10 * STALE_MS, now)).toBe('finished');
    expect(statusOf(false, 3, now - 1000, now)).toBe('running');
    expect(statusOf(false, 3, now - 2 * STALE_MS, now)).toBe('stopped');
    expect(statusOf(false, 0, 0, now)).toBe('empty');
  });

  it('profile histogram counts prompts by successes out of k', () => {
    const h = profileHistogram([
      { k: 4, successes: 0 },
      { k: 4, successes: 4 },
      { k: 4, successes: 2 },
      { k: 4, successes: 2 },
    ]);
    expect(h).toEqual({ k: 4, counts: [1, 0, 2, 0, 1] });
  });

  it('reads the target and crossings of results.json, and of files from earlier versions', () => {
    const now = {
      results: [{ method: 'grpo', baseline: 'grpo', target: 0.4, computeToTarget: { isotonic: 5 } }],
    };
    expect(targetOf(now)).toBe(0.4);
    expect(reportedCrossing(now, 'grpo')).toBe(5);
    const before = { target: 0.3, table: [{ method: 'grpo', meanComputeToTarget: null }] };
    expect(targetOf(before)).toBe(0.3);
    expect(reportedCrossing(before, 'grpo')).toBeNull();
    expect(reportedCrossing(before, 'vip')).toBeUndefined();
  });

  it('phase changes are found where info.phase changes', () => {
    const rows = [1, 2, 3, 4].map((step) => ({
      step,
      rolloutsGenerated: 1,
      info: { phase: step < 3 ? 1 : 2 },
    }));
    expect(phaseChanges(rows).map((c) => [c.row.step, c.phase])).toEqual([[3, '2']]);
  });

  it('eval points take the configured headline and fall back to the other accuracy', () => {
    const rows = [{ step: 5, chargedFlops: 10, eval: { greedyAccuracy: 0.5, sampledAccuracy: null } }];
    expect(evalPoints(rows, 'sampled')[0].accuracy).toBe(0.5);
  });
});

describe('report view', () => {
  it('a benchmark: accuracy with seed bands and crossings, ledger, sGPO plan, VIP, levels, samples, provenance', () => {
    const b = join(dir, 'bench');
    writeBenchDir(b);
    const view = buildView(loadDir(b));
    const ids = view.sections.map((s) => s.id);
    expect(ids).toEqual(['accuracy', 'compute', 'sgpo', 'vip', 'levels', 'samples', 'meta']);
    const acc = view.sections[0].charts.find((c) => c.id === 'acc-flops')!;
    expect(acc.bands).toHaveLength(3);
    expect(acc.hlines).toEqual([{ y: 0.515, label: 'target 51.5%' }]);
    // the benchmark's own crossings: grpo at 2e10, sGPO at 1e10, VIP never
    expect(acc.markers!.map((m) => [m.label, m.x])).toEqual([
      ['grpo reaches the target', 2e10],
      ['sgpo reaches the target', 1e10],
    ]);
    // on the step axis the same crossings sit at the steps where the runs had spent those FLOPs
    const bySteps = view.sections[0].charts.find((c) => c.id === 'acc-step')!;
    expect(bySteps.markers!.map((m) => [m.label, m.x])).toEqual([
      ['grpo reaches the target', 20],
      ['sgpo reaches the target', 10],
    ]);
    // sGPO phase 2 starts at step 11 (1.1e10 FLOPs) in its first seed
    expect(acc.vlines).toEqual([{ x: 1.1e10, label: 'sgpo: phase 2' }]);
    const verdicts = view.sections[0].tables[0];
    expect(verdicts.rows[1]).toEqual([
      'sgpo',
      'grpo',
      '50.0% [49.0%, 51.0%]',
      '10.00 GFLOP (confirmed 10.00 GFLOP, first touch 10.00 GFLOP)',
      '2.00× [1.00×, 4.00×] (no)',
      '2/2',
    ]);
    const plan = view.sections[2].tables.map((t) => t.title);
    expect(plan).toEqual([
      'sGPO plan: classes',
      'sGPO plan: phases (easy → hard)',
      'Rollouts by sGPO phase (all seeds)',
    ]);
    // fixture: 20 steps, phase 1 for steps 1–10, 64 rollouts and 40 trained a step, 4 + (step mod 3)
    // groups with signal: steps 1–10 give 4·10 + (1+2+0+1+2+0+1+2+0+1) = 50, per seed
    expect(view.sections[2].tables[2].rows[0]).toEqual(['sgpo', '1', '20', '1280', '800', '7.8']);
    expect(view.sections.every((s) => s.missing.length === 0)).toBe(true);
  });

  it('a run without meta, examples or levels says what is not recorded instead of failing', () => {
    const r = join(dir, 'bare');
    writeRunDir(r, {
      allocator: 'uniform',
      seed: 1,
      steps: 4,
      evalEvery: 2,
      start: 0.2,
      slope: 0.1,
      flopsPerStep: 1e9,
    });
    rmSync(join(r, 'meta.json'));
    writeFileSync(
      join(r, 'metrics.jsonl'),
      '{"step":0,"chargedFlops":0,"eval":{"greedyAccuracy":0.2,"sampledAccuracy":0.2}}\n',
    );
    appendFileSync(join(r, 'metrics.jsonl'), '{"step":1,"rolloutsGene');
    const view = buildView(loadDir(r));
    const missing = view.sections.flatMap((s) => s.missing);
    expect(missing).toContain('target accuracy (only a benchmark defines one)');
    expect(missing).toContain('sample completions (evaluations lack eval.examples)');
    expect(missing).toContain('per-level accuracy (evaluations lack eval.byLevel)');
    expect(missing).toContain('bare: meta.json (version, command line, base hash, times, machine)');
    const meta = view.sections.find((s) => s.id === 'meta')!.tables[0].rows;
    expect(meta).toContainEqual(['status', 'finished (1 unreadable metrics line(s) skipped)']);
  });

  it('a profile run on a server of undeclared size shows "not counted", not 0 FLOPs', () => {
    const r = join(dir, 'remote-profile');
    writeRunDir(r, {
      allocator: 'sgpo',
      seed: 1,
      steps: 2,
      evalEvery: 2,
      start: 0.2,
      slope: 0.1,
      flopsPerStep: 1e9,
    });
    const f = 1e9 * 2;
    const ledger = {
      profile: { flops: 0, tokens: 500, wallMs: 10, uncounted: true },
      rollout: { flops: 0.4 * f, tokens: 20, wallMs: 80 },
      logprob: { flops: 0.1 * f, tokens: 0, wallMs: 0 },
      train: { flops: 0.5 * f, tokens: 20, wallMs: 120 },
      eval: { flops: 0.2 * f, tokens: 0, wallMs: 20 },
    };
    writeFileSync(join(r, 'summary.json'), JSON.stringify({ steps: 2, ledger }));
    const compute = buildView(loadDir(r)).sections.find((s) =>
      s.tables.some((t) => t.title.startsWith('Compute ledger')),
    )!;
    const row = compute.tables.find((t) => t.title.startsWith('Compute ledger'))!.rows[0];
    expect(row[1]).toBe('not counted');
    expect(row[5]).toMatch(/\+ not counted$/);
    expect(row[2]).not.toBe('not counted');
  });

  it('a results.json shared without its run directories still draws its curves and ledgers', () => {
    const b = join(dir, 'results-only');
    mkdirSync(b);
    const evals = [0, 2].map((step) => ({
      step,
      chargedFlops: step * 1e9,
      accuracy: 0.5 + step / 100,
      greedyAccuracy: 0.6,
      byLevel: { 'add/1': { prompts: 4, accuracy: 0.75 } },
    }));
    const perStep = {
      step: [1, 2],
      phase: [1, 2],
      chargedFlops: [1e9, 2e9],
      reward: [0.5, 0.5],
      groups: [4, 4],
      generated: [32, 32],
      trained: [16, 8],
      discarded: [0, 0],
      groupsWithSignal: [2, 1],
    };
    const ledger = {
      profile: { flops: 1e8, tokens: 0, wallMs: 0 },
      rollout: { flops: 1e9, tokens: 0, wallMs: 0 },
      logprob: { flops: 0, tokens: 0, wallMs: 0 },
      train: { flops: 1e9, tokens: 0, wallMs: 0 },
      eval: { flops: 5e8, tokens: 0, wallMs: 0 },
    };
    const results = {
      protocol: { eval: { headline: 'sampled' } },
      results: [{ method: 'sgpo', baseline: 'sgpo', target: 0.52, computeToTarget: { isotonic: 2e9 } }],
      runs: { sgpo: [{ seed: 1, evals, perStep, ledger }] },
    };
    writeFileSync(join(b, 'results.json'), JSON.stringify(results));
    const view = buildView(loadDir(b));
    const acc = view.sections[0];
    expect(acc.charts.map((c) => c.id)).toEqual(['acc-flops', 'acc-step']);
    expect(acc.missing).toContain('Held-out accuracy vs wall time: nothing recorded yet');
    expect(acc.charts[0].series[0].points).toEqual([
      [0, 0.5],
      [2e9, 0.52],
    ]);
    expect(acc.charts[0].vlines).toEqual([{ x: 2e9, label: 'sgpo: phase 2' }]);
    expect(view.sections[1].stacks![0].rows[0].values).toEqual([1e8, 1e9, 0, 1e9]);
    const levels = view.sections.find((x) => x.id === 'levels')!;
    expect(levels.charts[0].series[0].points).toEqual([
      [0, 0.75],
      [2, 0.75],
    ]);
  });

  it('a directory that is neither a run nor a benchmark is a clear error', () => {
    expect(() => loadDir(join(dir, 'nothing'))).toThrow(
      /neither a run directory .* nor a benchmark directory/,
    );
  });

  it('the embedded JSON cannot close its script tag', () => {
    const text = '</script><script>alert(1)</script>';
    expect(scriptSafe(JSON.stringify(text))).not.toContain('</');
    expect(JSON.parse(scriptSafe(JSON.stringify(text)))).toBe(text);
    const html = reportHtml({ title: text, subtitle: '', status: 'x', sections: [] });
    expect(html.match(/<\/script>/g)!.length).toBe(3); // uPlot, the view, the page script
  });

  it("plan table: kept unsolved prompts (G null) are listed at their phase's G, not as G = 0", () => {
    const rows = [
      { class: 'learnable', kept: true, G: 2, phase: '1' },
      { class: 'learnable', kept: true, G: 4, phase: '2' },
      { class: 'unsolved', kept: true, G: null, phase: '1,2' },
      { class: 'trivial', kept: false, G: null, phase: '' },
    ];
    const [classes, phases] = planTables(rows);
    expect(classes.rows).toEqual([
      ['learnable', '2', '50.0%', '2'],
      ['unsolved', '1', '25.0%', '1'],
      ['trivial', '1', '25.0%', '0'],
    ]);
    expect(phases.rows).toEqual([
      ['1', '2', "G=2 (1), unsolved at the phase's G (1)"],
      ['2', '2', "G=4 (1), unsolved at the phase's G (1)"],
    ]);
  });
});
