import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

/**
 * The same resilience mechanism behind the gRPC adapter: real grpc-js servers on loopback, one
 * channel per instance, UNAVAILABLE retried for queries only, the deadline set from the policy,
 * grpc.health.v1 checks driving /readyz, cancellation reaching the server.
 */

const fixtures = path.resolve(import.meta.dirname, '../fixtures/resilience');
const load = (file: string) =>
  grpc.loadPackageDefinition(protoLoader.loadSync(path.join(fixtures, file), { keepCase: true, longs: String, enums: String, defaults: true })) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
const echoPkg = load('echo.proto');
const healthPkg = load('health.proto');

type Mode = 'ok' | 'unavailable' | 'flaky';

interface EchoServer {
  name: string;
  address: string;
  mode: Mode;
  health: 'SERVING' | 'NOT_SERVING';
  calls: Record<string, number>;
  cancelled: number;
  deadlinesLeftMs: number[];
  total(): number;
  kill(): void;
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function startEcho(name: string, mode: Mode = 'ok'): Promise<EchoServer> {
  const server = new grpc.Server();
  let flip = 0;
  const s: EchoServer = {
    name,
    address: '',
    mode,
    health: 'SERVING',
    calls: {},
    cancelled: 0,
    deadlinesLeftMs: [],
    total: () => Object.values(s.calls).reduce((a, b) => a + b, 0),
    kill: () => server.forceShutdown(),
  };
  const handler = (method: string) => (call: grpc.ServerUnaryCall<{ n: number; sleep_ms: number }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    s.calls[method] = (s.calls[method] ?? 0) + 1;
    const deadline = call.getDeadline();
    const left = deadline instanceof Date ? deadline.getTime() - Date.now() : typeof deadline === 'number' && Number.isFinite(deadline) ? deadline - Date.now() : -1;
    s.deadlinesLeftMs.push(left);
    if (s.mode === 'unavailable' || (s.mode === 'flaky' && flip++ % 2 === 0)) return cb({ code: grpc.status.UNAVAILABLE, details: 'try again' });
    const reply = () => cb(null, { instance: name, deadline_left_ms: Math.round(left) });
    if (call.request.sleep_ms > 0) {
      const t = setTimeout(reply, call.request.sleep_ms);
      call.on('cancelled', () => {
        clearTimeout(t);
        s.cancelled++;
      });
    } else reply();
  };
  server.addService(echoPkg.echo.v1.EchoService.service, { GetEcho: handler('GetEcho'), CreateEcho: handler('CreateEcho') });
  server.addService(healthPkg.grpc.health.v1.Health.service, {
    Check: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { status: s.health }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  (s as { address: string }).address = `127.0.0.1:${port}`;
  cleanup.push(() => server.forceShutdown());
  return s;
}

async function gateway(source: Record<string, unknown>): Promise<TestGateway> {
  const gw = await startTestGateway({ sources: [{ kind: 'grpc', name: 'echo', protos: './test/fixtures/resilience/echo.proto', timeoutMs: 1_000, ...source }] });
  cleanup.push(() => gw.close());
  return gw;
}

const echoes = (n: number, from = 0) => `{ ${Array.from({ length: n }, (_, k) => `e${k}: getEcho(n: ${from + k}) { instance }`).join(' ')} }`;

describe('gRPC resilience (fault injection on loopback)', () => {
  it('an instance that dies mid-run: queries keep succeeding on the other', async () => {
    const [a, b] = await Promise.all([startEcho('a'), startEcho('b')]);
    const gw = await gateway({ addresses: [a.address, b.address] });
    let errors = 0;
    for (let round = 0; round < 20; round++) {
      if (round === 5) b.kill();
      const { body } = await gw.query(echoes(4, round * 4));
      errors += body.errors?.length ?? 0;
    }
    expect(errors).toBe(0);
    expect(b.total()).toBeGreaterThan(0);
    expect(a.total()).toBeGreaterThan(b.total());
  });

  it('UNAVAILABLE is retried for a query, never for a mutation (unless marked idempotent)', async () => {
    const flaky = await startEcho('f', 'flaky');
    const gw = await gateway({ addresses: [flaky.address], resilience: { retry: { baseDelayMs: 1 } } });
    for (let i = 0; i < 5; i++) {
      const { body } = await gw.query(`{ getEcho(n: ${i}) { instance } }`);
      expect(body.errors).toBeUndefined();
    }
    expect(flaky.calls.GetEcho).toBe(10); // each: UNAVAILABLE, then success

    const down = await startEcho('d', 'unavailable');
    const gw2 = await gateway({ addresses: [down.address] });
    const { body } = await gw2.query('mutation { createEcho(n: 1) { instance } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { grpcStatus: 'UNAVAILABLE' } });
    expect(down.calls.CreateEcho).toBe(1);

    const gw3 = await gateway({ addresses: [down.address], resilience: { operations: { createEcho: { idempotent: true } }, retry: { baseDelayMs: 1 } } });
    await gw3.query('mutation { createEcho(n: 2) { instance } }');
    expect(down.calls.CreateEcho).toBe(1 + 3);
  });

  it('the gRPC deadline sent upstream is the per-call timeout (per operation override), never more', async () => {
    const a = await startEcho('a');
    const gw = await gateway({ addresses: [a.address], timeoutMs: 2_000, resilience: { operations: { 'echo.v1.EchoService/CreateEcho': { timeoutMs: 300 } } } });
    const q = await gw.query('{ getEcho(n: 1) { deadlineLeftMs } }');
    const m = await gw.query('mutation { createEcho(n: 1) { deadlineLeftMs } }');
    const qLeft = (q.body.data?.getEcho as { deadlineLeftMs: number }).deadlineLeftMs;
    const mLeft = (m.body.data?.createEcho as { deadlineLeftMs: number }).deadlineLeftMs;
    expect(qLeft).toBeGreaterThan(1_000);
    expect(qLeft).toBeLessThanOrEqual(2_000);
    expect(mLeft).toBeGreaterThan(0);
    expect(mLeft).toBeLessThanOrEqual(300);
  });

  it('a call slower than its deadline: UPSTREAM_TIMEOUT, and the server sees the call cancelled', async () => {
    const a = await startEcho('a');
    const gw = await gateway({ addresses: [a.address], timeoutMs: 200 });
    const started = Date.now();
    const { body } = await gw.query('{ getEcho(n: 1, sleepMs: 5000) { instance } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect.poll(() => a.cancelled, { timeout: 2_000 }).toBe(1);
  });

  it('client disconnect cancels the upstream call (seen by the server)', async () => {
    const a = await startEcho('a');
    const gw = await gateway({ addresses: [a.address], timeoutMs: 20_000 });
    const ac = new AbortController();
    const pending = fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ getEcho(n: 1, sleepMs: 10000) { instance } }' }),
      signal: ac.signal,
    }).catch((e: unknown) => e);
    await expect.poll(() => a.total(), { timeout: 3_000 }).toBe(1);
    ac.abort();
    await pending;
    await expect.poll(() => a.cancelled, { timeout: 3_000 }).toBe(1);
    expect(a.total()).toBe(1);
  });

  it('grpc.health.v1 checks: NOT_SERVING takes the instance out of rotation and /readyz down when none is left', async () => {
    const [a, b] = await Promise.all([startEcho('a'), startEcho('b')]);
    const gw = await gateway({ addresses: [a.address, b.address], resilience: { healthCheck: { enabled: true, intervalMs: 100, timeoutMs: 500, unhealthyThreshold: 1 } } });
    const ready = async () => (await fetch(`${gw.origin}/readyz`)).status;
    await expect.poll(ready, { timeout: 3_000 }).toBe(200);
    b.health = 'NOT_SERVING';
    await new Promise((r) => setTimeout(r, 400));
    const before = b.total();
    const { body } = await gw.query(echoes(6));
    expect(body.errors).toBeUndefined();
    expect(b.total()).toBe(before);
    expect(await ready()).toBe(200);
    a.health = 'NOT_SERVING';
    await expect.poll(ready, { timeout: 3_000 }).toBe(503);
    a.health = 'SERVING';
    await expect.poll(ready, { timeout: 3_000 }).toBe(200);
  });

  it('weights and stickiness apply to gRPC instances too', async () => {
    const [v1, v2] = await Promise.all([startEcho('v1'), startEcho('v2')]);
    const gw = await gateway({ addresses: [{ address: v1.address, weight: 9 }, { address: v2.address, weight: 1, tag: 'canary' }] });
    for (let q = 0; q < 10; q++) await gw.query(echoes(10, q * 10));
    expect(v2.total()).toBe(10); // smooth weighted round-robin: exact over 100 calls

    const sticky = await gateway({ addresses: [v1.address, v2.address], resilience: { sticky: { header: 'x-user-id' } } });
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5']) {
      const seen = new Set<string>();
      for (let k = 0; k < 3; k++) {
        const { body } = await sticky.query(echoes(3, k * 3), undefined, { 'x-user-id': user });
        for (const v of Object.values(body.data as Record<string, { instance: string }>)) seen.add(v.instance);
      }
      expect(seen.size).toBe(1);
    }
  });

  it('config: address and addresses are exclusive', async () => {
    await expect(gateway({ address: '127.0.0.1:1', addresses: ['127.0.0.1:2'] })).rejects.toThrow(/address/);
  });
});
