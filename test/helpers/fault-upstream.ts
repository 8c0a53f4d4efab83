import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scriptable REST upstream instance on loopback for fault-injection tests and the soak run:
 * every answer names the instance; `mode` makes it healthy, hang, fail, or fail every other call;
 * it counts hits per route and calls whose client went away before the answer (aborted).
 */
export type FaultMode = 'ok' | 'hang' | 'fail' | 'flaky';

export interface FaultUpstream {
  readonly name: string;
  readonly url: string;
  mode: FaultMode;
  /** Delay of GET /slow, in ms. */
  slowMs: number;
  hits: Record<string, number>;
  total(): number;
  /** Calls whose connection closed before the answer was sent. */
  aborted: number;
  inFlight: number;
  reset(): void;
  /** Stops listening and drops every connection (the instance dies). */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  revive(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultUpstream(name: string, mode: FaultMode = 'ok'): Promise<FaultUpstream> {
  let flip = 0;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    const s = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
    res.end(s);
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const route = `${req.method} ${new URL(req.url!, 'http://x').pathname}`;
    req.resume();
    if (route === 'GET /health') {
      if (u.mode === 'hang') return;
      return send(res, u.mode === 'fail' ? 503 : 200, { status: u.mode });
    }
    u.hits[route] = (u.hits[route] ?? 0) + 1;
    u.inFlight++;
    let done = false;
    res.on('close', () => {
      u.inFlight--;
      if (!done) u.aborted++;
    });
    const answer = (status: number, body: unknown) => {
      done = true;
      send(res, status, body);
    };
    if (u.mode === 'hang') return;
    if (u.mode === 'fail' || (u.mode === 'flaky' && flip++ % 2 === 0)) return answer(503, { title: 'Unavailable', status: 503 });
    if (route === 'GET /slow') {
      const t = setTimeout(() => answer(200, { instance: name }), u.slowMs);
      res.on('close', () => clearTimeout(t));
      return;
    }
    if (route === 'POST /orders') return answer(201, { instance: name });
    if (route === 'GET /who') return answer(200, { instance: name });
    answer(404, { title: 'no route' });
  };
  let server: Server = createServer(handler);
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const u: FaultUpstream = {
    name,
    url: `http://127.0.0.1:${port}`,
    mode,
    slowMs: 5_000,
    hits: {},
    total: () => Object.values(u.hits).reduce((a, b) => a + b, 0),
    aborted: 0,
    inFlight: 0,
    reset() {
      u.hits = {};
      u.aborted = 0;
      flip = 0;
    },
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
