/** Whatever a metrics file holds (fields missing, of the wrong type, or unknown), the view builds. */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDir } from '../../src/report/load.js';
import { buildView } from '../../src/report/view.js';
import { reportHtml } from '../../src/report/html.js';

const dir = mkdtempSync(join(tmpdir(), 'flopwise-robust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEYS = [
  'step',
  'eval',
  'ledger',
  'info',
  'chargedFlops',
  'rolloutsGenerated',
  'groupsWithSignal',
  'rolloutsDiscarded',
  'reward',
  'extra',
];
const junk = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -5, max: 50 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 4 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(
    fc.constantFrom(
      'greedyAccuracy',
      'sampledAccuracy',
      'byLevel',
      'examples',
      'phase',
      'rollout',
      'wallMs',
      'flops',
    ),
    fc.oneof(
      fc.constant(null),
      fc.double({ min: 0, max: 1 }),
      fc.string({ maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 2 }), fc.double({ min: 0, max: 1 })),
    ),
  ),
);
const row = fc.dictionary(fc.constantFrom(...KEYS), junk);

describe('report robustness', () => {
  it('any rows, any config: buildView returns a view and the page is written', () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 12 }),
        fc.oneof(fc.constant('{}'), fc.constant('[1]'), fc.constant('{"allocator":{"type":"vip"},"eval":5}')),
        (rows, config) => {
          const run = join(dir, `run${n++}`);
          mkdirSync(run);
          writeFileSync(join(run, 'config.json'), config);
          writeFileSync(
            join(run, 'metrics.jsonl'),
            rows.map((r) => JSON.stringify(r)).join('\n') + '\n{"half',
          );
          const view = buildView(loadDir(run));
          expect(view.sections.length).toBeGreaterThan(0);
          expect(reportHtml(view)).toContain('</html>');
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});
