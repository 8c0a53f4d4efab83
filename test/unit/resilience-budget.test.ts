import { describe, expect, it } from 'vitest';
import { RetryBudget, backoffDelayMs } from '../../src/resilience/retry-budget';
import { ConcurrencyLimiter } from '../../src/resilience/limiter';

describe('retry budget', () => {
  const opts = { budgetRatio: 0.2, budgetMinRetriesPerSec: 0.3, budgetWindowMs: 10_000 }; // reserve: 3 per window

  it('allows the reserve at low traffic, plus 20% of calls', () => {
    const b = new RetryBudget(opts);
    b.recordCall(1);
    expect([b.tryRetry(1), b.tryRetry(1), b.tryRetry(1), b.tryRetry(1)]).toEqual([true, true, true, false]);
    for (let i = 0; i < 99; i++) b.recordCall(2); // 100 calls → 3 + 20 retries
    let granted = 3;
    while (b.tryRetry(3)) granted++;
    expect(granted).toBe(23);
  });

  it('forgets calls and retries once they leave the sliding window', () => {
    const b = new RetryBudget(opts);
    for (let i = 0; i < 100; i++) b.recordCall(1);
    while (b.tryRetry(1));
    expect(b.usage(1)).toEqual({ calls: 100, retries: 23 });
    expect(b.tryRetry(5_000)).toBe(false);
    expect(b.usage(12_000)).toEqual({ calls: 0, retries: 0 });
    expect(b.tryRetry(12_000)).toBe(true);
  });
});

describe('full-jitter back-off', () => {
  it('is uniform in [0, base × 2^n] and capped', () => {
    expect(backoffDelayMs(0, 100, 2_000, () => 0.999)).toBe(99);
    expect(backoffDelayMs(1, 100, 2_000, () => 0.5)).toBe(100);
    expect(backoffDelayMs(3, 100, 2_000, () => 0.999)).toBe(799);
    expect(backoffDelayMs(10, 100, 2_000, () => 0.999)).toBe(1_998);
    expect(backoffDelayMs(2, 100, 2_000, () => 0)).toBe(0);
  });
});

describe('concurrency limiter', () => {
  const never = new AbortController().signal;

  it('runs maxInFlight, queues maxQueued in order, refuses the next at once', async () => {
    const l = new ConcurrencyLimiter(2, 2);
    expect(l.acquire(never)).toBe(true);
    expect(l.acquire(never)).toBe(true);
    const order: number[] = [];
    const a = (l.acquire(never) as Promise<boolean>).then(() => order.push(1));
    const b = (l.acquire(never) as Promise<boolean>).then(() => order.push(2));
    expect(l.acquire(never)).toBe(false);
    expect(l.queued).toBe(2);
    l.release();
    l.release();
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
    expect(l.inFlight).toBe(2);
    l.release();
    l.release();
    expect(l.inFlight).toBe(0);
  });

  it('an aborted waiter leaves the queue', async () => {
    const l = new ConcurrencyLimiter(1, 1);
    l.acquire(never);
    const ac = new AbortController();
    const waiting = l.acquire(ac.signal) as Promise<boolean>;
    ac.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(l.queued).toBe(0);
    l.release();
    expect(l.inFlight).toBe(0);
  });
});

describe('tcp reachability probe', () => {
  it('resolves for a listening port and rejects for a closed one', async () => {
    const { createServer } = await import('node:net');
    const { tcpReachable } = await import('../../src/resilience/probes');
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    await expect(tcpReachable(`http://127.0.0.1:${port}/soap`, AbortSignal.timeout(2_000))).resolves.toBeUndefined();
    await expect(tcpReachable(`127.0.0.1:${port}`, AbortSignal.timeout(2_000))).resolves.toBeUndefined();
    await new Promise((r) => server.close(r));
    await expect(tcpReachable(`http://127.0.0.1:${port}/soap`, AbortSignal.timeout(2_000))).rejects.toThrow();
  });
});
