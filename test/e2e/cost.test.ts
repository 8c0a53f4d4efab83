import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, REPO_ROOT, type TestGateway } from '../helpers/gateway';
import { startUsersService, type DemoBackend } from '../../demo/backends/users-rest';
import { sha256Hex } from '../../src/policy/api-keys';

let users: DemoBackend;
let gw: TestGateway;
const reset = () => {
  for (const k of Object.keys(users.calls)) delete users.calls[k];
};

beforeAll(async () => {
  users = await startUsersService(0);
  gw = await startTestGateway(
    {
      schemasDir: 'schemas',
      resolversDir: 'resolvers',
      internalSources: ['users'],
      sources: [{ kind: 'rest', name: 'users', spec: resolve(REPO_ROOT, 'schemas/users/upstream/openapi.yaml'), url: users.url }],
      cost: { maxCost: 50, exposeInResponse: true },
      limits: { introspection: false },
      auth: { apiKeys: [{ sha256: sha256Hex('sk_cost_test_key'), clientId: 'c' }], policies: { gold: () => false } },
    },
    resolve(REPO_ROOT, 'test/fixtures/policy'),
  );
});
afterAll(async () => {
  await gw?.close();
  await users?.close();
});
beforeEach(reset);

describe('cost limit (cost.maxCost = 50)', () => {
  it('just under: estimated 50 runs and reports estimated and actual cost', async () => {
    const res = await gw.query('{ people(first: 50) { id } }');
    expect(res.status).toBe(200);
    expect((res.body.data!.people as unknown[]).length).toBe(50);
    expect((res.body as { extensions?: unknown }).extensions).toEqual({ cost: { estimated: 50, actual: 50, max: 50 } });
  });

  it('just over: estimated 51 is refused before any upstream call, with estimate and maximum', async () => {
    const res = await gw.query('{ people(first: 51) { id } }');
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors![0]!.extensions).toEqual({ code: 'COST_LIMIT_EXCEEDED', cost: { estimated: 51, max: 50 } });
    expect(users.calls).toEqual({});
  });

  it('variables, aliases and fragments count', async () => {
    const q = 'query Q($n: Int!) { a: people(first: $n) { ...F } b: people(first: $n) { ...F } } fragment F on User { id }';
    expect((await gw.query(q, { n: 25 })).status).toBe(200);
    const over = await gw.query(q, { n: 26 });
    expect(over.body.errors![0]!.extensions!.cost).toEqual({ estimated: 52, max: 50 });
    // the two aliases make the same call: de-duplicated within the request
    expect(users.calls).toEqual({ 'GET /users': 1 });
  });

  it('the actual cost counts what was returned (refused fields are free)', async () => {
    const res = await gw.query('{ people(first: 5) { id } members(first: 40) { id } }');
    expect(res.body.data).toEqual({ people: expect.any(Array), members: null });
    expect((res.body as { extensions?: { cost: unknown } }).extensions!.cost).toEqual({ estimated: 45, actual: 5, max: 50 });
  });
});

describe('operation limits', () => {
  const deep = (n: number) => '{ people(first: 1) { ' + 'again { '.repeat(n - 2) + 'id' + ' }'.repeat(n - 2) + ' } }';

  it('depth 10 runs, 11 is refused with MAX_DEPTH_LIMIT and no upstream call', async () => {
    const ok = await gw.query(deep(10), undefined, { 'x-api-key': 'sk_cost_test_key' });
    expect(ok.status).toBe(200);
    reset();
    const res = await gw.query(deep(11), undefined, { 'x-api-key': 'sk_cost_test_key' });
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.extensions!.code).toBe('MAX_DEPTH_LIMIT');
    expect(res.body.errors![0]!.message).toBe('Query depth limit of 10 exceeded, found 11.');
    expect(users.calls).toEqual({});
  });

  it('aliases, directives and tokens', async () => {
    const aliases = '{ ' + Array.from({ length: 16 }, (_, i) => `a${i}: __typename b${i}: people(first: 0) { id }`).join(' ') + ' }';
    expect((await gw.query(aliases)).body.errors![0]!.extensions!.code).toBe('MAX_ALIASES_LIMIT');
    const directives = '{ __typename ' + '@include(if: true)'.repeat(51) + ' }';
    expect((await gw.query(directives)).body.errors![0]!.extensions!.code).toBe('MAX_DIRECTIVES_LIMIT');
    const started = performance.now();
    const tokens = await gw.query('{ ' + 'a '.repeat(200_000) + '}');
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors![0]!.extensions!.code).toBe('MAX_TOKENS_LIMIT');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(users.calls).toEqual({});
  });

  it('no field suggestions for anonymous callers; authenticated callers get them', async () => {
    const anon = await gw.query('{ peple { id } }');
    expect(anon.status).toBe(400);
    expect(anon.body.errors![0]!.message).toBe('Cannot query field "peple" on type "Query".');
    const known = await gw.query('{ peple { id } }', undefined, { 'x-api-key': 'sk_cost_test_key' });
    expect(known.body.errors![0]!.message).toMatch(/Did you mean "people"/);
  });

  it('introspection can be switched off', async () => {
    const res = await gw.query('{ __schema { types { name } } }');
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.message).toMatch(/introspection/i);
    expect((await gw.query('{ __typename }')).status).toBe(200);
  });
});

describe('trusted documents', () => {
  const QUERY = 'query People($n: Int!) { people(first: $n) { id } }';
  const HASH = '03c7a7e496b11e04d2835e6c29cdf159c684bd67c1993a85da4945008b0654af';
  let td: TestGateway;
  beforeAll(async () => {
    td = await startTestGateway(
      {
        schemasDir: 'schemas',
        resolversDir: 'resolvers',
        internalSources: ['users'],
        sources: [{ kind: 'rest', name: 'users', spec: resolve(REPO_ROOT, 'schemas/users/upstream/openapi.yaml'), url: users.url }],
        auth: { policies: { gold: () => false } },
        trustedDocuments: { manifest: 'persisted-documents.json' },
      },
      resolve(REPO_ROOT, 'test/fixtures/policy'),
    );
  });
  afterAll(() => td?.close());
  const post = async (body: Record<string, unknown>) => {
    const res = await fetch(td.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
  };

  it('runs known documents by documentId, by sha256 hash, or as the exact text', async () => {
    expect((await post({ documentId: 'people-v1', variables: { n: 1 } })).body).toEqual({ data: { people: [{ id: 1 }] } });
    expect((await post({ extensions: { persistedQuery: { version: 1, sha256Hash: HASH } }, variables: { n: 1 } })).body).toEqual({ data: { people: [{ id: 1 }] } });
    expect((await post({ query: QUERY, variables: { n: 1 } })).body).toEqual({ data: { people: [{ id: 1 }] } });
  });

  it('refuses unknown ids and free-form documents, with nothing executed', async () => {
    reset();
    const unknown = await post({ documentId: 'nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const freeform = await post({ query: '{ people(first: 1) { id } }' });
    expect(freeform.status).toBe(400);
    expect(freeform.body.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(users.calls).toEqual({});
  });
});
