import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userById, users } from './data';

/** A running demo backend: its URL, per-operation call counts, and a way to stop it. */
export interface DemoBackend {
  url: string;
  port: number;
  calls: Record<string, number>;
  close(): Promise<void>;
}

/**
 * The demo REST "users" service (contract: schemas/users/upstream/openapi.yaml).
 * GET /users?limit=&offset=, GET /users?ids=1,2,3 (batch), GET /users/{id}.
 */
export function startUsersService(port = 0, host = '127.0.0.1'): Promise<DemoBackend> {
  const calls: Record<string, number> = {};
  const count = (op: string) => (calls[op] = (calls[op] ?? 0) + 1);
  const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    const s = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
    res.end(s);
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (req.method !== 'GET') return send(res, 405, { message: 'method not allowed' });
    if (p === '/users') {
      const ids = url.searchParams.get('ids');
      if (ids != null) {
        count('GET /users?ids');
        const items = ids.split(',').filter(Boolean).map(Number).map(userById).filter(Boolean);
        return send(res, 200, { items, total: items.length, limit: items.length, offset: 0 });
      }
      count('GET /users');
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 20), 1), 1000);
      const offset = Math.max(Number(url.searchParams.get('offset') ?? 0), 0);
      return send(res, 200, { items: users.slice(offset, offset + limit), total: users.length, limit, offset });
    }
    const m = /^\/users\/(\d+)$/.exec(p);
    if (m) {
      count('GET /users/{id}');
      const u = userById(Number(m[1]));
      return u ? send(res, 200, u) : send(res, 404, { message: 'user not found' });
    }
    send(res, 404, { message: 'not found' });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host}:${actual}`,
        port: actual,
        calls,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
