import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK, type CryptoKey } from 'jose';
import { WebSocket } from 'ws';
import * as soap from 'soap';
import { startTestGateway, REPO_ROOT, type TestGateway } from '../helpers/gateway';
import { startUsersService, type DemoBackend } from '../../demo/backends/users-rest';
import { sha256Hex } from '../../src/policy/api-keys';

/**
 * Issue #7 (auth) hardening, on real loopback servers: graphql-ws credentials checked at
 * connection_init (close codes), token expiry on open sockets, trusted documents over WebSocket,
 * per-address lockout after repeated invalid credentials, stale-JWKS grace, and identity
 * forwarding into SOAP envelopes.
 */

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'switchyard';
const API_KEY = 'sk_test_hardening_0123456789';
const POLICY_DIR = resolve(REPO_ROOT, 'test/fixtures/policy');
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Jwks {
  url: string;
  keys: JWK[];
  fetches: number;
  stop(): Promise<void>;
}
async function startJwks(keys: JWK[]): Promise<Jwks> {
  const state = { keys, fetches: 0 };
  const server: Server = createServer((_req, res) => {
    state.fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  let stopped = false;
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    stop: () =>
      stopped
        ? Promise.resolve()
        : new Promise<void>((r) => {
            stopped = true;
            server.closeAllConnections();
            server.close(() => r());
          }),
  }) as Jwks;
}

let key: { privateKey: CryptoKey; publicKey: CryptoKey };
let other: { privateKey: CryptoKey; publicKey: CryptoKey };
let jwk: JWK;
let publicPem: string;
let users: DemoBackend;
let seq = 0;

/** A fresh token each call (distinct `jti`), so no test is answered by the verified-token cache. */
function sign(claims: Record<string, unknown> = {}, opts: { exp?: number; kid?: string; key?: CryptoKey } = {}): Promise<string> {
  return new SignJWT({ sub: 'user-1', jti: `t${++seq}`, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'k1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? now() + 300)
    .sign(opts.key ?? key.privateKey);
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const resetCalls = () => {
  for (const k of Object.keys(users.calls)) delete users.calls[k];
};

/** The policy fixture (people: public, members: @authenticated) over the demo users backend. */
function policyGateway(auth: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<TestGateway> {
  return startTestGateway(
    {
      schemasDir: 'schemas',
      resolversDir: 'resolvers',
      internalSources: ['users'],
      sources: [{ kind: 'rest', name: 'users', spec: resolve(REPO_ROOT, 'schemas/users/upstream/openapi.yaml'), url: users.url }],
      auth: { policies: { gold: () => false }, ...auth },
      ...extra,
    },
    POLICY_DIR,
  );
}

/** POST from a chosen local address (127.0.0.0/8 all reaches the loopback gateway). */
function postFrom(localAddress: string, url: string, query: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] } }> {
  const body = JSON.stringify({ query });
  return new Promise((ok, fail) => {
    const req = httpRequest(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

// ------------------------------------------------------------------ a raw graphql-transport-ws client

interface WsResult {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * Speaks the protocol by hand, so the tests see exactly when the server closes (code, reason)
 * and what it answers, without client-side retries.
 */
class RawWs {
  readonly closed: Promise<{ code: number; reason: string; at: number }>;
  /** true once connection_ack arrived; false when the socket closed first. */
  readonly acked: Promise<boolean>;
  private readonly handlers = new Map<string, (msg: { type: string; payload?: unknown }) => void>();
  private nextId = 0;

  constructor(
    private readonly ws: WebSocket,
    connectionParams: Record<string, unknown>,
  ) {
    this.closed = new Promise((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString(), at: Date.now() })));
    this.acked = new Promise((r) => {
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as { type: string; id?: string; payload?: unknown };
        if (msg.type === 'connection_ack') r(true);
        if (msg.id) this.handlers.get(msg.id)?.(msg);
      });
      void this.closed.then(() => r(false));
    });
    ws.on('error', () => {});
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: connectionParams })));
  }

  static open(url: string, connectionParams: Record<string, unknown>, localAddress?: string): RawWs {
    return new RawWs(new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', localAddress ? { localAddress } : {}), connectionParams);
  }

  /** Sends one subscribe; resolves with the last `next` payload, or the `error` payload. */
  run(payload: Record<string, unknown>): Promise<WsResult & { protocolErrors?: WsResult['errors'] }> {
    const id = String(++this.nextId);
    return new Promise((ok, fail) => {
      let last: WsResult = {};
      this.handlers.set(id, (msg) => {
        if (msg.type === 'next') last = msg.payload as WsResult;
        else if (msg.type === 'error') ok({ protocolErrors: msg.payload as WsResult['errors'] });
        else if (msg.type === 'complete') ok(last);
      });
      void this.closed.then((c) => fail(new Error(`socket closed ${c.code} ${c.reason}`)));
      this.ws.send(JSON.stringify({ id, type: 'subscribe', payload }));
    });
  }

  close(): void {
    this.ws.close(1000);
  }
}

