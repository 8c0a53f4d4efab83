import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { REPO_ROOT } from '../helpers/gateway';
import { validateConfig } from '../../src/config/load';
import { buildGateway, type Gateway } from '../../src/app';
import type { Logger } from '../../src/adapters/types';
import { requireRedisOrSkip, startTestRedis, type TestRedis } from '../helpers/redis';
import { freePort } from '../helpers/ports';
import { startUsersService, type DemoBackend } from '../../demo/backends/users-rest';
import { sha256Hex } from '../../src/policy/api-keys';

/**
 * With policy on (JWT over a real JWKS, API keys, limits, cost, rate limit, trusted documents), the
 * fast path stays on and answers exactly as yoga does with it off: same status, same content type,
 * the same body byte for byte, and the same RateLimit-*, Retry-After and WWW-Authenticate headers.
 */
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'switchyard';
const API_KEY = 'sk_fast_path_0123456789abcdef';
const HEADERS = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after', 'www-authenticate'];

// Budget 100 over an hour: one point refills in 36 s, so RateLimit-Reset and Retry-After are whole
// seconds.
const BUDGET = 100;
const WINDOW_MS = 3_600_000;

const Q = {
  members: '{ members(first: 2) { id name } }',
  mixed: '{ members(first: 1) { id } people(first: 1) { id } }',
  admins: '{ admins(first: 1) { id } people(first: 1) { id } }',
  overCost: '{ people(first: 60) { id } }',
  greedy: '{ people(first: 40) { id } }',
  vars: 'query P($n: Int!) { people(first: $n) { id } }',
  suggestion: '{ people(first: 1) { nme } }',
  deep: '{ page(first: 1) { items { again { again { again { again { again { id } } } } } } } }',
  down: '{ people(first: 2) { id } }',
  twoOps: 'query A { people(first: 1) { id } } query B { people(first: 2) { id } }',
  untrusted: '{ people(first: 3) { id name } }',
};

let users: DemoBackend;
let jwks: Server;
let jwksUrl: string;
let key: CryptoKey;
let manifest: string;
const tokens: Record<string, string> = {};

async function sign(claims: Record<string, unknown>, exp = Math.floor(Date.now() / 1000) + 600) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime(exp).sign(key);
}

interface PairOptions {
  rateLimit?: Record<string, unknown>;
  /** The yoga-only gateway's, when it differs (a Redis key prefix of its own). */
  rateLimitYoga?: Record<string, unknown>;
  lockout?: Record<string, unknown>;
  usersUrl?: string;
}

