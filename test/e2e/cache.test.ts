import { resolve } from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, REPO_ROOT, type TestGateway } from '../helpers/gateway';
import { startUsersService, type DemoBackend } from '../../demo/backends/users-rest';
import { requireRedisOrSkip, startTestRedis, type TestRedis } from '../helpers/redis';

const SPEC = resolve(REPO_ROOT, 'schemas/users/upstream/openapi.yaml');
let users: DemoBackend;
const total = () => Object.values(users.calls).reduce((a, b) => a + b, 0);
const reset = () => {
  for (const k of Object.keys(users.calls)) delete users.calls[k];
};
const source = () => ({ kind: 'rest', name: 'users', spec: SPEC, url: users.url, forwardHeaders: ['authorization'] });

beforeAll(async () => {
  users = await startUsersService(0);
});
afterAll(async () => {
  await users?.close();
});
beforeEach(reset);

describe('cross-request cache (in memory)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ cache: { ttlMs: { 'users.getUser': 300 } }, sources: [source()] });
  });
  afterAll(async () => gw?.close());

  it('a second identical request within the TTL makes no upstream call', async () => {
    const q = '{ getUser(id: 5) { id name } }';
    const first = await gw.query(q);
    expect(total()).toBe(1);
    const second = await gw.query(q);
    expect(second.body).toEqual(first.body);
    expect(total()).toBe(1);
    await gw.query('{ getUser(id: 6) { id } }'); // other arguments, other entry
    expect(total()).toBe(2);
    await new Promise((r) => setTimeout(r, 350)); // past the TTL
    await gw.query(q);
    expect(total()).toBe(3);
  });

  it('queries without a TTL are not cached', async () => {
    await gw.query('{ listUsers(limit: 2) { total } }');
    await gw.query('{ listUsers(limit: 2) { total } }');
    expect(users.calls['GET /users']).toBe(2);
  });

  it('two callers with different identities never share an entry', async () => {
    const q = '{ getUser(id: 7) { id } }';
    await gw.query(q, undefined, { authorization: 'Bearer alice' });
    await gw.query(q, undefined, { authorization: 'Bearer bob' });
    expect(total()).toBe(2);
    await gw.query(q, undefined, { authorization: 'Bearer alice' });
    expect(total()).toBe(2);
  });

  it('errors are not cached', async () => {
    await gw.query('{ getUser(id: 99999) { id } }');
    await gw.query('{ getUser(id: 99999) { id } }');
    expect(users.calls['GET /users/{id}']).toBe(2);
  });
});

describe('cross-request cache with identity forwarded by auth', () => {
  let gw: TestGateway;
  const sha = (k: string) => require('node:crypto').createHash('sha256').update(k).digest('hex') as string;
  beforeAll(async () => {
    gw = await startTestGateway({
      auth: { apiKeys: [{ sha256: sha('key-a'), clientId: 'app-a' }, { sha256: sha('key-b'), clientId: 'app-b' }], forward: { users: { 'x-client': 'clientId' } } },
      cache: { ttlMs: { 'users.getUser': 60_000 } },
      sources: [source()],
    });
  });
  afterAll(async () => gw?.close());

  it('callers forwarded as different identities never share an entry', async () => {
    const q = '{ getUser(id: 8) { id } }';
    await gw.query(q, undefined, { 'x-api-key': 'key-a' });
    await gw.query(q, undefined, { 'x-api-key': 'key-b' });
    expect(total()).toBe(2);
    await gw.query(q, undefined, { 'x-api-key': 'key-a' });
    expect(total()).toBe(2);
  });
});

describe('cross-request cache (Redis)', () => {
  const skip = requireRedisOrSkip();
  let redis: TestRedis;
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    if (skip) return;
    redis = await startTestRedis();
    const cfg = { cache: { ttlMs: { 'users.*': 60_000 }, redis: redis.url, keyPrefix: `t${Date.now()}:`, timeoutMs: 200 }, sources: [source()] };
    a = await startTestGateway(cfg);
    b = await startTestGateway(cfg);
    await new Promise((r) => setTimeout(r, 200)); // let both connect
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop().catch(() => undefined);
  });

  it.skipIf(Boolean(skip))('a second gateway instance sees the first one\'s entries', async () => {
    const q = '{ getUser(id: 11) { id name } }';
    const first = await a.query(q);
    expect(total()).toBe(1);
    await new Promise((r) => setTimeout(r, 50)); // the set is fire-and-forget
    const second = await b.query(q);
    expect(second.body).toEqual(first.body);
    expect(total()).toBe(1);
  });

  it.skipIf(Boolean(skip))('killing Redis mid-run does not fail requests', async () => {
    await redis.stop();
    for (let i = 0; i < 5; i++) {
      const { status, body } = await a.query(`{ getUser(id: ${20 + i}) { id } }`);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({ getUser: { id: 20 + i } });
    }
    expect(total()).toBe(5);
  });
});
