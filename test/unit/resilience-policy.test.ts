import { describe, expect, it } from 'vitest';
import { createUpstreamPolicy, resilienceOptionsSchema, type Instance, type ResilienceInput } from '../../src/resilience';
import { GatewayError } from '../../src/errors/gateway-error';
import { silentLogger } from '../../src/observability/logger';

const never = new AbortController().signal;
const unreachable = () => new GatewayError('UPSTREAM_UNREACHABLE', { upstream: { source: 's', operation: 'op' } });

function policy(targets: string[], resilience: ResilienceInput = {}, timeoutMs = 1_000) {
  return createUpstreamPolicy(
    's',
    { instances: targets.map((t) => ({ target: t, weight: 1 })), resilience: resilienceOptionsSchema.parse({ retry: { baseDelayMs: 1 }, ...resilience }), timeoutMs },
    silentLogger,
  );
}

/** Hangs until the attempt's signal aborts. */
const hang = (_i: Instance, signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));

describe('upstream policy', () => {
  it('fails over to a live instance for idempotent calls and ejects the dead one', async () => {
    const p = policy(['a', 'b']);
    const hits: string[] = [];
    const call = async (i: Instance) => {
      hits.push(i.target);
      if (i.target === 'a') throw unreachable();
      return i.target;
    };
    const burst = await Promise.all(Array.from({ length: 20 }, () => p.execute(call, { idempotent: true, signal: never, operation: 'op' })));
    expect(burst.every((r) => r === 'b')).toBe(true); // in flight together: each failure retried on b
    const before = hits.filter((h) => h === 'a').length;
    for (let k = 0; k < 20; k++) expect(await p.execute(call, { idempotent: true, signal: never, operation: 'op' })).toBe('b');
    expect(hits.filter((h) => h === 'a').length).toBe(before); // 5 failures in a row ejected it
    expect(p.snapshot().instances.find((i) => i.target === 'a')).toMatchObject({ ejected: true });
    expect(p.healthy()).toBe(true);
    p.dispose();
  });

  it('never retries a non-idempotent call', async () => {
    const p = policy(['a', 'b']);
    let calls = 0;
    const err = await p
      .execute(async () => {
        calls++;
        throw unreachable();
      }, { idempotent: false, signal: never, operation: 'POST /orders' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UPSTREAM_UNREACHABLE' });
    expect(calls).toBe(1);
    p.dispose();
  });

  it('retries at most maxRetries times', async () => {
    const p = policy(['a'], { circuitBreaker: { enabled: false } });
    let calls = 0;
    await p.execute(async () => {
      calls++;
      throw unreachable();
    }, { idempotent: true, signal: never, operation: 'op' }).catch(() => undefined);
    expect(calls).toBe(3);
    p.dispose();
  });

  it('a hanging attempt times out with UPSTREAM_TIMEOUT and its signal is aborted', async () => {
    const p = policy(['a'], {}, 50);
    const signals: AbortSignal[] = [];
    const started = Date.now();
    const err = await p.execute((i, s) => (signals.push(s), hang(i, s)), { idempotent: true, signal: never, operation: 'op' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(signals).toHaveLength(1); // a timeout is retried only on another instance
    expect(signals[0]!.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    p.dispose();
  });

  it('a timeout is retried on another instance when there is one', async () => {
    const p = policy(['hang', 'ok'], {}, 50);
    for (let k = 0; k < 4; k++) {
      const r = await p.execute((i, s) => (i.target === 'hang' ? hang(i, s) : Promise.resolve('ok')), { idempotent: true, signal: never, operation: 'op' });
      expect(r).toBe('ok');
    }
    p.dispose();
  });

  it('the request deadline bounds every attempt and the back-off', async () => {
    const p = policy(['a', 'b'], { deadlineMs: 120 }, 1_000);
    const started = Date.now();
    const err = await p.execute(hang, { idempotent: true, signal: never, operation: 'op' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(800);
    p.dispose();
  });

  it('opens the breaker: UPSTREAM_CIRCUIT_OPEN without calling, then closes after recovery', async () => {
    const p = policy(['a'], { circuitBreaker: { openMs: 100, halfOpenProbes: 1 } });
    let calls = 0;
    let failing = true;
    const call = async () => {
      calls++;
      if (failing) throw new GatewayError('UPSTREAM_HTTP_ERROR', { upstream: { source: 's', operation: 'op', status: 500 } });
      return 'ok';
    };
    for (let k = 0; k < 5; k++) await p.execute(call, { idempotent: true, signal: never, operation: 'op' }).catch(() => undefined);
    expect(calls).toBe(5); // 500 is not retried
    const before = calls;
    const err = await p.execute(call, { idempotent: true, signal: never, operation: 'op' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UPSTREAM_CIRCUIT_OPEN', extensions: { upstream: { source: 's', operation: 'op' } } });
    expect(calls).toBe(before);
    expect(p.healthy()).toBe(false);
    failing = false;
    await new Promise((r) => setTimeout(r, 120));
    expect(await p.execute(call, { idempotent: true, signal: never, operation: 'op' })).toBe('ok');
    expect(p.snapshot().instances[0]!.breaker).toBe('closed');
    expect(p.healthy()).toBe(true);
    p.dispose();
  });

  it('sheds load with UPSTREAM_OVERLOADED when in-flight and queue are full', async () => {
    const p = policy(['a'], { maxInFlight: 2, maxQueued: 1 });
    const ac = new AbortController();
    const pending = [0, 1, 2].map(() => p.execute(hang, { idempotent: true, signal: ac.signal, operation: 'op' }).catch((e: unknown) => e));
    const err = await p.execute(hang, { idempotent: true, signal: never, operation: 'op' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UPSTREAM_OVERLOADED' });
    expect(p.snapshot()).toMatchObject({ inFlight: 2, queued: 1 });
    ac.abort();
    await Promise.all(pending);
    expect(p.snapshot()).toMatchObject({ inFlight: 0, queued: 0 });
    p.dispose();
  });

  it('caps retries with the budget (≤ 20% extra + a small reserve) when everything fails', async () => {
    const p = policy(['a'], { circuitBreaker: { enabled: false }, outlierDetection: { enabled: false }, retry: { baseDelayMs: 1, budgetMinRetriesPerSec: 0.3 } });
    let calls = 0;
    const call = async () => {
      calls++;
      throw unreachable();
    };
    for (let k = 0; k < 100; k++) await p.execute(call, { idempotent: true, signal: never, operation: 'op' }).catch(() => undefined);
    expect(calls).toBeGreaterThanOrEqual(100);
    expect(calls).toBeLessThanOrEqual(123); // 100 calls + 20% + the reserve of 3
    p.dispose();
  });

  it('the caller aborting cancels the attempt in flight and is not retried or counted', async () => {
    const p = policy(['a', 'b']);
    const ac = new AbortController();
    const signals: AbortSignal[] = [];
    const pending = p.execute((i, s) => (signals.push(s), hang(i, s)), { idempotent: true, signal: ac.signal, operation: 'op' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await pending;
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
    expect(p.snapshot().instances.every((i) => i.breaker === 'closed' && !i.ejected)).toBe(true);
    p.dispose();
  });

  it('sticky keys keep one caller on one instance', async () => {
    const p = policy(['a', 'b', 'c']);
    for (const user of ['u1', 'u2', 'u3', 'u4']) {
      const seen = new Set<string>();
      for (let k = 0; k < 10; k++) seen.add(await p.execute(async (i) => i.target, { idempotent: true, signal: never, operation: 'op', stickyKey: user }));
      expect(seen.size).toBe(1);
    }
    p.dispose();
  });

  it("readiness 'always' ignores instance health", async () => {
    const p = policy(['a'], { readiness: 'always', circuitBreaker: { openMs: 60_000 } });
    for (let k = 0; k < 5; k++) await p.execute(async () => Promise.reject(unreachable()), { idempotent: false, signal: never, operation: 'op' }).catch(() => undefined);
    expect(p.snapshot().instances[0]!.breaker).toBe('open');
    expect(p.healthy()).toBe(true);
    p.dispose();
  });
});
