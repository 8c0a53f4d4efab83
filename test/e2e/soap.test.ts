import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as soap from 'soap';
import { graphql, type GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { soapAdapter } from '../../src/adapters/soap';
import { soapOptionsSchema, type SoapSourceOptions } from '../../src/adapters/soap/options';
import { SHARED_SCALARS } from '../../src/stitching/scalars';
import { createContext } from '../../src/context';
import type { SourceRuntime } from '../../src/adapters/types';
import { startTestGateway } from '../helpers/gateway';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '../fixtures/soap');
const logger = { debug() {}, info() {}, warn() {}, error() {} };

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function buildSource(input: Record<string, unknown>): Promise<{ schema: GraphQLSchema; runtime: SourceRuntime; sdl: string }> {
  const options: SoapSourceOptions = soapOptionsSchema.parse({ kind: 'soap', ...input });
  const imported = await soapAdapter.importSource(options, { baseDir: fixtures });
  const runtime = soapAdapter.createRuntime(imported, options, { baseDir: fixtures, logger });
  let sdl = imported.sdl;
  if (!/^type Query /m.test(sdl)) sdl += '\ntype Query { _unused: Boolean }\n';
  const scalars = Object.fromEntries(SHARED_SCALARS.filter((s) => new RegExp(`^scalar ${s.name}$`, 'm').test(sdl)).map((s) => [s.name, s]));
  const schema = makeExecutableSchema({ typeDefs: sdl, resolvers: [scalars, runtime.resolvers as never] });
  return { schema, runtime, sdl };
}

const run = (schema: GraphQLSchema, source: string, variableValues?: Record<string, unknown>, signal?: AbortSignal) =>
  graphql({ schema, source, variableValues, contextValue: createContext(signal ? { signal } : {}) });

// ------------------------------------------------------------------ a real node-soap server

const BIG = '9007199254740993'; // 2^53 + 1: not representable as a double
let calls: Array<{ op: string; args: unknown; headers: http.IncomingHttpHeaders }> = [];
let lastRequestBody = '';

const typesService = {
  TypesService: {
    TypesPort: {
      GetTypes(args: { id: number }, _cb: unknown, headers: unknown, req: http.IncomingMessage) {
        calls.push({ op: 'GetTypes', args, headers: req.headers });
        return {
          result: {
            big: BIG,
            ubig: '18446744073709551615',
            amount: '12345678901234567890.123456789',
            day: '2024-02-29',
            at: '2024-02-29T12:34:56.789Z',
            flag: true,
            ratio: 0.5,
            small: -12,
            blob: Buffer.from('hello').toString('base64'),
            tags: ['only'],
            note: null,
            color: 'dark-green',
            price: { attributes: { currency: 'EUR' }, $value: '19.99' },
            items: { Item: [{ attributes: { id: 7 }, name: 'single', children: { Item: [{ attributes: { id: 8 }, name: 'nested' }] } }] },
          },
        };
      },
      Echo(args: Record<string, unknown>) {
        calls.push({ op: 'Echo', args, headers: {} });
        // node-soap turns long/decimal into doubles and date into Date: echo the raw text instead.
        const raw = (name: string) => new RegExp(`<(?:\\w+:)?${name}>([^<]*)<`).exec(lastRequestBody)?.[1];
        return { big: raw("big"), amount: raw('amount'), day: raw('day'), color: args.color, tags: args.tags, text: args.text };
      },
      Fail(args: { reason: string }) {
        throw { Fault: { faultcode: 'soap:Client', faultstring: `refused: ${args.reason}`, detail: { code: 42 }, statusCode: 500 } };
      },
      async GetSlow(args: { delayMs: number }) {
        await new Promise((r) => setTimeout(r, Number(args.delayMs)));
        return { done: true };
      },
    },
  },
};

let soapServer: http.Server;
let soapPort = 0;
let types: { schema: GraphQLSchema; runtime: SourceRuntime; sdl: string };

