import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

/**
 * Fault injection against real SOAP instances on loopback: the SOAP adapter's calls go through
 * src/resilience (balancing, ejection, breaker, retries of queries, timeouts, cancellation, TCP
 * health checks). Each instance is a raw node:http server answering the inventory WSDL's
 * GetStock / GetStockBatch with its own name in `warehouse`. Durations are shortened through config.
 */

const WSDL = 'test/fixtures/soap/inventory.wsdl';
const NS = 'http://example.com/shop/inventory/v1';

/** ok: answers; hang: never answers; fail: HTTP 503 without a Fault; fault: HTTP 500 with a SOAP Fault. */
type SoapMode = 'ok' | 'hang' | 'fail' | 'fault';

interface SoapInstance {
  readonly name: string;
  /** The endpoint URL (origin + /inventory). */
  readonly url: string;
  mode: SoapMode;
  /** Delay before an `ok` answer, in ms. */
  delayMs: number;
  /** Calls per SOAP operation (GetStock, GetStockBatch). */
  hits: Record<string, number>;
  total(): number;
  /** Calls whose connection closed before the answer was sent. */
  aborted: number;
  inFlight: number;
  /** Stops listening and drops every connection (the instance dies). */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  revive(): Promise<void>;
  close(): Promise<void>;
}

const stockXml = (id: number, warehouse: string) =>
  `<stock><productId>${id}</productId><available>${id * 2}</available><reserved>0</reserved><warehouse>${warehouse}</warehouse></stock>`;
const envelope = (body: string) => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;

async function startSoapInstance(name: string, mode: SoapMode = 'ok'): Promise<SoapInstance> {
  const send = (res: ServerResponse, status: number, body: string, type = 'text/xml; charset=utf-8') => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const op = /GetStockBatch/.test(String(req.headers['soapaction'])) ? 'GetStockBatch' : 'GetStock';
      u.hits[op] = (u.hits[op] ?? 0) + 1;
      u.inFlight++;
      let done = false;
      res.on('close', () => {
        u.inFlight--;
        if (!done) u.aborted++;
      });
      const answer = (status: number, text: string, type?: string) => {
        done = true;
        send(res, status, text, type);
      };
      if (u.mode === 'hang') return;
      if (u.mode === 'fail') return answer(503, '<html>down for maintenance</html>', 'text/html');
      if (u.mode === 'fault') {
        return answer(500, envelope(`<soap:Fault><faultcode>soap:Client</faultcode><faultstring>unknown product (${name})</faultstring></soap:Fault>`));
      }
      const ids = [...body.matchAll(/<(?:\w+:)?productIds?>(\d+)</g)].map((m) => Number(m[1]));
      const xml =
        op === 'GetStock'
          ? envelope(`<GetStockResponse xmlns="${NS}">${stockXml(ids[0] ?? 0, name)}</GetStockResponse>`)
          : envelope(`<GetStockBatchResponse xmlns="${NS}">${ids.map((id) => stockXml(id, name)).join('')}</GetStockBatchResponse>`);
      if (u.delayMs > 0) {
        const t = setTimeout(() => answer(200, xml), u.delayMs);
        res.on('close', () => clearTimeout(t));
        return;
      }
      answer(200, xml);
    });
  };
  let server: Server = createServer(handler);
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const u: SoapInstance = {
    name,
    url: `http://127.0.0.1:${port}/inventory`,
    mode,
    delayMs: 0,
    hits: {},
    total: () => Object.values(u.hits).reduce((a, b) => a + b, 0),
    aborted: 0,
    inFlight: 0,
    async kill() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
    async revive() {
      server = createServer(handler);
      server.keepAliveTimeout = 1_000;
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    },
    async close() {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  return u;
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await Promise.resolve(cleanup.pop()!()).catch(() => undefined);
});

async function instances(...modes: SoapMode[]): Promise<SoapInstance[]> {
  const list = await Promise.all(modes.map((m, i) => startSoapInstance(`i${i}`, m)));
  for (const u of list) cleanup.push(() => u.close());
  return list;
}

