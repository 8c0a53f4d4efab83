import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, REPO_ROOT, type TestGateway } from '../helpers/gateway';
import { requireRedisOrSkip, startTestRedis, type TestRedis } from '../helpers/redis';
import { startUsersService, type DemoBackend } from '../../demo/backends/users-rest';
import { sha256Hex } from '../../src/policy/api-keys';

let users: DemoBackend;
const KEY_A = 'sk_rate_limit_client_a';
const KEY_B = 'sk_rate_limit_client_b';

function gatewayConfig(rateLimit: Record<string, unknown>) {
  return {
    schemasDir: 'schemas',
    resolversDir: 'resolvers',
    internalSources: ['users'],
    sources: [{ kind: 'rest', name: 'users', spec: resolve(REPO_ROOT, 'schemas/users/upstream/openapi.yaml'), url: users.url }],
    auth: {
      apiKeys: [
        { sha256: sha256Hex(KEY_A), clientId: 'a' },
        { sha256: sha256Hex(KEY_B), clientId: 'b' },
      ],
      policies: { gold: () => false },
    },
    rateLimit,
  };
}
const start = (rateLimit: Record<string, unknown>) => startTestGateway(gatewayConfig(rateLimit), resolve(REPO_ROOT, 'test/fixtures/policy'));
const Q5 = '{ people(first: 5) { id } }';

beforeAll(async () => {
  users = await startUsersService(0);
});
afterAll(async () => {
  await users?.close();
});

describe('per-client budget (memory store)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await start({ budget: 20, windowMs: 60_000 });
  });
  afterAll(() => gw?.close());

  it('charges the cost, reports it in extensions and RateLimit-* headers, then refuses with 429 + retry-after', async () => {
    const remaining: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await gw.query(Q5, undefined, { 'x-api-key': KEY_A });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('20');
      remaining.push(Number(res.headers.get('ratelimit-remaining')));
      expect((res.body as { extensions?: { cost: unknown } }).extensions!.cost).toMatchObject({ estimated: 5, actual: 5, max: 5000 });
    }
    expect(remaining).toEqual([15, 10, 5, 0]);
    const calls = users.calls['GET /users'];
    const refused = await gw.query(Q5, undefined, { 'x-api-key': KEY_A });
    expect(refused.status).toBe(429);
    expect(refused.body.data).toBeUndefined();
    const err = refused.body.errors![0]!;
    expect(err.extensions!.code).toBe('RATE_LIMITED');
    expect(err.extensions!.retryAfter).toBe(15);
    expect(refused.headers.get('retry-after')).toBe('15');
    expect(users.calls['GET /users']).toBe(calls);
    // another client has its own budget
    expect((await gw.query(Q5, undefined, { 'x-api-key': KEY_B })).status).toBe(200);
  });

  it('refunds the difference between estimate and actual cost', async () => {
    const res = await gw.query('{ people(first: 2) { id } members(first: 10) { id } }');
    expect((res.body as { extensions?: { cost: unknown } }).extensions!.cost).toEqual({ estimated: 12, actual: 2, max: 5000, remaining: 18 });
    expect(res.headers.get('ratelimit-remaining')).toBe('18');
  });
});

describe('anonymous callers behind a trusted proxy (trustForwardedFor)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await start({ budget: 10, windowMs: 60_000, trustForwardedFor: true });
  });
  afterAll(() => gw?.close());

  it('keys by the last X-Forwarded-For address (the proxy\'s), so client-written addresses buy no fresh budget', async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 2; i++) {
      // The client rotates what it writes; the proxy appends the same real address.
      const res = await gw.query(Q5, undefined, { 'x-forwarded-for': `10.0.0.${i}, 203.0.113.7` });
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('ratelimit-remaining')!);
    }
    expect(remaining).toEqual(['5', '0']);
    const refused = await gw.query(Q5, undefined, { 'x-forwarded-for': '10.0.0.99, 203.0.113.7' });
    expect(refused.status).toBe(429);
    // Another real client (another address appended by the proxy) has its own budget.
    const other = await gw.query(Q5, undefined, { 'x-forwarded-for': '10.0.0.0, 198.51.100.9' });
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe('5');
  });
});

describe('shared budget in Redis', () => {
  const skip = requireRedisOrSkip();
  let redis: TestRedis;
  beforeAll(async () => {
    if (!skip) redis = await startTestRedis();
  });
  afterAll(() => redis?.stop());

  it.skipIf(skip)('two gateway processes on one Redis admit exactly the budget between them', async () => {
    const config = { budget: 30, windowMs: 3_600_000, redis: redis.url, timeoutMs: 500 };
    const [g1, g2] = await Promise.all([start(config), start(config)]);
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? g1 : g2).query(Q5, undefined, { 'x-api-key': KEY_A })),
      );
      const admitted = results.filter((r) => r.status === 200).length;
      const refused = results.filter((r) => r.status === 429).length;
      expect(admitted * 5).toBe(30);
      expect(refused).toBe(14);
      expect(results.filter((r) => r.status === 200).some((r) => r.headers.get('ratelimit-remaining') === '0')).toBe(true);
    } finally {
      await Promise.all([g1.close(), g2.close()]);
      await Promise.all([g1.gateway.yoga.dispose(), g2.gateway.yoga.dispose()]);
    }
  });

  it.skipIf(skip)('Redis unreachable: fail open or closed as configured, logged, never a crash', async () => {
    const dead = 'redis://127.0.0.1:1';
    const open = await start({ budget: 10, redis: dead, onStoreError: 'open' });
    const closed = await start({ budget: 10, redis: dead, onStoreError: 'closed' });
    try {
      const a = await open.query(Q5);
      expect(a.status).toBe(200);
      expect(a.body.data).toBeTruthy();
      const b = await closed.query(Q5);
      expect(b.status).toBe(503);
      expect(b.body.errors![0]!.extensions!.code).toBe('RATE_LIMIT_UNAVAILABLE');
      expect(b.headers.get('retry-after')).toBe('1');
    } finally {
      await Promise.all([open.close(), closed.close()]);
      await Promise.all([open.gateway.yoga.dispose(), closed.gateway.yoga.dispose()]);
    }
  });
});
