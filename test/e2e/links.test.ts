import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { startTestGateway, REPO_ROOT, type TestGateway } from '../helpers/gateway';
import { startUsersService, type DemoBackend } from '../../demo/backends/users-rest';

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
    },
    resolve(REPO_ROOT, 'test/fixtures/links'),
  );
});
afterAll(async () => {
  await gw?.close();
  await users?.close();
});
beforeEach(reset);

describe('client-facing layer: @resolveTo, @link, resolvers/', () => {
  it('ctx.signal is a real AbortSignal for hand-written resolvers (on the fast path too)', async () => {
    expect(gw.gateway.fastPath).toBe(true);
    const { body } = await gw.query('{ signalKind }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ signalKind: 'AbortSignal, aborted: false' });
  });

  it('@resolveTo reshapes a source field (args template + result path)', async () => {
    const { body } = await gw.query('{ people(first: 2) { id name } }');
    expect(body.errors).toBeUndefined();
    expect(body.data!.people).toEqual([
      { id: 1, name: expect.any(String) },
      { id: 2, name: expect.any(String) },
    ]);
    expect(users.calls).toEqual({ 'GET /users': 1 });
  });

  it('@link batch form: one upstream call per level, whatever the list size', async () => {
    for (const n of [3, 25]) {
      reset();
      const { body } = await gw.query(`{ people(first: ${n}) { id again { id name } } }`);
      expect(body.errors).toBeUndefined();
      const people = body.data!.people as { id: number; again: { id: number } }[];
      expect(people).toHaveLength(n);
      expect(people.every((p) => p.again.id === p.id)).toBe(true);
      expect(users.calls).toEqual({ 'GET /users': 1, 'GET /users?ids': 1 });
    }
  });

  it('@link single form: calls equal the distinct keys, not the occurrences', async () => {
    const { body } = await gw.query('{ peopleByIds(ids: [1, 2, 1, 2, 3]) { id alone { id } } }');
    expect(body.errors).toBeUndefined();
    expect((body.data!.peopleByIds as unknown[]).length).toBe(5);
    expect(users.calls).toEqual({ 'GET /users?ids': 1, 'GET /users/{id}': 3 });
  });

  it('hand-written resolvers call sources through the helper', async () => {
    const { body } = await gw.query('{ people(first: 1) { greeting } }');
    expect(body.errors).toBeUndefined();
    expect((body.data!.people as { greeting: string }[])[0]!.greeting).toMatch(/^Hello .+ \(1\)$/);
  });

  it('an unexpected resolver error is masked: generic message and code, the rest answers', async () => {
    const { status, body } = await gw.query('{ boom people(first: 1) { id } }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ boom: null, people: [{ id: 1 }] });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ message: 'Unexpected error.', path: ['boom'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(body)).not.toContain('password');
    expect(gw.gateway.fastPath).toBe(true); // answered by the fast path, which masks like yoga
  });

  it('internal sources keep their root fields out of the client schema', async () => {
    const { status, body } = await gw.query('{ getUser(id: 1) { id } }');
    expect(status).toBe(400);
    expect(body.errors![0]!.message).toContain('getUser');
  });

  it('a failing batch call fails each linked field at its own path', async () => {
    await users.close();
    try {
      const { body } = await gw.query('{ people(first: 2) { id } }');
      expect(body.data).toBeNull();
      expect(body.errors![0]!.extensions!.code).toBe('UPSTREAM_UNREACHABLE');
    } finally {
      users = await startUsersService(users.port);
    }
  });
});

describe('switchyard explain', () => {
  it('lists the upstream calls per source and level, batched', async () => {
    const { explainQuery, formatPlan } = await import('../../src/stitching/explain');
    const { parse } = await import('graphql');
    const plan = explainQuery(
      gw.gateway.schema,
      parse('query Q { people(first: 50) { id again { id again { name } } ...F } } fragment F on User { alone { id } }'),
      gw.gateway.links,
      gw.gateway.sources,
    );
    expect(plan.map((p) => [p.level, p.source, p.upstream, p.calls, p.field])).toEqual([
      [1, 'users', 'GET /users', '1', 'Query.people'],
      [2, 'users', 'GET /users', '1', 'User.again'],
      [2, 'users', 'GET /users/{id}', 'per distinct key', 'User.alone'],
      [3, 'users', 'GET /users', '1', 'User.again'],
    ]);
    expect(formatPlan(plan)).toContain('total: 3 call(s) + 1 per-key link(s)');
  });
});