async function gateway(source: Record<string, unknown>): Promise<TestGateway> {
  const gw = await startTestGateway({
    sources: [{ kind: 'soap', name: 'inventory', wsdl: WSDL, timeoutMs: 300, operations: { GetStockBatch: { type: 'mutation' } }, ...source }],
  });
  cleanup.push(() => gw.close());
  return gw;
}

/** One GraphQL request making `n` distinct upstream calls (aliased `getStock`, distinct ids defeat the per-request memo). */
function stockQuery(n: number, from = 0): string {
  return `{ ${Array.from({ length: n }, (_, k) => `a${k}: getStock(productId: ${from + k}) { productId warehouse }`).join(' ')} }`;
}

type Data = Record<string, { productId: number; warehouse: string } | null>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SOAP resilience (fault injection on loopback)', () => {
  it('an instance that dies mid-run: every request still succeeds on the other, and it is used again once back', async () => {
    const [a, b] = await instances('ok', 'ok');
    const gw = await gateway({
      urls: [a!.url, b!.url],
      resilience: { outlierDetection: { baseEjectionMs: 400 }, circuitBreaker: { openMs: 400 } },
    });
    let failures = 0;
    for (let round = 0; round < 30; round++) {
      if (round === 10) await b!.kill();
      const { body } = await gw.query(stockQuery(5, round * 5));
      failures += body.errors?.length ?? 0;
      const values = Object.values(body.data as Data);
      expect(values.every((v) => v?.warehouse === 'i0' || v?.warehouse === 'i1')).toBe(true);
      expect(values.map((v) => v?.productId)).toEqual([0, 1, 2, 3, 4].map((k) => round * 5 + k));
    }
    expect(failures).toBe(0);
    expect(a!.total()).toBeGreaterThan(100); // everything after the kill
    expect(b!.total()).toBeGreaterThan(0);
    expect(b!.total()).toBeLessThan(40); // round-robin split ~25 before it died, none after
    await b!.revive();
    const before = b!.total();
    await expect
      .poll(
        async () => {
          await gw.query(stockQuery(4, 1_000 + Math.floor(Math.random() * 1e6)));
          return b!.total() - before;
        },
        { timeout: 5_000, interval: 100 },
      )
      .toBeGreaterThan(0);
  });

  it('an instance that hangs: calls time out, move to the other instance, nothing stalls; then it is ejected', async () => {
    const [ok, hung] = await instances('ok', 'hang');
    // 500 ms: long enough that the healthy instance never times out on a loaded CI machine.
    const gw = await gateway({ urls: [ok!.url, hung!.url], timeoutMs: 500 });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => gw.query(stockQuery(3, i * 3))));
    expect(Date.now() - started).toBeLessThan(8_000); // generous: a stall would be 30 s
    for (const { body } of results) {
      expect(body.errors).toBeUndefined();
      expect(Object.values(body.data as Data).every((v) => v?.warehouse === 'i0')).toBe(true);
    }
    expect(hung!.total()).toBeGreaterThan(0);
    // The gateway gave up on each hung call and released its socket.
    await expect.poll(() => hung!.aborted, { timeout: 2_000 }).toBe(hung!.total());
    expect(hung!.inFlight).toBe(0);
    // After 5 failures in a row it is ejected: later calls never reach it.
    const seen = hung!.total();
    const { body } = await gw.query(stockQuery(10, 500));
    expect(body.errors).toBeUndefined();
    expect(hung!.total()).toBe(seen);
  });

  it('a single hanging instance: UPSTREAM_TIMEOUT at the per-call timeout (per-operation override), not retried, the rest answers', async () => {
    const [hung] = await instances('hang');
    const gw = await gateway({ urls: [hung!.url], timeoutMs: 5_000, resilience: { operations: { getStock: { timeoutMs: 200 } } } });
    const started = Date.now();
    const { status, body } = await gw.query('{ getStock(productId: 1) { productId } ok: __typename }');
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(body.data).toEqual({ getStock: null, ok: 'Query' });
    expect(body.errors?.[0]).toMatchObject({ path: ['getStock'], extensions: { code: 'UPSTREAM_TIMEOUT', upstream: { source: 'inventory', operation: 'GetStock' } } });
    expect(body.errors?.[0]?.message).toMatch(/200 ms/);
    expect(hung!.total()).toBe(1); // a timeout is retried only on another instance
    await expect.poll(() => hung!.aborted, { timeout: 2_000 }).toBe(1);
  });

  it('HTTP 503 without a Fault: a query is retried on the other instance; a mutation is never retried unless marked idempotent', async () => {
    const [a, b] = await instances('fail', 'ok');
    const gw = await gateway({ urls: [a!.url, b!.url], resilience: { retry: { baseDelayMs: 1 } } });
    for (let i = 0; i < 4; i++) {
      const { body } = await gw.query(`{ getStock(productId: ${i}) { warehouse } }`);
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({ getStock: { warehouse: 'i1' } });
    }
    expect(a!.total()).toBeGreaterThan(0); // it was tried, and the retry went to i1

    const [c, d] = await instances('fail', 'fail');
    const gw2 = await gateway({ urls: [c!.url, d!.url] });
    const { body } = await gw2.query('mutation { getStockBatch(productIds: [1, 2]) { warehouse } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_HTTP_ERROR', upstream: { source: 'inventory', operation: 'GetStockBatch', status: 503 } });
    expect(c!.total() + d!.total()).toBe(1);

    const gw3 = await gateway({ urls: [c!.url, d!.url], resilience: { operations: { getStockBatch: { idempotent: true } }, retry: { baseDelayMs: 1 } } });
    await gw3.query('mutation { getStockBatch(productIds: [1, 2]) { warehouse } }');
    expect(c!.total() + d!.total()).toBe(1 + 3); // first attempt + maxRetries (2)
  });

  it('the circuit opens after failures: UPSTREAM_CIRCUIT_OPEN without a network call, then closes after recovery', async () => {
    const [down] = await instances('fail');
    const gw = await gateway({
      urls: [down!.url],
      resilience: { retry: { maxRetries: 0 }, circuitBreaker: { consecutiveFailures: 3, openMs: 2_000, halfOpenProbes: 1 } }, // long enough that CI load cannot let it lapse
    });
    for (let i = 0; i < 3; i++) {
      const { body } = await gw.query(`{ getStock(productId: ${i}) { productId } }`);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_HTTP_ERROR', upstream: { status: 503 } });
    }
    expect(down!.total()).toBe(3);
    const started = Date.now();
    const open = await gw.query('{ getStock(productId: 99) { productId } }');
    expect(open.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_CIRCUIT_OPEN', upstream: { source: 'inventory', operation: 'GetStock' } });
    expect(Date.now() - started).toBeLessThan(1_500); // well before openMs: it did not wait for the upstream
    expect(down!.total()).toBe(3); // failed fast: no network call
    // The breaker is per instance, shared by every operation of the source.
    const openMutation = await gw.query('mutation { getStockBatch(productIds: [1]) { productId } }');
    expect(openMutation.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_CIRCUIT_OPEN', upstream: { operation: 'GetStockBatch' } });
    expect(down!.total()).toBe(3);
    // Recovery: after openMs a half-open probe succeeds and the breaker closes.
    down!.mode = 'ok';
    await sleep(2_100);
    for (let i = 0; i < 5; i++) {
      const { body } = await gw.query(`{ getStock(productId: ${100 + i}) { productId warehouse } }`);
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({ getStock: { productId: 100 + i, warehouse: 'i0' } });
    }
  });

  it('a SOAP Fault is an answer: not retried (upstream hit once) and never opens the breaker', async () => {
    const [a, b] = await instances('fault', 'fault');
    const gw = await gateway({ urls: [a!.url, b!.url], resilience: { circuitBreaker: { consecutiveFailures: 2 }, retry: { baseDelayMs: 1 } } });
    const { body } = await gw.query('{ getStock(productId: 1) { productId } ok: __typename }');
    expect(body.data).toEqual({ getStock: null, ok: 'Query' });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_SOAP_FAULT', upstream: { source: 'inventory', operation: 'GetStock', status: 500 } });
    expect(a!.total() + b!.total()).toBe(1);
    for (let i = 0; i < 10; i++) {
      const r = await gw.query(`{ getStock(productId: ${10 + i}) { productId } }`);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_SOAP_FAULT');
    }
    expect(a!.total() + b!.total()).toBe(11);
  });

  it('client disconnect aborts the upstream call (seen on the upstream side), not retried', async () => {
    const [slow] = await instances('ok');
    slow!.delayMs = 10_000;
    const gw = await gateway({ urls: [slow!.url], timeoutMs: 20_000 });
    const ac = new AbortController();
    const pending = fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ getStock(productId: 1) { productId } }' }),
      signal: ac.signal,
    }).catch((e: unknown) => e);
    await expect.poll(() => slow!.inFlight, { timeout: 3_000 }).toBe(1);
    ac.abort();
    await pending;
    await expect.poll(() => slow!.aborted, { timeout: 3_000 }).toBe(1);
    expect(slow!.inFlight).toBe(0);
    expect(slow!.total()).toBe(1);
  });

  it('weights: 5% of 400 calls go to the canary (within tolerance)', async () => {
    const [v1, v2] = await instances('ok', 'ok');
    const gw = await gateway({ urls: [{ url: v1!.url, weight: 95, tag: 'v1' }, { url: v2!.url, weight: 5, tag: 'v2' }] });
    for (let q = 0; q < 40; q++) {
      const { body } = await gw.query(stockQuery(10, q * 10));
      expect(body.errors).toBeUndefined();
    }
    expect(v1!.total() + v2!.total()).toBe(400);
    expect(v2!.total()).toBeGreaterThanOrEqual(12);
    expect(v2!.total()).toBeLessThanOrEqual(28);
  });

  it('/readyz follows the TCP health checks (started at start-up, before any call)', async () => {
    const [a] = await instances('ok');
    const gw = await gateway({ urls: [a!.url], resilience: { healthCheck: { enabled: true, intervalMs: 100, timeoutMs: 100, unhealthyThreshold: 1 } } });
    const ready = async () => (await fetch(`${gw.origin}/readyz`)).status;
    await expect.poll(ready, { timeout: 3_000 }).toBe(200);
    await a!.kill();
    await expect.poll(ready, { timeout: 3_000 }).toBe(503);
    await a!.revive();
    await expect.poll(ready, { timeout: 3_000 }).toBe(200);
    expect(a!.total()).toBe(0); // health checks are TCP connects, not SOAP calls
  });

  it('without url/urls, the WSDL soap:address gets its own policy (retries, breaker)', async () => {
    const [down] = await instances('fail');
    const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-soap-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const wsdl = path.join(dir, 'inventory.wsdl');
    writeFileSync(wsdl, readFileSync(WSDL, 'utf8').replace('http://127.0.0.1:4003/inventory', down!.url));
    const gw = await gateway({ wsdl, resilience: { retry: { baseDelayMs: 1 }, circuitBreaker: { consecutiveFailures: 3, openMs: 30_000 } } });
    const first = await gw.query('{ getStock(productId: 1) { productId } }');
    expect(first.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_HTTP_ERROR', upstream: { status: 503 } });
    expect(down!.total()).toBe(3); // a query: first attempt + 2 retries on the one address
    const open = await gw.query('{ getStock(productId: 2) { productId } }');
    expect(open.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_CIRCUIT_OPEN');
    expect(down!.total()).toBe(3);
  });

  it('config: url and urls together are refused; an instance that is not an http(s) URL is refused', async () => {
    await expect(gateway({ url: 'http://127.0.0.1:1/inventory', urls: ['http://127.0.0.1:2/inventory'] })).rejects.toThrow(/url.*urls|urls/);
    await expect(gateway({ urls: ['ftp://127.0.0.1:2/inventory'] })).rejects.toThrow(/urls/);
  });
});