const stockOf = (id: number) => ({ productId: id, available: id * 10, reserved: id % 7, warehouse: `W-${id % 3}` });
let inventoryServer: http.Server;
let inventory: { schema: GraphQLSchema; runtime: SourceRuntime; sdl: string };

beforeAll(async () => {
  soapServer = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  soapPort = await listen(soapServer);
  const soapSrv = soap.listen(soapServer, '/types', typesService, readFileSync(path.join(fixtures, 'types.wsdl'), 'utf8'));
  // Record the raw envelope node-soap received.
  soapSrv.log = (type: string, data: unknown) => {
    if (type === 'received') lastRequestBody = String(data);
  };
  types = await buildSource({ name: 'types', wsdl: 'types.wsdl', url: `http://127.0.0.1:${soapPort}/types`, timeoutMs: 500 });

  inventoryServer = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const invPort = await listen(inventoryServer);
  soap.listen(inventoryServer, '/inventory', {
    InventoryService: {
      InventoryPort: {
        GetStock: (args: { productId: number }) => ({ stock: stockOf(Number(args.productId)) }),
        GetStockBatch: (args: { productIds?: unknown }) => {
          const ids = args.productIds == null ? [] : Array.isArray(args.productIds) ? args.productIds : [args.productIds];
          return { stock: ids.map((id) => stockOf(Number(id))) };
        },
      },
    },
  }, readFileSync(path.join(fixtures, 'inventory.wsdl'), 'utf8'));
  inventory = await buildSource({ name: 'inventory', wsdl: 'inventory.wsdl', url: `http://127.0.0.1:${invPort}/inventory` });
});

afterAll(async () => {
  await types?.runtime.dispose();
  await inventory?.runtime.dispose();
  soapServer?.close();
  inventoryServer?.close();
});

