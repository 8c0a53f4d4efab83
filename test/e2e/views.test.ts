import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, type TestGateway } from '../helpers/gateway';
import type { DemoBackend } from '../../demo/backends/users-rest';
import { startTestShop, type TestShop } from '../helpers/shop';

/** Per-client views over the demo shop: shape, renames, own limits, access, shared loaders. */
let users: DemoBackend;
let orders: DemoBackend;
let inventory: DemoBackend;
let gw: TestGateway;
let shop: TestShop;
const sha = (k: string) => createHash('sha256').update(k).digest('hex');

const post = async (path: string, query: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${gw.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
};
const reset = () => shop.resetCalls();

beforeAll(async () => {
  shop = await startTestShop({
auth: { apiKeys: [{ sha256: sha('web-key'), clientId: 'web-app' }, { sha256: sha('partner-key'), clientId: 'partner-app' }] },
    clients: {
      mobile: { exclude: ['User.email', 'Query.order'], cost: { maxCost: 300 } },
      partner: { rename: { types: { User: 'Customer' }, fields: { 'User.name': 'fullName' } }, allow: { apiKeyClients: ['partner-app'] } },
    },
  });
  ({ gw, users, orders, inventory } = shop);
});
afterAll(async () => {
  await shop?.close();
});
beforeEach(reset);

describe('client views', () => {
  it('a field hidden from mobile is absent from its introspection and refused in a query', async () => {
    const intro = await post('/graphql/mobile', '{ __type(name: "User") { fields { name } } }');
    const fields = (intro.body.data!.__type as { fields: { name: string }[] }).fields.map((f) => f.name);
    expect(fields).toContain('displayName'); // the mobile-only field
    expect(fields).not.toContain('email');
    const refused = await post('/graphql/mobile', '{ users(first: 1) { email } }');
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0]!.message).toContain('email');
    expect(users.calls).toEqual({});
    // the default graph still has it, and not the mobile-only field
    expect((await post('/graphql', '{ users(first: 1) { email } }')).body.errors).toBeUndefined();
    expect((await post('/graphql', '{ users(first: 1) { displayName } }')).status).toBe(400);
  });

  it('the mobile-only field resolves', async () => {
    const { body } = await post('/graphql/mobile', '{ users(first: 2) { name: displayName } }');
    expect(body.errors).toBeUndefined();
    expect((body.data!.users as { name: string }[]).every((u) => !u.name.includes(' '))).toBe(true);
  });

  it('a renamed field returns the same data under the new name', async () => {
    const key = { 'x-api-key': 'partner-key' };
    const renamed = await post('/graphql/partner', '{ users(first: 2) { __typename id fullName } }', key);
    const plain = await post('/graphql', '{ users(first: 2) { id name } }');
    expect(renamed.body.errors).toBeUndefined();
    expect(renamed.body.data!.users).toEqual((plain.body.data!.users as { id: number; name: string }[]).map((u) => ({ __typename: 'Customer', id: u.id, fullName: u.name })));
  });

  it('a view\'s limits apply only to that view', async () => {
    const q = '{ users(first: 50) { id orders { id items { productId stock { available } } } } }';
    const mobile = await post('/graphql/mobile', q);
    expect(mobile.status).toBe(400);
    expect(mobile.body.errors![0]!.extensions!.code).toBe('COST_LIMIT_EXCEEDED');
    expect(users.calls).toEqual({}); // refused before any upstream call
    const web = await post('/graphql', q);
    expect(web.body.errors).toBeUndefined();
  });

  it('the wrong key for a view is refused', async () => {
    const none = await post('/graphql/partner', '{ users(first: 1) { id } }');
    expect(none.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const wrong = await post('/graphql/partner', '{ users(first: 1) { id } }', { 'x-api-key': 'web-key' });
    expect(wrong.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(wrong.body.data ?? null).toBeNull();
    expect(users.calls).toEqual({});
  });

  it('views share the upstream DataLoaders: the reference query is still 3 calls', async () => {
    const { body } = await post('/graphql/partner', '{ users(first: 20) { id fullName orders { id total items { productId quantity stock { available } } } } }', { 'x-api-key': 'partner-key' });
    expect(body.errors).toBeUndefined();
    expect(users.calls).toEqual({ 'GET /users': 1 });
    expect(orders.calls).toEqual({ BatchGetOrders: 1 });
    expect(inventory.calls).toEqual({ GetStockBatch: 1 });
  });

  it('an unknown view is a 404', async () => {
    const res = await fetch(`${gw.origin}/graphql/nope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(res.status).toBe(404);
  });
});

describe('switchyard check and views', () => {
  it('reports a breaking change of a view with the field and the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-views-'));
    cpSync(resolve(REPO_ROOT, 'schemas'), join(dir, 'schemas'), { recursive: true });
    cpSync(resolve(REPO_ROOT, 'resolvers'), join(dir, 'resolvers'), { recursive: true });
    const config = readFileSync(resolve(REPO_ROOT, 'switchyard.config.ts'), 'utf8').replace("'./src/config/define-config'", `'${resolve(REPO_ROOT, 'src/config/define-config.ts')}'`);
    writeFileSync(join(dir, 'switchyard.config.ts'), config);
    const run = () => spawnSync(process.execPath, [resolve(REPO_ROOT, 'bin/switchyard.mjs'), 'check'], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
    expect(run().status).toBe(0);
    // the committed mobile SDL has a field the built view no longer has
    const file = join(dir, 'schemas/views/mobile.graphql');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  displayName: String!', '  displayName: String!\n  nickname: String'));
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('SCHEMA_BREAKING_CHANGE');
    expect(r.stderr).toContain('User.nickname was removed');
  });
});
