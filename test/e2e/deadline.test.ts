import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

/** The request deadline is propagated: no upstream call outlives the answer nobody waits for. */
let upstream: Server;
let aborted = 0;
let gw: TestGateway;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.on('close', () => {
      if (!res.writableEnded) aborted++;
    });
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ item_id: 1, display_name: 'late' }));
    }, 2_000);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gw = await startTestGateway({
    server: { requestDeadlineMs: 300 },
    sources: [{ kind: 'rest', name: 'shop', spec: './test/fixtures/rest/shop.yaml', url, timeoutMs: 10_000 }],
  });
});
afterAll(async () => {
  await gw?.close();
  upstream?.closeAllConnections();
  await new Promise((r) => upstream?.close(r));
});

describe('request deadline', () => {
  it('cuts upstream calls at the request deadline even when the source timeout is longer', async () => {
    const t0 = Date.now();
    const { status, body } = await gw.query('{ getItem(itemId: 1) { itemId } }');
    const took = Date.now() - t0;
    expect(status).toBe(200);
    expect(body.errors![0]!.extensions!.code).toBe('UPSTREAM_TIMEOUT');
    expect(took).toBeLessThan(1_500); // the upstream answers after 2 s; the deadline is 300 ms
    await expect.poll(() => aborted, { timeout: 2_000 }).toBeGreaterThan(0); // the upstream saw the call go away
  });
});