describe('SOAP e2e against node-soap on loopback', () => {
  it('maps every XSD type of the answer (long > 2^53, decimal, date, dateTime, lists of one, nil, attributes, enum)', async () => {
    calls = [];
    const res = await run(types.schema, `{
      getTypes(id: 1) {
        big ubig amount day at flag ratio small blob tags note color
        price { currency value }
        items { id name children { id name } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      getTypes: {
        big: BIG,
        ubig: '18446744073709551615',
        amount: '12345678901234567890.123456789',
        day: '2024-02-29',
        at: '2024-02-29T12:34:56.789Z',
        flag: true,
        ratio: 0.5,
        small: -12,
        blob: Buffer.from('hello').toString('base64'),
        tags: ['only'],
        note: null,
        color: 'dark_green',
        price: { currency: 'EUR', value: '19.99' },
        items: [{ id: 7, name: 'single', children: [{ id: 8, name: 'nested' }] }],
      },
    });
    // SOAP 1.1: text/xml and a quoted SOAPAction from the binding.
    expect(calls[0]!.headers['soapaction']).toBe('"urn:switchyard:test:types/GetTypes"');
    expect(calls[0]!.headers['content-type']).toMatch(/^text\/xml/);
    expect(Number((calls[0]!.args as { id: unknown }).id)).toBe(1);
  });

  it('sends long, decimal, date, enum and lists without losing precision, and reads them back', async () => {
    calls = [];
    const res = await run(types.schema, `mutation($big: Long!) {
      echo(big: $big, amount: "0.1000000000000000000001", day: "2024-12-31", color: true_, tags: ["a", "b & <c>"]) { big amount day color tags text }
    }`, { big: '-9223372036854775808' });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ echo: { big: '-9223372036854775808', amount: '0.1000000000000000000001', day: '2024-12-31', color: 'true_', tags: ['a', 'b & <c>'], text: null } });
    // The envelope: wrapper element and children qualified (elementFormDefault="qualified"), escaped text, enum's XML value.
    expect(lastRequestBody).toMatch(/<ns1:Echo><ns1:big>-9223372036854775808<\/ns1:big><ns1:amount>0.1000000000000000000001<\/ns1:amount><ns1:day>2024-12-31<\/ns1:day><ns1:color>true<\/ns1:color><ns1:tags>a<\/ns1:tags><ns1:tags>b &amp; &lt;c&gt;<\/ns1:tags><\/ns1:Echo>/);
    expect(lastRequestBody).toContain('xmlns:ns1="urn:switchyard:test:types"');
  });

  it('turns a SOAP Fault into UPSTREAM_SOAP_FAULT on that field while the rest of the query answers', async () => {
    const res = await run(types.schema, `mutation { ok: echo(big: "1", amount: "1", day: "2024-01-01", color: red) { big } bad: fail(reason: "no stock") }`);
    expect(res.data).toEqual({ ok: { big: '1' }, bad: null });
    expect(res.errors).toHaveLength(1);
    const err = res.errors![0]!;
    expect(err.path).toEqual(['bad']);
    expect(err.extensions.code).toBe('UPSTREAM_SOAP_FAULT');
    expect(err.extensions.upstream).toMatchObject({ source: 'types', operation: 'Fail', status: 500, faultstring: 'refused: no stock' });
    expect(String((err.extensions.upstream as { faultcode: string }).faultcode)).toMatch(/Client/);
    expect((err.extensions.upstream as { detail: unknown }).detail).toEqual({ code: '42' });
  });

  it('times out with UPSTREAM_TIMEOUT (per-source timeoutMs) and keeps the other fields', async () => {
    const t0 = Date.now();
    const res = await run(types.schema, `{ slow: getSlow(delayMs: 3000) fast: getSlow(delayMs: 1) }`);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(res.data).toEqual({ slow: null, fast: true });
    expect(res.errors![0]!.extensions.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('aborts the upstream call when the client goes away', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    const res = await run(types.schema, `{ getSlow(delayMs: 3000) }`, undefined, ac.signal);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(res.errors![0]!.extensions.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('calls with SOAP 1.2 (content-type action parameter) when soapVersion is 1.2', async () => {
    const raw = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/soap+xml');
        res.end(`<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><t:GetSlowResponse xmlns:t="urn:switchyard:test:types"><t:done>${/action="urn:switchyard:test:types\/GetSlow"/.test(req.headers['content-type'] ?? '') && body.includes('http://www.w3.org/2003/05/soap-envelope')}</t:done></t:GetSlowResponse></env:Body></env:Envelope>`);
      });
    });
    const port = await listen(raw);
    const src = await buildSource({ name: 'types12', wsdl: 'types.wsdl', url: `http://127.0.0.1:${port}/`, soapVersion: '1.2' });
    try {
      const res = await run(src.schema, `{ getSlow(delayMs: 1) }`);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ getSlow: true });
    } finally {
      await src.runtime.dispose();
      raw.close();
    }
  });

  it('serves the bench inventory: getStockBatch returns StockLevel in input order, a list of one stays a list', async () => {
    const res = await run(inventory.schema, `{
      many: getStockBatch(productIds: [5, 3, 9]) { productId available reserved warehouse }
      one: getStockBatch(productIds: [4]) { productId }
      single: getStock(productId: 2) { productId warehouse }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.many).toEqual([stockOf(5), stockOf(3), stockOf(9)]);
    expect(res.data!.one).toEqual([{ productId: 4 }]);
    expect(res.data!.single).toEqual({ productId: 2, warehouse: 'W-2' });
    expect(inventory.sdl).toMatch(/getStockBatch\(productIds: \[Int!\]\): \[StockLevel!\]/);
    expect(inventory.sdl).toMatch(/^type Query \{/m);
  });

  it('identical read calls within one request share one upstream call', async () => {
    calls = [];
    const res = await run(types.schema, `{ a: getTypes(id: 3) { big } b: getTypes(id: 3) { flag } c: getTypes(id: 4) { small } }`);
    expect(res.errors).toBeUndefined();
    expect(calls.filter((c) => c.op === 'GetTypes')).toHaveLength(2);
  });
});

// ------------------------------------------------------------------ hostile upstreams (raw node:http)

describe('SOAP e2e against hostile upstreams', () => {
  let hostile: http.Server;
  let port = 0;
  let reply: (res: http.ServerResponse) => void = () => {};
  let src: { schema: GraphQLSchema; runtime: SourceRuntime; sdl: string };

  beforeAll(async () => {
    hostile = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => reply(res));
    });
    port = await listen(hostile);
    // Every answer here is deliberately bad: without this the breaker (rightly) opens after five
    // and the later cases would see UPSTREAM_CIRCUIT_OPEN instead of the code they test.
    src = await buildSource({ name: 'hostile', wsdl: 'inventory.wsdl', url: `http://127.0.0.1:${port}/inventory`, timeoutMs: 1000, maxResponseBytes: 64 * 1024, resilience: { circuitBreaker: { enabled: false } } });
  });
  afterAll(async () => {
    await src?.runtime.dispose();
    hostile?.close();
  });

  const envelope = (inner: string) =>
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetStockResponse xmlns="http://example.com/shop/inventory/v1">${inner}</GetStockResponse></soap:Body></soap:Envelope>`;

  const expectBad = async (payload: string | Buffer, status = 200) => {
    reply = (res) => {
      res.statusCode = status;
      res.setHeader('content-type', 'text/xml');
      res.end(payload);
    };
    const before = process.memoryUsage().rss;
    const t0 = Date.now();
    const res = await run(src.schema, `{ getStock(productId: 1) { productId } ok: __typename }`);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(res.data).toEqual({ getStock: null, ok: 'Query' });
    expect(res.errors![0]!.extensions.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    return res.errors![0]!;
  };

  it('refuses an XXE payload (DOCTYPE with an external entity) without reading the file', async () => {
    const err = await expectBad(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${envelope('<stock><productId>&xxe;</productId></stock>')}`);
    expect(err.message).toMatch(/DOCTYPE/);
    expect(err.message).not.toMatch(/root:/);
  });

  it('refuses a billion-laughs payload within milliseconds', async () => {
    let dtd = '<!ENTITY lol "lol">';
    for (let i = 1; i <= 10; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1 || ''};`.repeat(10)}">`;
    await expectBad(`<?xml version="1.0"?><!DOCTYPE lolz [${dtd}]>${envelope('<stock><productId>&lol10;</productId></stock>')}`);
  });

  it('refuses an undefined entity, truncated XML, non-UTF-8 and UTF-7 declarations', async () => {
    await expectBad(envelope('<stock><productId>&foo;</productId></stock>'));
    await expectBad(envelope('<stock><productId>1</productId>').slice(0, -30));
    await expectBad(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e]));
    await expectBad(`<?xml version="1.0" encoding="UTF-7"?>${envelope('<stock><productId>1</productId></stock>')}`);
  });

  it('refuses an answer over maxResponseBytes while reading, and a value that contradicts the WSDL', async () => {
    // Declared by content-length: refused before reading.
    const err = await expectBad(envelope(`<stock><warehouse>${'x'.repeat(200_000)}</warehouse></stock>`));
    expect(err.message).toMatch(/answer of \d+ bytes is larger than maxResponseBytes/);
    // Chunked, no content-length: refused once the bytes read pass the limit.
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      for (let i = 0; i < 20; i++) res.write(`<!-- ${'y'.repeat(8_000)} -->`);
      res.end(envelope(''));
    };
    const chunked = await run(src.schema, `{ getStock(productId: 1) { productId } }`);
    expect(chunked.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
    expect(chunked.errors![0]!.message).toMatch(/answer larger than maxResponseBytes/);
    await expectBad(envelope('<stock><productId>not-a-number</productId><available>1</available><reserved>1</reserved><warehouse>w</warehouse></stock>'));
    await expectBad('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>');
  });

  it('decodes an ISO-8859-1 answer by its HTTP charset; refuses other charsets', async () => {
    reply = (res) => {
      res.setHeader('content-type', 'text/xml; charset=ISO-8859-1');
      res.end(Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${envelope('<stock><productId>1</productId><available>2</available><reserved>3</reserved><warehouse>Bézier</warehouse></stock>')}`, 'latin1'));
    };
    const res = await run(src.schema, `{ getStock(productId: 1) { warehouse } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ getStock: { warehouse: 'Bézier' } });
    reply = (res) => {
      res.setHeader('content-type', 'text/xml; charset=utf-16');
      res.end(Buffer.from(envelope(''), 'utf16le'));
    };
    const bad = await run(src.schema, `{ getStock(productId: 1) { warehouse } }`);
    expect(bad.errors![0]!.extensions.code).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it('a slow-drip answer cannot stall the call past the deadline (UPSTREAM_TIMEOUT)', async () => {
    let timer: NodeJS.Timeout | undefined;
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    };
    const t0 = Date.now();
    const res = await run(src.schema, `{ getStock(productId: 1) { productId } }`);
    clearInterval(timer);
    expect(Date.now() - t0).toBeLessThan(1800);
    expect(res.errors![0]!.extensions.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('reads a SOAP 1.2 Fault (Code/Reason/Detail)', async () => {
    reply = (res) => {
      res.statusCode = 500;
      res.end('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>m:BadId</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">bad id</env:Text></env:Reason><env:Detail><m:info xmlns:m="urn:m">x</m:info></env:Detail></env:Fault></env:Body></env:Envelope>');
    };
    const res = await run(src.schema, `{ getStock(productId: 1) { productId } }`);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_SOAP_FAULT', upstream: { faultcode: 'env:Sender / m:BadId', faultstring: 'bad id', detail: { info: 'x' }, status: 500 } });
  });

  it('maps HTTP errors without a Fault, redirects and refused connections', async () => {
    reply = (res) => {
      res.statusCode = 503;
      res.end('<html>down</html>');
    };
    let res = await run(src.schema, `{ getStock(productId: 1) { productId } }`);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_HTTP_ERROR', upstream: { status: 503 } });
    reply = (res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://169.254.169.254/');
      res.end();
    };
    res = await run(src.schema, `{ getStock(productId: 1) { productId } }`);
    expect(res.errors![0]!.extensions.code).toBe('UPSTREAM_REDIRECT_REFUSED');
    const dead = await buildSource({ name: 'dead', wsdl: 'inventory.wsdl', url: 'http://127.0.0.1:1/inventory' });
    res = await run(dead.schema, `{ getStock(productId: 1) { productId } }`);
    expect(res.errors![0]!.extensions.code).toBe('UPSTREAM_UNREACHABLE');
    await dead.runtime.dispose();
  });
});

// ------------------------------------------------------------------ through the whole gateway (yoga + graphql-jit + masking)

describe('SOAP source inside the gateway', () => {
  it('answers over HTTP; a Fault keeps its code through error masking and the rest of the query answers', async () => {
    const gw = await startTestGateway({
      sources: [{ kind: 'soap', name: 'types', wsdl: 'test/fixtures/soap/types.wsdl', url: `http://127.0.0.1:${soapPort}/types`, typePrefix: 'T' }],
    });
    try {
      const ok = await gw.query('{ getTypes(id: 1) { big tags color items { id name } } }');
      expect(ok.body.errors).toBeUndefined();
      expect(ok.body.data).toEqual({ getTypes: { big: BIG, tags: ['only'], color: 'dark_green', items: [{ id: 7, name: 'single' }] } });
      const mixed = await gw.query('mutation { bad: fail(reason: "x") ok: echo(big: "2", amount: "1.5", day: "2024-01-01", color: red) { big amount } }');
      expect(mixed.body.data).toEqual({ bad: null, ok: { big: '2', amount: '1.5' } });
      expect(mixed.body.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_SOAP_FAULT', upstream: { source: 'types', operation: 'Fail', faultstring: 'refused: x' } });
    } finally {
      await gw.close();
    }
  });
});
