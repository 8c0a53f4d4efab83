import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

/** A real REST upstream on loopback that records every call it receives. */
interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let upstream: Server;
let upstreamUrl: string;
let calls: Recorded[] = [];
let gw: TestGateway;

function json(res: import('node:http').ServerResponse, status: number, body: unknown, type = 'application/json') {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(s) });
  res.end(s);
}

/** Bytes that are not UTF-8 (0x80-0xff alone, a NUL): a binary answer must reach the client unchanged. */
const LOGO = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x80, 0xc3, 0x28, 0x10]);

const ITEMS = [
  { item_id: 1, display_name: 'Lamp', price_cents: 900, tags: ['home'] },
  { item_id: 2, display_name: 'Desk', price_cents: 25000, tags: [] },
];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const url = new URL(req.url!, 'http://x');
      const p = url.pathname;
      if (p === '/items' && req.method === 'GET') return json(res, 200, ITEMS);
      if (p === '/items' && req.method === 'POST') {
        const input = JSON.parse(body);
        return json(res, 201, { item_id: 3, ...input, tags: [] });
      }
      const m = /^\/items\/(\d+)$/.exec(p);
      if (m && req.method === 'DELETE') {
        res.writeHead(204);
        return res.end();
      }
      if (m && m[1] === '1') {
        // Written by hand: a JS number cannot hold 9007199254740993, the upstream's JSON can.
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"item_id":1,"display_name":"Lamp","price_cents":9007199254740993,"tags":["home"]}');
      }
      if (m) {
        const item = ITEMS.find((i) => i.item_id === Number(m[1]));
        return item ? json(res, 200, item) : json(res, 404, { type: 'about:blank', title: 'Not Found', status: 404, detail: `no item ${m[1]}` }, 'application/problem+json');
      }
      if (p === '/animals/1') return json(res, 200, { pet_type: 'kitty', name: 'Tom', lives_left: 7 });
      if (p === '/animals/2') return json(res, 200, { pet_type: 'doggo', name: 'Rex', good_boy: true });
      const f = /^\/fail\/(\d+)$/.exec(p);
      if (f) return json(res, Number(f[1]), { type: 'https://errors.example/x', title: 'Broken', status: Number(f[1]), detail: 'database on fire', secret: 'internal-stack-trace' }, 'application/problem+json');
      if (p === '/slow') return void setTimeout(() => json(res, 200, ITEMS[0]), 1_500);
      if (p === '/bad-json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"item_id": 1, "display_na');
      }
      if (p === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        return res.end();
      }
      if (p === '/api/products') return json(res, 200, ITEMS);
      if (p === '/logo') {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': LOGO.length });
        return res.end(LOGO);
      }
      json(res, 404, { message: 'no route' });
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gw = await startTestGateway({
    sources: [
      {
        kind: 'rest',
        name: 'shop',
        spec: './test/fixtures/rest/shop.yaml',
        url: upstreamUrl,
        timeoutMs: 300,
        headers: { 'x-api-key': 'k-123' },
        forwardHeaders: ['x-request-id'],
        pathRewrite: { '/v1/products': '/api/products' },
      },
    ],
  });
});

afterAll(async () => {
  await gw?.close();
  upstream?.closeAllConnections();
  await new Promise((r) => upstream?.close(r));
});

beforeEach(() => {
  calls = [];
});