beforeAll(async () => {
  key = await generateKeyPair('RS256', { extractable: true });
  other = await generateKeyPair('RS256', { extractable: true });
  jwk = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  publicPem = await exportSPKI(key.publicKey);
  users = await startUsersService(0);
});
afterAll(async () => {
  await users?.close();
});
beforeEach(resetCalls);

// ------------------------------------------------------------------ 1. graphql-ws credentials

describe('graphql-ws: credentials are checked at connection_init', () => {
  let gw: TestGateway;
  let required: TestGateway;
  beforeAll(async () => {
    const auth = { jwt: { publicKey: publicPem, issuer: ISSUER, audience: AUDIENCE }, apiKeys: [{ sha256: sha256Hex(API_KEY), clientId: 'billing' }], lockout: false };
    gw = await policyGateway(auth);
    required = await policyGateway({ ...auth, required: true });
  });
  afterAll(async () => {
    await gw?.close();
    await required?.close();
  });

  it.each([
    ['an invalid token', { authorization: 'Bearer not.a.jwt' }],
    ['a token signed by another key', 'other-key'],
    ['an expired token', 'expired'],
    ['a malformed Authorization value', { authorization: 'Basic dXNlcjpwdw==' }],
    ['an unknown API key', { 'x-api-key': 'sk_unknown' }],
  ])('%s: the socket is closed with 4403 "Forbidden" before connection_ack', async (_name, params) => {
    const connectionParams =
      params === 'other-key' ? bearer(await sign({}, { key: other.privateKey })) : params === 'expired' ? bearer(await sign({}, { exp: now() - 120 })) : (params as Record<string, unknown>);
    const ws = RawWs.open(gw.url, connectionParams);
    expect(await ws.acked).toBe(false);
    expect(await ws.closed).toMatchObject({ code: 4403, reason: 'Forbidden' });
    expect(users.calls).toEqual({});
  });

  it('auth.required without credentials: 4403 too; with credentials the socket works', async () => {
    const anon = RawWs.open(required.url, {});
    expect(await anon.acked).toBe(false);
    expect(await anon.closed).toMatchObject({ code: 4403, reason: 'Forbidden' });

    const ok = RawWs.open(required.url, { 'x-api-key': API_KEY });
    expect(await ok.acked).toBe(true);
    expect(await ok.run({ query: '{ members(first: 1) { id } }' })).toEqual({ data: { members: [{ id: 1 }] } });
    ok.close();
  });

  it('valid credentials keep working for several operations (token, `token` key, API key); anonymous sockets stay anonymous', async () => {
    for (const params of [bearer(await sign()), { token: await sign() }, { Authorization: `Bearer ${await sign()}` }, { 'x-api-key': API_KEY }]) {
      const ws = RawWs.open(gw.url, params);
      expect(await ws.acked).toBe(true);
      for (let i = 1; i <= 2; i++) expect(await ws.run({ query: `{ members(first: ${i}) { id } }` })).toEqual({ data: { members: [{ id: 1 }, { id: 2 }].slice(0, i) } });
      ws.close();
    }
    const anon = RawWs.open(gw.url, {});
    expect(await anon.acked).toBe(true);
    const res = await anon.run({ query: '{ people(first: 1) { id } members(first: 1) { id } }' });
    expect(res.data).toEqual({ people: [{ id: 1 }], members: null });
    expect(res.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    anon.close();
  });
});

describe('graphql-ws: a socket whose JWT expires is closed with 4403', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await policyGateway({ jwt: { publicKey: publicPem, issuer: ISSUER, audience: AUDIENCE, clockToleranceSec: 0 }, lockout: false });
  });
  afterAll(() => gw?.close());

  it('works until `exp`, is closed at `exp` (4403 "Token expired"), nothing runs after it', async () => {
    const exp = now() + 2;
    const ws = RawWs.open(gw.url, bearer(await sign({}, { exp })));
    expect(await ws.acked).toBe(true);
    expect(await ws.run({ query: '{ members(first: 1) { id } }' })).toEqual({ data: { members: [{ id: 1 }] } });
    const closed = await ws.closed;
    expect(closed).toMatchObject({ code: 4403, reason: 'Token expired' });
    expect(closed.at).toBeGreaterThanOrEqual(exp * 1000 - 5);
    expect(closed.at).toBeLessThan(exp * 1000 + 1_500);
    expect(users.calls).toEqual({ 'GET /users': 1 });
    // Reconnecting with the expired token is refused at connect.
    const again = RawWs.open(gw.url, bearer(await sign({}, { exp })));
    expect(await again.acked).toBe(false);
    expect((await again.closed).code).toBe(4403);
  });

  it('a token with a far-away exp (beyond setTimeout range) keeps the socket open', async () => {
    const ws = RawWs.open(gw.url, bearer(await sign({}, { exp: now() + 90 * 24 * 3600 })));
    expect(await ws.acked).toBe(true);
    await sleep(100);
    expect(await ws.run({ query: '{ members(first: 1) { id } }' })).toEqual({ data: { members: [{ id: 1 }] } });
    ws.close();
    expect((await ws.closed).code).toBe(1000);
  });
});

