import { describe, expect, it } from 'vitest';
import { pickLeastInFlight, pickRoundRobin, pickSticky, type Balanceable } from '../../src/resilience/balancer';
import { resilienceOptionsSchema, RESILIENCE_DEFAULTS } from '../../src/resilience/options';

const inst = (id: string, weight = 1, inFlight = 0): Balanceable => ({ id, weight, inFlight, currentWeight: 0 });

function counts(picks: (Balanceable | undefined)[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const p of picks) c[p!.id] = (c[p!.id] ?? 0) + 1;
  return c;
}

describe('balancer', () => {
  it('round-robin alternates equal instances', () => {
    const list = [inst('a'), inst('b'), inst('c')];
    expect(Array.from({ length: 6 }, () => pickRoundRobin(list)!.id)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('weighted round-robin gives exact shares (95/5 over 1000 picks)', () => {
    const list = [inst('v1', 95), inst('v2', 5)];
    expect(counts(Array.from({ length: 1000 }, () => pickRoundRobin(list)))).toEqual({ v1: 950, v2: 50 });
  });

  it('least-in-flight prefers the idle instance, by weight', () => {
    expect(pickLeastInFlight([inst('a', 1, 3), inst('b', 1, 1), inst('c', 1, 2)])!.id).toBe('b');
    expect(pickLeastInFlight([inst('a', 4, 3), inst('b', 1, 1)])!.id).toBe('a'); // 4/4 < 2/1
  });

  it('sticky: one key always gets one instance; weights hold over many keys', () => {
    const list = [inst('http://v1', 95), inst('http://v2', 5)];
    for (let u = 0; u < 50; u++) {
      const first = pickSticky(list, `user-${u}`)!.id;
      for (let k = 0; k < 5; k++) expect(pickSticky(list, `user-${u}`)!.id).toBe(first);
    }
    const c = counts(Array.from({ length: 2000 }, (_, u) => pickSticky(list, `user-${u}`)));
    expect(c['http://v2']).toBeGreaterThan(60); // expected 100 (5%)
    expect(c['http://v2']).toBeLessThan(140);
  });

  it('sticky: removing one instance moves only its keys', () => {
    const three = [inst('a'), inst('b'), inst('c')];
    const two = [three[0]!, three[2]!];
    let moved = 0;
    for (let u = 0; u < 600; u++) {
      const before = pickSticky(three, `u${u}`)!.id;
      const after = pickSticky(two, `u${u}`)!.id;
      if (before !== 'b') expect(after).toBe(before);
      else moved++;
    }
    expect(moved).toBeGreaterThan(120);
  });
});

describe('resilience options', () => {
  it('defaults follow RELIABILITY.md §3', () => {
    expect(RESILIENCE_DEFAULTS).toMatchObject({
      loadBalancing: 'round-robin',
      deadlineMs: 30_000,
      maxInFlight: 100,
      maxQueued: 1_024,
      readiness: 'any-healthy',
      retry: { maxRetries: 2, baseDelayMs: 100, budgetRatio: 0.2, budgetMinRetriesPerSec: 3 },
      circuitBreaker: { failureRateThreshold: 0.5, windowSize: 20, minCalls: 10, consecutiveFailures: 5, openMs: 30_000, halfOpenProbes: 3 },
      outlierDetection: { consecutiveFailures: 5, baseEjectionMs: 30_000 },
      healthCheck: { enabled: false, intervalMs: 10_000, timeoutMs: 2_000 },
    });
  });

  it('nested partial objects keep the other defaults; unknown keys are refused', () => {
    const o = resilienceOptionsSchema.parse({ retry: { maxRetries: 1 }, circuitBreaker: { openMs: 500 } });
    expect(o.retry).toMatchObject({ maxRetries: 1, baseDelayMs: 100 });
    expect(o.circuitBreaker).toMatchObject({ openMs: 500, consecutiveFailures: 5 });
    expect(resilienceOptionsSchema.safeParse({ retries: 3 }).success).toBe(false);
    expect(resilienceOptionsSchema.safeParse({ sticky: { header: 'X-User' } }).data?.sticky).toEqual({ header: 'x-user' });
  });
});