function policyConfig({ rateLimit = {}, lockout = { maxFailures: 1_000 }, usersUrl = users.url }: PairOptions, server: Record<string, unknown>) {
  return {
    logLevel: 'silent',
    server: { port: 0, ...server },
    schemasDir: 'schemas',
    resolversDir: 'resolvers',
    internalSources: ['users'],
    sources: [{ kind: 'rest', name: 'users', spec: resolve(REPO_ROOT, 'schemas/users/upstream/openapi.yaml'), url: usersUrl }],
    auth: {
      jwt: { jwksUrl, issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'] },
      apiKeys: [{ sha256: sha256Hex(API_KEY), clientId: 'billing', scopes: ['users:read', 'users:list'] }],
      policies: { gold: () => false },
      lockout,
    },
    limits: { maxDepth: 5 },
    cost: { maxCost: 50 },
    rateLimit: { budget: BUDGET, windowMs: WINDOW_MS, ...rateLimit },
    trustedDocuments: { manifest },
  };
}

interface TestGateway {
  gateway: Gateway;
  url: string;
  /** Requests yoga's HTTP layer handled (its debug log line per request): 0 when the fast path answered. */
  viaYoga: number;
  close(): Promise<void>;
}

async function start(raw: Record<string, unknown>): Promise<TestGateway> {
  const config = validateConfig(raw, { baseDir: resolve(REPO_ROOT, 'test/fixtures/policy') });
  const quiet = () => undefined;
  const logger: Logger = {
    debug: (msg) => {
      if (msg === 'Parsing request to extract GraphQL parameters') gw.viaYoga++;
    },
    info: quiet,
    warn: quiet,
    error: quiet,
  };
  const gateway = await buildGateway(config, { logger });
  await new Promise<void>((r) => gateway.server.listen(0, '127.0.0.1', () => r()));
  const gw: TestGateway = {
    gateway,
    url: `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}${config.server.graphqlPath}`,
    viaYoga: 0,
    close: () => gateway.dispose(),
  };
  return gw;
}

/** A fast-path gateway and a yoga-only one with the same config. */
async function startPair(options: PairOptions = {}) {
  const fast = await start(policyConfig(options, { fastPath: true }));
  const yoga = await start(policyConfig({ ...options, rateLimit: options.rateLimitYoga ?? options.rateLimit }, { fastPath: false }));
  return { fast, yoga, close: async () => (await fast.close(), await yoga.close()) };
}

beforeAll(async () => {
  users = await startUsersService(0);
  const pair = await generateKeyPair('RS256', { extractable: true });
  key = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', () => r()));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  tokens.user = await sign({ sub: 'user-1', scope: 'users:read' });
  tokens.admin = await sign({ sub: 'admin-1', scope: 'admin' });
  tokens.expired = await sign({ sub: 'user-1' }, Math.floor(Date.now() / 1000) - 120);
  const [h, , s] = tokens.user.split('.');
  tokens.tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: 4_000_000_000, scope: 'admin' })).toString('base64url')}.${s}`;
  // Every query above is trusted except `untrusted`.
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-fast-path-policy-'));
  manifest = join(dir, 'persisted-documents.json');
  writeFileSync(manifest, JSON.stringify({ 'people-v1': Q.vars, ...Object.fromEntries(Object.entries(Q).filter(([k]) => k !== 'untrusted').map(([k, v]) => [k, v])) }));
});
afterAll(async () => {
  await users?.close();
  await new Promise<void>((r) => (jwks ? (jwks.closeAllConnections(), jwks.close(() => r())) : r()));
});

interface Answer {
  status: number;
  type: string | null;
  body: string;
  headers: Record<string, string | null>;
}

async function send(gw: TestGateway, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text(), headers: Object.fromEntries(HEADERS.map((h) => [h, res.headers.get(h)])) };
}

/** Sends to both gateways (their buckets are their own: the same sequence gives the same state). */
async function both(pair: { fast: TestGateway; yoga: TestGateway }, body: unknown, headers: Record<string, string>) {
  const [a, b] = await Promise.all([send(pair.fast, body, headers), send(pair.yoga, body, headers)]);
  expect(a.status).toBe(b.status);
  expect(a.type).toBe(b.type);
  expect(a.body).toBe(b.body);
  expect(a.headers).toEqual(b.headers);
  return a;
}

const bearer = (name: string) => () => ({ authorization: `Bearer ${tokens[name]}` });
const none = () => ({});

/**
 * [name, body, credentials, expected status, answered by the fast path (not handed to yoga)].
 * A status pair is [application/graphql-response+json, application/json]: yoga answers validation
 * and parse-time errors 200 for the latter (GraphQL over HTTP).
 */
const CASES: [string, unknown, () => Record<string, string>, number | [number, number], boolean][] = [
  ['a valid token', { query: Q.members }, bearer('user'), 200, true],
  ['a valid token without the scope a field needs (FORBIDDEN at its path)', { query: Q.admins }, bearer('user'), 200, true],
  ['a token with the scope', { query: Q.admins }, bearer('admin'), 200, true],
  ['an API key', { query: Q.members }, () => ({ 'x-api-key': API_KEY }), 200, true],
  ['no credentials (anonymous: UNAUTHENTICATED at the field)', { query: Q.mixed }, none, 200, true],
  ['a tampered token (401)', { query: Q.members }, bearer('tampered'), 401, true],
  ['an expired token (401)', { query: Q.members }, bearer('expired'), 401, true],
  ['garbage as a token (401)', { query: Q.members }, () => ({ authorization: 'Bearer abc' }), 401, true],
  ['another scheme (401)', { query: Q.members }, () => ({ authorization: 'Basic YTpi' }), 401, true],
  ['an unknown API key (401)', { query: Q.members }, () => ({ 'x-api-key': 'sk_nope' }), 401, true],
  ['over the cost limit', { query: Q.overCost }, bearer('user'), 400, true],
  ['over the cost limit through a variable', { query: Q.vars, variables: { n: 70 } }, bearer('user'), 400, true],
  ['variables within the cost limit', { query: Q.vars, variables: { n: 3 } }, bearer('user'), 200, true],
  ['operationName', { query: Q.twoOps, operationName: 'B' }, bearer('user'), 200, true],
  ['an untrusted document', { query: Q.untrusted }, bearer('user'), 400, true],
  ['an untrusted document and a bad token (the credential refusal wins, as in yoga)', { query: Q.untrusted }, bearer('tampered'), 401, true],
  ['a trusted document by id (yoga)', { documentId: 'people-v1', variables: { n: 2 } }, bearer('user'), 200, false],
  ['a suggestion, anonymous (hidden; yoga)', { query: Q.suggestion }, none, [400, 200], false],
  ['a suggestion, authenticated (shown; yoga)', { query: Q.suggestion }, bearer('user'), [400, 200], false],
  ['over the depth limit (yoga)', { query: Q.deep }, bearer('user'), [400, 200], false],
];

describe('fast path == yoga, with policy on (memory rate-limit store)', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    // The clock stands still: RateLimit-Reset and Retry-After are computed from the time since a
    // bucket's last call, which differs by a few ms between the two gateways.
    vi.useFakeTimers({ toFake: ['Date'] });
    pair = await startPair();
  });
  afterAll(async () => {
    await pair?.close();
    vi.useRealTimers();
  });

  it('the fast path stays on with auth, limits, cost, rate limit and trusted documents configured', () => {
    expect(pair.fast.gateway.fastPath).toBe(true);
    expect(pair.fast.gateway.fastPathDirect).toBe(true); // and it calls the hooks without envelop (src/server/direct-pipeline.ts)
    expect(pair.yoga.gateway.fastPath).toBe(false);
  });

  for (const accept of ['application/graphql-response+json', 'application/json']) {
    for (const [name, body, credentials, statuses, fast] of CASES) {
      it(`${name} (accept: ${accept})`, async () => {
        const status = typeof statuses === 'number' ? statuses : statuses[accept === 'application/json' ? 1 : 0];
        pair.fast.viaYoga = 0;
        const a = await both(pair, body, { accept, ...credentials() });
        expect(a.status).toBe(status);
        expect(pair.fast.viaYoga).toBe(fast ? 0 : 1);
        if (status === 401) expect(a.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
        if (status === 200 && fast) {
          // Executed: charged to the budget, reported in the headers and in extensions.cost.
          expect(a.headers['ratelimit-limit']).toBe(String(BUDGET));
          expect(a.headers['ratelimit-remaining']).toMatch(/^\d+$/);
          expect(a.headers['ratelimit-reset']).toMatch(/^\d+$/);
          expect(JSON.parse(a.body).extensions.cost).toMatchObject({ max: 50 });
        }
      });
    }
  }

  it('a client that spends its budget: 200, 200, then 429 with Retry-After and RateLimit-*, all from the fast path', async () => {
    const greedy = { authorization: `Bearer ${await sign({ sub: 'greedy' })}` };
    pair.fast.viaYoga = 0;
    const first = await both(pair, { query: Q.greedy }, greedy);
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-remaining']).toBe('60');
    expect((await both(pair, { query: Q.greedy }, greedy)).headers['ratelimit-remaining']).toBe('20');
    const refused = await both(pair, { query: Q.greedy }, greedy);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('720'); // 20 points missing, 36 s each
    expect(refused.headers['ratelimit-remaining']).toBe('20');
    expect(JSON.parse(refused.body).errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 720 });
    expect(pair.fast.viaYoga).toBe(0);
  });
});

describe('fast path == yoga, with policy on (Redis rate-limit store)', () => {
  const skip = requireRedisOrSkip();
  let redis: TestRedis;
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    if (skip) return;
    redis = await startTestRedis();
    // One Redis, a bucket namespace per gateway: the same sequence gives the same state.
    pair = await startPair({ rateLimit: { redis: redis.url, keyPrefix: 'fast:', timeoutMs: 1_000 }, rateLimitYoga: { redis: redis.url, keyPrefix: 'yoga:', timeoutMs: 1_000 } });
  });
  afterAll(async () => {
    await pair?.close();
    await redis?.stop();
  });

  it.skipIf(Boolean(skip))('the budget is charged, reported and refused the same way', async () => {
    expect(pair.fast.gateway.fastPath).toBe(true);
    const greedy = { authorization: `Bearer ${await sign({ sub: 'greedy-redis' })}` };
    pair.fast.viaYoga = 0;
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const ok = await both(pair, { query: Q.members }, { accept, ...greedy });
      expect(ok.status).toBe(200);
      expect(ok.headers['ratelimit-limit']).toBe(String(BUDGET));
    }
    expect((await both(pair, { query: Q.greedy }, greedy)).headers['ratelimit-remaining']).toBe('56');
    expect((await both(pair, { query: Q.greedy }, greedy)).headers['ratelimit-remaining']).toBe('16');
    const refused = await both(pair, { query: Q.greedy }, greedy);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('864'); // 24 points missing, 36 s each
    expect(pair.fast.viaYoga).toBe(0);
  });
});

describe('fast path == yoga: an address locked out after repeated invalid credentials', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    pair = await startPair({ lockout: { maxFailures: 2, windowMs: 60_000 } });
  });
  afterAll(() => pair?.close());

  it('401, 401, then 429 AUTH_LOCKED_OUT with Retry-After, even for a valid token; anonymous callers still pass', async () => {
    pair.fast.viaYoga = 0;
    for (let i = 0; i < 2; i++) expect((await both(pair, { query: Q.members }, { authorization: `Bearer ${tokens.tampered}` })).status).toBe(401);
    const locked = await both(pair, { query: Q.members }, { authorization: `Bearer ${tokens.user}` });
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(locked.body).errors[0].extensions.code).toBe('AUTH_LOCKED_OUT');
    expect((await both(pair, { query: Q.mixed }, {})).status).toBe(200);
    expect(pair.fast.viaYoga).toBe(0);
  });
});

describe('fast path == yoga: the upstream down', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    const port = await freePort();
    pair = await startPair({ usersUrl: `http://127.0.0.1:${port}` });
  });
  afterAll(() => pair?.close());

  for (const accept of ['application/graphql-response+json', 'application/json']) {
    it(`a non-null root field fails: data null, the error at its path (accept: ${accept})`, async () => {
      pair.fast.viaYoga = 0;
      const a = await both(pair, { query: Q.down }, { accept, authorization: `Bearer ${tokens.user}` });
      const body = JSON.parse(a.body);
      expect(body.data).toBeNull();
      expect(body.errors[0].path).toEqual(['people']);
      expect(pair.fast.viaYoga).toBe(0);
    });
  }
});

describe('fast path == yoga: the rate-limit store unreachable', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    const port = await freePort();
    pair = await startPair({ rateLimit: { redis: `redis://127.0.0.1:${port}`, onStoreError: 'closed', timeoutMs: 50 } });
  });
  afterAll(() => pair?.close());

  it("onStoreError: 'closed' → 503 RATE_LIMIT_UNAVAILABLE with Retry-After, from the fast path", async () => {
    pair.fast.viaYoga = 0;
    const a = await both(pair, { query: Q.members }, { authorization: `Bearer ${tokens.user}` });
    expect(a.status).toBe(503);
    expect(a.headers['retry-after']).toBe('1');
    expect(JSON.parse(a.body).errors[0].extensions.code).toBe('RATE_LIMIT_UNAVAILABLE');
    expect(pair.fast.viaYoga).toBe(0);
  });
});