// ------------------------------------------------------------------ 2. trusted documents over WebSocket

describe('trusted documents over graphql-ws', () => {
  const QUERY = 'query People($n: Int!) { people(first: $n) { id } }';
  const HASH = sha256Hex(QUERY);
  let td: TestGateway;
  let ws: RawWs;
  beforeAll(async () => {
    td = await policyGateway({ policies: { gold: () => false } }, { trustedDocuments: { manifest: 'persisted-documents.json' } });
    ws = RawWs.open(td.url, {});
    expect(await ws.acked).toBe(true);
  });
  afterAll(async () => {
    ws?.close();
    await td?.close();
  });

  it('runs a manifest document by documentId, by extensions.persistedQuery.sha256Hash, or as its exact text', async () => {
    expect(await ws.run({ query: '', documentId: 'people-v1', variables: { n: 1 } })).toEqual({ data: { people: [{ id: 1 }] } });
    expect(await ws.run({ query: '', documentId: `sha256:${HASH}`, variables: { n: 2 } })).toEqual({ data: { people: [{ id: 1 }, { id: 2 }] } });
    expect(await ws.run({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: HASH } }, variables: { n: 1 } })).toEqual({ data: { people: [{ id: 1 }] } });
    expect(await ws.run({ query: QUERY, variables: { n: 1 } })).toEqual({ data: { people: [{ id: 1 }] } });
  });

  it('refuses free-form text (PERSISTED_QUERY_NOT_IN_LIST) and unknown ids (PERSISTED_QUERY_NOT_FOUND), as over HTTP; nothing runs', async () => {
    const free = await ws.run({ query: '{ people(first: 1) { id } }' });
    expect(free.protocolErrors!.map((e) => e.extensions!.code)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    const unknown = await ws.run({ query: '', documentId: 'nope' });
    expect(unknown.protocolErrors!.map((e) => e.extensions!.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const unknownHash = await ws.run({ query: '{ people { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expect(unknownHash.protocolErrors!.map((e) => e.extensions!.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(users.calls).toEqual({});
    // HTTP answers the same codes.
    expect((await td.query('{ people(first: 1) { id } }')).body.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    // The socket is still usable.
    expect(await ws.run({ query: '', documentId: 'people-v1', variables: { n: 1 } })).toEqual({ data: { people: [{ id: 1 }] } });
  });
});

// ------------------------------------------------------------------ 3. lockout

describe('auth.lockout: repeated invalid credentials from one address', () => {
  let jwks: Jwks;
  let gw: TestGateway;
  beforeAll(async () => {
    jwks = await startJwks([jwk]);
    gw = await policyGateway({
      jwt: { jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE, jwksCooldownMs: 0 },
      apiKeys: [{ sha256: sha256Hex(API_KEY), clientId: 'billing' }],
      lockout: { maxFailures: 3, windowMs: 3_000 },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await jwks?.stop();
  });

  it('locks the address out (429 AUTH_LOCKED_OUT + Retry-After) without verifying, for HTTP and WebSocket; anonymous requests and other addresses are unaffected; it ends after windowMs', async () => {
    const q = '{ members(first: 1) { id } }';
    const A = '127.0.0.3';
    const B = '127.0.0.4';
    // Valid credentials before the lockout: fine.
    expect((await postFrom(A, gw.url, q, bearer(await sign()))).status).toBe(200);
    // Three invalid credentials (bad signature, unknown key, garbage): 401 each.
    expect((await postFrom(A, gw.url, q, bearer(await sign({}, { key: other.privateKey })))).status).toBe(401);
    expect((await postFrom(A, gw.url, q, { 'x-api-key': 'sk_guess_1' })).status).toBe(401);
    const third = await postFrom(A, gw.url, q, bearer('garbage'));
    expect(third.status).toBe(401);
    const lockedAt = Date.now();

    // Now every credentialed request from A is refused without verification: a token with an
    // unknown kid would make the gateway refetch the JWKS (cooldown 0), a valid one would pass.
    const fetches = jwks.fetches;
    for (const headers of [bearer(await sign({}, { kid: 'rotated' })), bearer(await sign()), { 'x-api-key': API_KEY }, { 'x-api-key': 'sk_guess_2' }]) {
      const res = await postFrom(A, gw.url, q, headers);
      expect(res.status).toBe(429);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors!.map((e) => e.extensions!.code)).toEqual(['AUTH_LOCKED_OUT']);
      expect(res.body.errors![0]!.extensions!.retryAfter).toBeOneOf([1, 2, 3]);
      expect(res.headers['retry-after']).toMatch(/^[123]$/);
    }
    expect(jwks.fetches).toBe(fetches);
    expect(users.calls).toEqual({ 'GET /users': 1 });

    // graphql-ws from A: closed with 4429 at connect.
    const ws = RawWs.open(gw.url, bearer(await sign()), A);
    expect(await ws.acked).toBe(false);
    expect(await ws.closed).toMatchObject({ code: 4429 });

    // Anonymous requests from A still run (field rules decide).
    const anon = await postFrom(A, gw.url, '{ people(first: 1) { id } }');
    expect(anon.status).toBe(200);
    expect(anon.body).toEqual({ data: { people: [{ id: 1 }] } });
    // Another address is not affected, over HTTP and WebSocket.
    expect((await postFrom(B, gw.url, q, bearer(await sign()))).body).toEqual({ data: { members: [{ id: 1 }] } });
    expect((await postFrom(B, gw.url, q, { 'x-api-key': API_KEY })).status).toBe(200);
    const wsB = RawWs.open(gw.url, { 'x-api-key': API_KEY }, B);
    expect(await wsB.acked).toBe(true);
    wsB.close();

    // After windowMs, A may authenticate again.
    await sleep(Math.max(0, lockedAt + 3_100 - Date.now()));
    expect((await postFrom(A, gw.url, q, bearer(await sign()))).status).toBe(200);
  });

  it('failures over graphql-ws count too; expired tokens do not', async () => {
    const C = '127.0.0.5';
    for (let i = 0; i < 5; i++) {
      const res = await postFrom(C, gw.url, '{ members { id } }', bearer(await sign({}, { exp: now() - 120 })));
      expect(res.status).toBe(401);
    }
    for (let i = 0; i < 3; i++) {
      const ws = RawWs.open(gw.url, { 'x-api-key': `sk_guess_${i}` }, C);
      expect((await ws.closed).code).toBe(4403);
    }
    const res = await postFrom(C, gw.url, '{ members { id } }', { 'x-api-key': API_KEY });
    expect(res.status).toBe(429);
    expect(res.body.errors![0]!.extensions!.code).toBe('AUTH_LOCKED_OUT');
  });

  it('the default (10 failures / 60 s) applies without config; `lockout: false` switches it off', async () => {
    const off = await policyGateway({ apiKeys: [{ sha256: sha256Hex(API_KEY), clientId: 'billing' }], lockout: false });
    const on = await policyGateway({ apiKeys: [{ sha256: sha256Hex(API_KEY), clientId: 'billing' }] });
    try {
      for (let i = 0; i < 12; i++) {
        expect((await postFrom('127.0.0.6', off.url, '{ members { id } }', { 'x-api-key': 'nope' })).status).toBe(401);
        expect((await postFrom('127.0.0.6', on.url, '{ members { id } }', { 'x-api-key': 'nope' })).status).toBe(i < 10 ? 401 : 429);
      }
      expect((await postFrom('127.0.0.6', off.url, '{ members(first: 1) { id } }', { 'x-api-key': API_KEY })).status).toBe(200);
      const locked = await postFrom('127.0.0.6', on.url, '{ members(first: 1) { id } }', { 'x-api-key': API_KEY });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(50);
    } finally {
      await off.close();
      await on.close();
    }
  });
});

// ------------------------------------------------------------------ 4. stale-JWKS grace

describe('JWKS down: stale-key grace (auth.jwt.jwksStaleGraceMs)', () => {
  it('keys fetched before verify new tokens past jwksMaxAgeMs for the grace, then AUTH_PROVIDER_UNAVAILABLE (HTTP 503, WebSocket 1013)', async () => {
    const jwks = await startJwks([jwk]);
    const gw = await policyGateway({ jwt: { jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE, jwksMaxAgeMs: 400, jwksStaleGraceMs: 3_000, jwksCooldownMs: 200 } });
    try {
      const q = '{ members(first: 1) { id } }';
      expect((await gw.query(q, undefined, bearer(await sign()))).status).toBe(200);
      const fetchedAt = Date.now();
      expect(jwks.fetches).toBe(1);
      await jwks.stop();

      // Past max age, within the grace: new (never verified) tokens still verify.
      await sleep(600);
      for (let i = 0; i < 3; i++) {
        const res = await gw.query(q, undefined, bearer(await sign({ sub: `grace-${i}` })));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ data: { members: [{ id: 1 }] } });
      }
      const ws = RawWs.open(gw.url, bearer(await sign()));
      expect(await ws.acked).toBe(true);
      ws.close();
      // A forged token is still refused with the stale keys.
      expect((await gw.query(q, undefined, bearer(await sign({}, { key: other.privateKey })))).status).toBe(401);

      // Past max age + grace: the provider is needed and down.
      await sleep(Math.max(0, fetchedAt + 400 + 3_000 + 200 - Date.now()));
      const res = await gw.query(q, undefined, bearer(await sign({ sub: 'late' })));
      expect(res.status).toBe(503);
      expect(res.body.errors![0]!.extensions!.code).toBe('AUTH_PROVIDER_UNAVAILABLE');
      expect(res.headers.get('retry-after')).toBe('5');
      const late = RawWs.open(gw.url, bearer(await sign({ sub: 'late-ws' })));
      expect(await late.acked).toBe(false);
      expect(await late.closed).toMatchObject({ code: 1013 });
    } finally {
      await gw.close();
      await jwks.stop();
    }
  });

  it('jwksStaleGraceMs: 0 gives no grace: past jwksMaxAgeMs a down JWKS is 503', async () => {
    const jwks = await startJwks([jwk]);
    const gw = await policyGateway({ jwt: { jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE, jwksMaxAgeMs: 1_500, jwksStaleGraceMs: 0 } });
    try {
      expect((await gw.query('{ members(first: 1) { id } }', undefined, bearer(await sign()))).status).toBe(200);
      const fetchedAt = Date.now();
      await jwks.stop();
      // Within max age (1.5 s leaves room for a loaded CI machine).
      expect((await gw.query('{ members(first: 1) { id } }', undefined, bearer(await sign()))).status).toBe(200);
      await sleep(Math.max(0, fetchedAt + 1_600 - Date.now()));
      const res = await gw.query('{ members(first: 1) { id } }', undefined, bearer(await sign()));
      expect(res.status).toBe(503);
      expect(res.body.errors![0]!.extensions!.code).toBe('AUTH_PROVIDER_UNAVAILABLE');
    } finally {
      await gw.close();
    }
  });
});

// ------------------------------------------------------------------ 5. identity forwarding to SOAP

describe('auth.forward to a SOAP source: identity in the soap:Header', () => {
  const WSDL = resolve(REPO_ROOT, 'schemas/inventory/upstream/inventory.wsdl');
  interface Received {
    body: string;
    headers: Record<string, unknown> | undefined;
    httpHeaders: IncomingMessage['headers'];
    productId: number;
  }
  let received: Received[] = [];
  let server: Server;
  let soapUrl: string;
  let gw: TestGateway;

  beforeAll(async () => {
    // A real node-soap service for the demo inventory WSDL; it records what each call carried.
    let lastBody = '';
    const service = {
      InventoryService: {
        InventoryPort: {
          GetStock(args: { productId: string | number }, _cb: unknown, headers: Record<string, unknown> | undefined, req: IncomingMessage) {
            const productId = Number(args.productId);
            received.push({ body: lastBody, headers, httpHeaders: req.headers, productId });
            return { stock: { productId, available: productId * 10, reserved: 0, warehouse: 'main' } };
          },
          GetStockBatch() {
            return { stock: [] };
          },
        },
      },
    };
    server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const soapServer = soap.listen(server, '/inventory', service, readFileSync(WSDL, 'utf8').replace('127.0.0.1:4013', `127.0.0.1:${port}`));
    // The raw envelope as received, logged by node-soap just before it calls the service (which gets the parsed headers).
    soapServer.log = (type: string, data: unknown) => {
      if (type === 'received') lastBody = String(data);
    };
    soapUrl = `http://127.0.0.1:${port}/inventory`;
    gw = await startTestGateway({
      sources: [{ kind: 'soap', name: 'inventory', wsdl: WSDL, url: soapUrl }],
      auth: {
        jwt: { publicKey: publicPem, issuer: ISSUER, audience: AUDIENCE },
        apiKeys: [{ sha256: sha256Hex(API_KEY), clientId: 'billing' }],
        forward: { inventory: { 'x-user-id': 'sub', 'x-tenant': 'claims.org.id', 'x-client': 'clientId' } },
      },
      cache: { ttlMs: { 'inventory.getStock': 60_000 } },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  });
  beforeEach(() => {
    received = [];
  });

  const identityOf = (r: Received) => (r.headers as { Identity?: Record<string, unknown> } | undefined)?.Identity;

  it('puts the forwarded values, XML-escaped, into <sy:Identity xmlns:sy="urn:switchyard:identity">', async () => {
    const sub = `alice <admin>&"co" 'x' ]]>`;
    const res = await gw.query('{ getStock(productId: 1) { productId available } }', undefined, bearer(await sign({ sub, org: { id: 'acme' } })));
    expect(res.body).toEqual({ data: { getStock: { productId: 1, available: 10 } } });
    expect(received).toHaveLength(1);
    const { body } = received[0]!;
    expect(body).toContain(
      '<soap:Header><sy:Identity xmlns:sy="urn:switchyard:identity"><sy:x-user-id>alice &lt;admin&gt;&amp;&quot;co&quot; &apos;x&apos; ]]&gt;</sy:x-user-id><sy:x-tenant>acme</sy:x-tenant></sy:Identity></soap:Header>',
    );
    // The service reads the original value back (node-soap parsed the header).
    expect(identityOf(received[0]!)).toMatchObject({ 'x-user-id': sub, 'x-tenant': 'acme' });
    // No claim for x-client (a JWT without azp): its element is left out, not sent empty.
    expect(body).not.toContain('x-client');
  });

  it('an API-key caller sends its client id; an anonymous caller sends no identity block; a client cannot inject one', async () => {
    await gw.query('{ getStock(productId: 2) { productId } }', undefined, { 'x-api-key': API_KEY });
    expect(received[0]!.body).toContain('<sy:Identity xmlns:sy="urn:switchyard:identity"><sy:x-client>billing</sy:x-client></sy:Identity>');
    await gw.query('{ getStock(productId: 3) { productId } }', undefined, { 'x-user-id': 'admin' });
    expect(received[1]!.body).not.toContain('Identity');
    expect(received[1]!.body).not.toContain('admin');
    expect(received[1]!.httpHeaders['x-user-id']).toBeUndefined();
  });

  it('two callers never see each other\'s identity: concurrent calls, and the cache keyed by identity', async () => {
    const tokens = { alice: await sign({ sub: 'alice', org: { id: 'a-corp' } }), bob: await sign({ sub: 'bob', org: { id: 'b-corp' } }) };
    // Concurrent, distinct products: every upstream call carries its own caller.
    const calls = Array.from({ length: 16 }, (_, i) => {
      const who = i % 2 ? 'bob' : 'alice';
      return gw.query(`{ getStock(productId: ${100 + i}) { productId } }`, undefined, bearer(tokens[who])).then((r) => ({ who, i, r }));
    });
    for (const { i, r } of await Promise.all(calls)) expect(r.body).toEqual({ data: { getStock: { productId: 100 + i } } });
    expect(received).toHaveLength(16);
    for (const r of received) {
      const who = (r.productId - 100) % 2 ? 'bob' : 'alice';
      expect(identityOf(r)).toMatchObject({ 'x-user-id': who, 'x-tenant': who === 'bob' ? 'b-corp' : 'a-corp' });
      expect(r.body).not.toContain(who === 'bob' ? 'alice' : 'bob');
    }

    // The same product for both callers: one upstream call each (the cache is per identity), then cache hits.
    received = [];
    for (const who of ['alice', 'bob', 'alice', 'bob'] as const) {
      const res = await gw.query('{ getStock(productId: 7) { productId available } }', undefined, bearer(tokens[who]));
      expect(res.body).toEqual({ data: { getStock: { productId: 7, available: 70 } } });
    }
    expect(received.map((r) => identityOf(r)?.['x-user-id'])).toEqual(['alice', 'bob']);
    // Anonymous: its own cache entry, no identity.
    await gw.query('{ getStock(productId: 7) { productId } }');
    expect(received).toHaveLength(3);
    expect(identityOf(received[2]!)).toBeUndefined();
  });
});
