import { afterAll, describe, expect, it } from 'vitest';
import { closeSharedVerifierPool, VerifierPool, verifyWithTimeout } from '../../src/verify/index.js';

describe('VerifierPool (worker threads, time limit)', () => {
  const pool = new VerifierPool({ size: 2, timeoutMs: 1500 });
  afterAll(async () => {
    await pool.close();
    await closeSharedVerifierPool();
  });

  it('verifies in a worker', async () => {
    expect(await pool.verify({ completion: 'so \\boxed{\\frac{1}{2}}', groundTruth: '0.5' })).toEqual({
      reward: 1,
      reason: 'correct',
      extracted: '\\frac{1}{2}',
      step: 'boxed',
    });
    expect(await pool.verify({ completion: 'The answer is 12', groundTruth: '21' })).toMatchObject({
      reward: 0,
      reason: 'wrong',
    });
  });

  it('cuts a check that never returns off within the limit, scores 0 with reason timeout, and goes on', async () => {
    await pool.verify({ completion: '1', groundTruth: '1' }); // workers warm
    const t0 = Date.now();
    const r = await pool.verify({ completion: '1', groundTruth: '1', debug: 'hang', timeoutMs: 300 });
    const elapsed = Date.now() - t0;
    expect(r.reward).toBe(0);
    expect(r.reason).toBe('timeout');
    expect(r.message).toMatch(/300 ms/);
    expect(elapsed).toBeLessThan(1000);
    // The next checks still work (the hung worker was replaced).
    const next = await pool.verifyMany([
      { completion: '\\boxed{3}', groundTruth: '3' },
      { completion: '\\boxed{x^2+2x+1}', groundTruth: '(x+1)^2' },
      { completion: '\\boxed{4}', groundTruth: '3' },
    ]);
    expect(next.map((x) => x.reward)).toEqual([1, 1, 0]);
  });

  it('a check that throws scores 0 with reason error and its message', async () => {
    const r = await pool.verify({ completion: '1', groundTruth: '1', debug: 'throw' });
    expect(r).toEqual({ reward: 0, reason: 'error', message: 'debug: check threw' });
    expect((await pool.verify({ completion: '\\boxed{1}', groundTruth: '1' })).reward).toBe(1);
  });

  it('a huge pathological expression is cut off or answered within the limit, never hangs', async () => {
    const huge = '\\boxed{' + '('.repeat(3000) + 'x' + ')'.repeat(3000) + '^' + '9^'.repeat(500) + '9}';
    const t0 = Date.now();
    const r = await pool.verify({ completion: huge, groundTruth: 'x', timeoutMs: 1000 });
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(r.reward).toBe(0);
    expect(['timeout', 'error', 'wrong', 'no_answer']).toContain(r.reason);
  });

  it('handles many checks with more tasks than workers, in order', async () => {
    const tasks = Array.from({ length: 100 }, (_, i) => ({
      completion: `\\boxed{${i}}`,
      groundTruth: String(i % 2 ? i : i + 1),
    }));
    const res = await pool.verifyMany(tasks);
    expect(res.map((r) => r.reward)).toEqual(tasks.map((_, i) => (i % 2 ? 1 : 0)));
  });

  it('counts every outcome, timeouts and crashes included', async () => {
    const counted = new VerifierPool({ size: 2, timeoutMs: 400 });
    try {
      await counted.verifyMany([
        { completion: '\\boxed{3}', groundTruth: '3' },
        { completion: '\\boxed{4}', groundTruth: '3' },
        { completion: 'so \\boxed{\\frac{1}{', groundTruth: '3' },
        { completion: 'nothing here', groundTruth: '3' },
        { completion: '1', groundTruth: '1', debug: 'hang' },
        { completion: '1', groundTruth: '1', debug: 'throw' },
      ]);
      expect(counted.stats()).toEqual({
        correct: 1,
        wrong: 1,
        malformed: 1,
        no_answer: 1,
        timeout: 1,
        error: 1,
      });
    } finally {
      await counted.close();
    }
  });

  it('runs checks in parallel across its workers', async () => {
    const parallel = new VerifierPool({ size: 2, timeoutMs: 300 });
    try {
      await parallel.whenReady();
      const res = await parallel.verifyMany(
        Array.from({ length: 4 }, () => ({ completion: '1', groundTruth: '1', debug: 'hang' as const })),
      );
      expect(res.every((r) => r.reason === 'timeout')).toBe(true);
      expect(parallel.peakInFlight()).toBe(2);
    } finally {
      await parallel.close();
    }
  });

  it('verifyWithTimeout uses a shared pool', async () => {
    expect(await verifyWithTimeout('The answer is 50%', '0.5', { percent: 'fraction' })).toMatchObject({
      reward: 1,
      reason: 'correct',
    });
    expect(await verifyWithTimeout('The answer is 50%', '0.5')).toMatchObject({ reward: 0, reason: 'wrong' });
    expect(await verifyWithTimeout('x', 'y', { debug: 'hang', timeoutMs: 200 })).toMatchObject({
      reward: 0,
      reason: 'timeout',
    });
    expect(await verifyWithTimeout('\\boxed{2}', '2')).toMatchObject({ reward: 1 });
  });
});
