import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { startFaultUpstream, type FaultMode, type FaultUpstream } from '../helpers/fault-upstream';

/**
 * Fault injection against real upstream instances on loopback (test/helpers/fault-upstream.ts):
 * the REST adapter's calls go through src/resilience (balancing, health, ejection, breaker,
 * retries, budget, limits, cancellation). Durations are shortened through config.
 */

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

async function upstreams(...modes: FaultMode[]): Promise<FaultUpstream[]> {
  const list = await Promise.all(modes.map((m, i) => startFaultUpstream(`i${i}`, m)));
  for (const u of list) cleanup.push(() => u.close());
  return list;
}

async function gateway(source: Record<string, unknown>): Promise<TestGateway> {
  const gw = await startTestGateway({
    sources: [{ kind: 'rest', name: 'echo', spec: './test/fixtures/resilience/echo.yaml', timeoutMs: 300, ...source }],
  });
  cleanup.push(() => gw.close());
  return gw;
}

/** One GraphQL request making `n` distinct upstream calls (`who(n: k)` aliases). */
function whoQuery(n: number, from = 0): string {
  return `{ ${Array.from({ length: n }, (_, k) => `a${k}: who(n: ${from + k}) { instance }`).join(' ')} }`;
}

type Data = Record<string, { instance: string } | null>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('REST resilience (fault injection on loopback)', () => {
  it('an instance that dies mid-run: requests keep succeeding on the other, and it is used again once back', async () => {
    const [a, b] = await upstreams('ok', 'ok');
    const gw = await gateway({
      urls: [a!.url, b!.url],
      resilience: { outlierDetection: { baseEjectionMs: 400 }, circuitBreaker: { openMs: 400 } },
    });
    let failures = 0;
    for (let round = 0; round < 30; round++) {
      if (round === 10) await b!.kill();
      const { body } = await gw.query(whoQuery(5, round * 5));
      failures += body.errors?.length ?? 0;
      expect(Object.values(body.data as Data).every((v) => v?.instance === 'i0' || v?.instance === 'i1')).toBe(true);
    }
    expect(failures).toBe(0);
    expect(b!.total()).toBeGreaterThan(0);
    expect(b!.total()).toBeLessThan(40); // round-robin split ~25 before it died, none after
    await b!.revive();
    const before = b!.total();
    await expect
      .poll(
        async () => {
          await gw.query(whoQuery(4, 1_000 + Math.floor(Math.random() * 1e6)));
          return b!.total() - before;
        },
        { timeout: 5_000, interval: 100 },
      )
      .toBeGreaterThan(0);
  });

  it('an instance that hangs: calls time out and move to the other instance; nothing stalls', async () => {
    const [ok, hung] = await upstreams('ok', 'hang');
    const gw = await gateway({ urls: [ok!.url, hung!.url], timeoutMs: 400 });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => gw.query(whoQuery(3, i * 3))));
    expect(Date.now() - started).toBeLessThan(5_000); // generous: a stall would be 30 s
    for (const { body } of results) {
      expect(body.errors).toBeUndefined();
      expect(Object.values(body.data as Data).every((v) => v?.instance === 'i0')).toBe(true);
    }
    // The gateway gave up on each hung call and released its socket.
    await expect.poll(() => hung!.aborted, { timeout: 2_000 }).toBe(hung!.total());
    expect(hung!.inFlight).toBe(0);
    // After 5 failures in a row it is ejected: later calls never reach it.
    const seen = hung!.total();
    const { body } = await gw.query(whoQuery(10, 500));
    expect(body.errors).toBeUndefined();
    expect(hung!.total()).toBe(seen);
  });

  it('a single hanging instance: UPSTREAM_TIMEOUT at the per-call timeout, the rest of the query answers', async () => {
    const [hung] = await upstreams('hang');
    const gw = await gateway({ urls: [hung!.url], timeoutMs: 200 });
    const started = Date.now();
    const { status, body } = await gw.query('{ slow { instance } }');
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(body.errors?.[0]).toMatchObject({ path: ['slow'], extensions: { code: 'UPSTREAM_TIMEOUT', upstream: { source: 'echo' } } });
    expect(hung!.total()).toBe(1); // a timeout is not retried on the same instance
  });

  it('an instance failing 50%: retries stay within the budget, the breaker opens, then closes after recovery', async () => {
    const [flaky] = await upstreams('flaky');
    const gw = await gateway({
      urls: [flaky!.url],
      resilience: {
        retry: { baseDelayMs: 5, budgetMinRetriesPerSec: 0.1 }, // reserve: 1 retry per 10 s window
        // openMs is long enough that a loaded CI machine cannot let it lapse between two queries.
        circuitBreaker: { openMs: 2_000, halfOpenProbes: 1 },
      },
    });
    const codes: string[] = [];
    let ok = 0;
    const logical = 40;
    for (let i = 0; i < logical; i++) {
      const { body } = await gw.query(`{ who(n: ${i}) { instance } }`);
      if (body.errors) codes.push(String(body.errors[0]!.extensions?.code));
      else ok++;
    }
    // Retry budget: at most 20% extra over the logical calls that reached the upstream, + the reserve.
    expect(flaky!.total()).toBeLessThanOrEqual(Math.ceil(logical * 1.2) + 1);
    expect(ok).toBeGreaterThan(0);
    expect(codes).toContain('UPSTREAM_CIRCUIT_OPEN');
    // While open: fail fast, no network call. The breaker may have half-opened while the loop
    // ran; a failing upstream re-opens it, so wait for an open answer and check the next one.
    flaky!.mode = 'fail';
    let reopened = false;
    for (let i = 0; i < 20 && !reopened; i++) {
      const { body } = await gw.query(`{ who(n: ${1_000 + i}) { instance } }`);
      reopened = body.errors?.[0]?.extensions?.code === 'UPSTREAM_CIRCUIT_OPEN';
    }
    expect(reopened).toBe(true);
    const hitsWhileOpen = flaky!.total();
    const open = await gw.query('{ who(n: 999) { instance } }');
    expect(open.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_CIRCUIT_OPEN', upstream: { source: 'echo', operation: 'GET /who' } });
    expect(flaky!.total()).toBe(hitsWhileOpen);
    // Recovery: after openMs a half-open probe succeeds and the breaker closes.
    flaky!.mode = 'ok';
    await sleep(2_100);
    for (let i = 0; i < 10; i++) {
      const { body } = await gw.query(`{ who(n: ${2_000 + i}) { instance } }`);
      expect(body.errors).toBeUndefined();
    }
  });

  it('canary weights: 5% of 1,000 calls go to v2 (within tolerance)', async () => {
    const [v1, v2] = await upstreams('ok', 'ok');
    const gw = await gateway({ urls: [{ url: v1!.url, weight: 95, tag: 'v1' }, { url: v2!.url, weight: 5, tag: 'v2' }] });
    for (let q = 0; q < 100; q++) {
      const { body } = await gw.query(whoQuery(10, q * 10));
      expect(body.errors).toBeUndefined();
    }
    expect(v1!.total() + v2!.total()).toBe(1_000);
    expect(v2!.total()).toBeGreaterThanOrEqual(35);
    expect(v2!.total()).toBeLessThanOrEqual(65);
  });

  it('sticky routing: one user always sees one version; users spread by weight', async () => {
    const [v1, v2] = await upstreams('ok', 'ok');
    const gw = await gateway({
      urls: [{ url: v1!.url, weight: 1, tag: 'v1' }, { url: v2!.url, weight: 1, tag: 'v2' }],
      resilience: { sticky: { header: 'x-user-id' } },
    });
    const byUser = new Map<string, Set<string>>();
    for (let u = 0; u < 20; u++) {
      const seen = new Set<string>();
      for (let k = 0; k < 5; k++) {
        const { body } = await gw.query(whoQuery(3, u * 100 + k * 3), undefined, { 'x-user-id': `user-${u}` });
        for (const v of Object.values(body.data as Data)) seen.add(v!.instance);
      }
      byUser.set(`user-${u}`, seen);
    }
    for (const seen of byUser.values()) expect(seen.size).toBe(1);
    const onV2 = [...byUser.values()].filter((s) => s.has('i1')).length;
    expect(onV2).toBeGreaterThan(2);
    expect(onV2).toBeLessThan(18);
  });

  it('client disconnect aborts the upstream call (seen on the upstream side)', async () => {
    const [slow] = await upstreams('ok');
    slow!.slowMs = 10_000;
    const gw = await gateway({ urls: [slow!.url], timeoutMs: 20_000 });
    const ac = new AbortController();
    const pending = fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ slow { instance } }' }),
      signal: ac.signal,
    }).catch((e: unknown) => e);
    await expect.poll(() => slow!.inFlight, { timeout: 3_000 }).toBe(1);
    ac.abort();
    await pending;
    await expect.poll(() => slow!.aborted, { timeout: 3_000 }).toBe(1);
    expect(slow!.inFlight).toBe(0);
    expect(slow!.total()).toBe(1); // not retried
  });

  it('queue full: UPSTREAM_OVERLOADED at once, the upstream never sees more than the limit', async () => {
    const [slow] = await upstreams('ok');
    slow!.slowMs = 800;
    const gw = await gateway({ urls: [slow!.url], timeoutMs: 5_000, resilience: { maxInFlight: 1, maxQueued: 1 } });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 4 }, () => gw.query('{ slow { instance } }')));
    const codes = results.map((r) => (r.body.errors ? String(r.body.errors[0]!.extensions?.code) : 'ok'));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(2);
    expect(codes.filter((c) => c === 'UPSTREAM_OVERLOADED')).toHaveLength(2);
    expect(slow!.total()).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a POST mutation is never retried; marked idempotent in config, it is', async () => {
    const [a, b] = await upstreams('fail', 'fail');
    const gw = await gateway({ urls: [a!.url, b!.url] });
    const { body } = await gw.query('mutation { createOrder(input: { sku: "x" }) { instance } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_HTTP_ERROR', upstream: { status: 503 } });
    expect(a!.total() + b!.total()).toBe(1);

    const gw2 = await gateway({ urls: [a!.url, b!.url], resilience: { operations: { createOrder: { idempotent: true } }, retry: { baseDelayMs: 1 } } });
    await gw2.query('mutation { createOrder(input: { sku: "x" }) { instance } }');
    expect(a!.total() + b!.total()).toBe(1 + 3);
  });

  it('/readyz follows active health checks (any-healthy), and always with readiness: always', async () => {
    const [a] = await upstreams('ok');
    const gw = await gateway({ urls: [a!.url], resilience: { healthCheck: { enabled: true, intervalMs: 100, timeoutMs: 100, unhealthyThreshold: 1, path: '/health' } } });
    const gwAlways = await gateway({ urls: [a!.url], resilience: { readiness: 'always', healthCheck: { enabled: true, intervalMs: 100, unhealthyThreshold: 1 } } });
    const ready = async (g: TestGateway) => (await fetch(`${g.origin}/readyz`)).status;
    await expect.poll(() => ready(gw), { timeout: 3_000 }).toBe(200);
    a!.mode = 'fail';
    await expect.poll(() => ready(gw), { timeout: 3_000 }).toBe(503);
    expect(await ready(gwAlways)).toBe(200);
    a!.mode = 'ok';
    await expect.poll(() => ready(gw), { timeout: 3_000 }).toBe(200);
  });

  it('config: url and urls together are refused', async () => {
    await expect(gateway({ url: 'http://127.0.0.1:1', urls: ['http://127.0.0.1:2'] })).rejects.toThrow(/url.*urls|urls/);
  });
});