describe('REST source end to end', () => {
  it('maps snake_case JSON to camelCase fields and keeps int64 exact', async () => {
    const { status, body } = await gw.query('{ getItem(itemId: 1) { itemId displayName priceCents tags } }');
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ getItem: { itemId: 1, displayName: 'Lamp', priceCents: '9007199254740993', tags: ['home'] } });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('/items/1');
    expect(calls[0]!.headers['x-api-key']).toBe('k-123');
  });

  it('serialises query, array, deepObject and header params as the spec says', async () => {
    const { body } = await gw.query(
      `{ listItems(tag: ["a", "b c"], ids: [1, 2], sort: ["name", "price"], filter: { minPrice: 5, color: "red" }, xRequestTag: "t1") { itemId } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.listItems).toEqual([{ itemId: 1 }, { itemId: 2 }]);
    expect(calls).toHaveLength(1);
    const url = new URL(calls[0]!.url, 'http://x');
    expect(url.searchParams.getAll('tag')).toEqual(['a', 'b c']);
    expect(url.search).toContain('ids=1,2');
    expect(url.search).toContain('sort=name|price');
    expect(url.searchParams.get('filter[min_price]')).toBe('5');
    expect(url.searchParams.get('filter[color]')).toBe('red');
    expect(url.searchParams.get('limit')).toBe('10'); // the spec's default
    expect(calls[0]!.headers['x-request-tag']).toBe('t1');
  });

  it('forwards only allow-listed incoming headers', async () => {
    await gw.query('{ getItem(itemId: 2) { itemId } }', undefined, { 'x-request-id': 'req-9', 'x-user-id': 'admin' });
    expect(calls[0]!.headers['x-request-id']).toBe('req-9');
    expect(calls[0]!.headers['x-user-id']).toBeUndefined();
  });

  it('sends mutations with a JSON body in upstream names', async () => {
    const { body } = await gw.query('mutation { createItem(input: { displayName: "Chair", priceCents: "12" }) { itemId displayName priceCents } }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ createItem: { itemId: 3, displayName: 'Chair', priceCents: '12' } });
    expect(calls[0]!.method).toBe('POST');
    expect(JSON.parse(calls[0]!.body)).toEqual({ display_name: 'Chair', price_cents: '12' });
    expect(calls[0]!.headers['content-type']).toContain('application/json');
  });

  it('204 without body resolves as a successful Void mutation', async () => {
    const { body } = await gw.query('mutation { deleteItem(itemId: 1) }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ deleteItem: true });
    expect(calls[0]).toMatchObject({ method: 'DELETE', url: '/items/1' });
  });

  it('resolves oneOf members by the discriminator mapping', async () => {
    const { body } = await gw.query(
      '{ a: getAnimal(id: "1") { __typename ... on Cat { name livesLeft } ... on Dog { name goodBoy } } b: getAnimal(id: "2") { __typename ... on Cat { name } ... on Dog { name goodBoy } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ a: { __typename: 'Cat', name: 'Tom', livesLeft: 7 }, b: { __typename: 'Dog', name: 'Rex', goodBoy: true } });
  });

  it('identical calls within one request are made once', async () => {
    const { body } = await gw.query('{ a: getItem(itemId: 1) { itemId } b: getItem(itemId: 1) { displayName } c: getItem(itemId: 2) { itemId } }');
    expect(body.errors).toBeUndefined();
    expect(calls.map((c) => c.url).sort()).toEqual(['/items/1', '/items/2']);
  });

  it('rewrites paths by config', async () => {
    const { body } = await gw.query('{ listProducts { itemId } }');
    expect(body.errors).toBeUndefined();
    expect(calls[0]!.url).toBe('/api/products');
  });
});

describe('REST error mapping', () => {
  it('404 on an entity lookup: null + UPSTREAM_NOT_FOUND at the path, rest of the query answers', async () => {
    const { status, body } = await gw.query('{ missing: getItem(itemId: 99) { itemId } ok: getItem(itemId: 1) { itemId } }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ missing: null, ok: { itemId: 1 } });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.path).toEqual(['missing']);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_NOT_FOUND', upstream: { source: 'shop', status: 404 } });
  });

  it.each([
    [500, 'UPSTREAM_HTTP_ERROR'],
    [503, 'UPSTREAM_HTTP_ERROR'],
    [401, 'UPSTREAM_UNAUTHORIZED'],
    [403, 'UPSTREAM_FORBIDDEN'],
  ])('HTTP %i -> %s; the gateway still answers 200 with the other fields', async (s, code) => {
    const { status, body } = await gw.query(`{ broken: fail(status: ${s}) { itemId } ok: getItem(itemId: 2) { itemId } }`);
    expect(status).toBe(200);
    expect(body.data).toEqual({ broken: null, ok: { itemId: 2 } });
    const err = body.errors![0]!;
    expect(err.path).toEqual(['broken']);
    expect(err.extensions!.code).toBe(code);
    expect((err.extensions!.upstream as Record<string, unknown>).status).toBe(s);
    expect(JSON.stringify(err)).not.toContain('internal-stack-trace');
  });

  it('500 carries the problem+json detail', async () => {
    const { body } = await gw.query('{ fail(status: 500) { itemId } }');
    expect(body.errors![0]!.extensions!.upstream).toMatchObject({ problem: { title: 'Broken', detail: 'database on fire', status: 500 } });
  });

  it('timeout -> UPSTREAM_TIMEOUT', async () => {
    const t0 = Date.now();
    const { body } = await gw.query('{ slow { itemId } ok: getItem(itemId: 1) { itemId } }');
    expect(body.errors![0]!.extensions!.code).toBe('UPSTREAM_TIMEOUT');
    expect(body.data).toEqual({ slow: null, ok: { itemId: 1 } });
    expect(Date.now() - t0).toBeLessThan(1_400); // answered at the 300 ms timeout, not when the upstream finished
  });

  it('invalid JSON -> UPSTREAM_BAD_RESPONSE, the process keeps serving', async () => {
    const { body } = await gw.query('{ badJson { itemId } }');
    expect(body.errors![0]!.extensions!.code).toBe('UPSTREAM_BAD_RESPONSE');
    const again = await gw.query('{ getItem(itemId: 1) { itemId } }');
    expect(again.body.data).toEqual({ getItem: { itemId: 1 } });
  });

  it('redirects are never followed', async () => {
    const { body } = await gw.query('{ redirect { itemId } }');
    expect(body.errors![0]!.extensions!.code).toBe('UPSTREAM_REDIRECT_REFUSED');
    expect(calls).toHaveLength(1);
  });

  it('a binary answer comes back as Base64 of its exact bytes', async () => {
    const { body } = await gw.query('{ getLogo }');
    expect(body).toEqual({ data: { getLogo: LOGO.toString('base64') } });
  });

  it('an answer over maxResponseBytes -> UPSTREAM_BAD_RESPONSE; smaller answers and later calls still work', async () => {
    // /api/products answers ~130 bytes, /items/2 66 bytes.
    const small = await startTestGateway({ sources: [{ kind: 'rest', name: 'shop', spec: './test/fixtures/rest/shop.yaml', url: upstreamUrl, maxResponseBytes: 100, pathRewrite: { '/v1/products': '/api/products' } }] });
    try {
      const big = await small.query('{ listProducts { itemId } }');
      expect(big.body.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', upstream: { source: 'shop' } });
      expect(big.body.errors![0]!.message).toContain('more than 100 bytes');
      for (let i = 0; i < 3; i++) {
        const ok = await small.query('{ getItem(itemId: 2) { itemId displayName } }');
        expect(ok.body).toEqual({ data: { getItem: { itemId: 2, displayName: 'Desk' } } });
      }
      expect(calls.filter((c) => c.url === '/api/products')).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it('an unreachable upstream -> UPSTREAM_UNREACHABLE', async () => {
    const dead = await startTestGateway({ sources: [{ kind: 'rest', name: 'shop', spec: './test/fixtures/rest/shop.yaml', url: 'http://127.0.0.1:9' }] });
    try {
      const { status, body } = await dead.query('{ getItem(itemId: 1) { itemId } }');
      expect(status).toBe(200);
      expect(body.errors![0]!.extensions!.code).toBe('UPSTREAM_UNREACHABLE');
    } finally {
      await dead.close();
    }
  });
});
