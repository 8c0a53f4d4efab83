import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/resilience/circuit-breaker';
import { RESILIENCE_DEFAULTS } from '../../src/resilience/options';

const opts = { ...RESILIENCE_DEFAULTS.circuitBreaker, openMs: 1_000 };

function run(b: CircuitBreaker, failed: boolean, now: number) {
  const p = b.tryAcquire(now);
  expect(p).not.toBeNull();
  b.record(p!, failed, now);
}

describe('circuit breaker', () => {
  it('opens after 5 consecutive failures and fails fast while open', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 4; i++) run(b, true, 0);
    expect(b.state(0)).toBe('closed');
    run(b, true, 0);
    expect(b.state(0)).toBe('open');
    expect(b.tryAcquire(999)).toBeNull();
  });

  it('opens at >= 50% failures over the window once 10 calls are in, not before', () => {
    const b = new CircuitBreaker(opts);
    // alternate: never 5 in a row; 4 failures in 8 calls stays closed (below minCalls)
    for (let i = 0; i < 8; i++) run(b, i % 2 === 0, 0);
    expect(b.state(0)).toBe('closed');
    run(b, false, 0); // 9 calls, 4 failures
    run(b, true, 0); // 10 calls, 5 failures = 50%
    expect(b.state(0)).toBe('open');
  });

  it('stays closed at 40% failures over a full window', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 100; i++) run(b, i % 5 >= 3, 0); // the last 2 of every 5 fail
    expect(b.state(0)).toBe('closed');
    expect(b.failureRate()).toBeCloseTo(0.4, 5);
  });

  it('half-opens after openMs, closes after all probes succeed, reopens on a failed probe', () => {
    const changes: string[] = [];
    const b = new CircuitBreaker(opts, (from, to) => changes.push(`${from}->${to}`));
    for (let i = 0; i < 5; i++) run(b, true, 0);
    expect(b.state(1_000)).toBe('half-open');
    const probes = [b.tryAcquire(1_000), b.tryAcquire(1_000), b.tryAcquire(1_000)];
    expect(probes).toEqual(['probe', 'probe', 'probe']);
    expect(b.tryAcquire(1_000)).toBeNull(); // only 3 trial calls at a time
    b.record('probe', false, 1_001);
    b.record('probe', true, 1_002);
    expect(b.state(1_002)).toBe('open');
    expect(b.state(2_002)).toBe('half-open');
    for (let i = 0; i < 3; i++) run(b, false, 2_002);
    expect(b.state(2_002)).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->open', 'open->half-open', 'half-open->closed']);
  });

  it('a released probe (client went away) frees its slot without deciding', () => {
    const b = new CircuitBreaker({ ...opts, halfOpenProbes: 1 });
    for (let i = 0; i < 5; i++) run(b, true, 0);
    const p = b.tryAcquire(1_000)!;
    expect(b.tryAcquire(1_000)).toBeNull();
    b.release(p);
    expect(b.state(1_000)).toBe('half-open');
    expect(b.tryAcquire(1_000)).toBe('probe');
  });

  it('disabled: always passes', () => {
    const b = new CircuitBreaker({ ...opts, enabled: false });
    for (let i = 0; i < 50; i++) run(b, true, 0);
    expect(b.canPass(0)).toBe(true);
  });
});
