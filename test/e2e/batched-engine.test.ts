import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT, startTestGateway, type GraphQLBody, type TestGateway } from '../helpers/gateway';
import { startUsersService, type DemoBackend } from '../../demo/backends/users-rest';
import { startOrdersService } from '../../demo/backends/orders-grpc';
import { startInventoryService } from '../../demo/backends/inventory-soap';

/**
 * The demo shop served by three gateways over the same demo backends: with the breadth-first
 * engine (server.batchedExecution: true, the default), without it (graphql-jit, the engine it
 * stands in for), and without either (yoga's default executor, @graphql-tools/executor: the
 * graphql-js algorithm). For every query of the corpus, the batched gateway answers exactly as
 * each of the other two (same HTTP status; same JSON, key order included; errors compared as a
 * set of message + path + extensions.code), except where that engine differs from the other one
 * (`differs`), and never makes more upstream calls than jit.
 */

// Counts the engine's executions, to know which engine answered.
const engine = vi.hoisted(() => ({ runs: 0 }));
vi.mock('../../src/engine/batched', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/engine/batched')>();
  return {
    ...m,
    executePlan: (...a: Parameters<typeof m.executePlan>) => {
      engine.runs++;
      return m.executePlan(...a);
    },
  };
});

type Backend = DemoBackend;
let users: Backend;
let orders: Backend;
let inventory: Backend;
let batched: TestGateway;
let jit: TestGateway;
let executor: TestGateway;
let resolversDir: string;

const sourcesOf = () => {
  // No retries, breaker or ejection: an upstream taken down answers the same to both gateways, every time.
  const resilience = { retry: { maxRetries: 0 }, circuitBreaker: { enabled: false }, outlierDetection: { enabled: false } };
  return [
    { kind: 'rest', name: 'users', spec: './schemas/users/upstream/openapi.yaml', url: users.url, resilience },
    { kind: 'grpc', name: 'orders', protos: './schemas/orders/upstream/orders.proto', address: orders.url, resilience },
    { kind: 'soap', name: 'inventory', wsdl: './schemas/inventory/upstream/inventory.wsdl', url: inventory.url, resilience },
  ];
};

/** The demo shop's gateway config (test/helpers/shop.ts, plus the per-client views of switchyard.config.ts). */
function shopGateway(server: { batchedExecution: boolean; jit?: boolean }): Promise<TestGateway> {
  return startTestGateway({
    server,
    schemasDir: 'schemas',
    resolversDir,
    internalSources: ['users', 'orders', 'inventory'],
    sources: sourcesOf(),
    clients: {
      web: {},
      mobile: { exclude: ['User.email', 'User.country', 'Order.user', 'Query.order', 'StockLevel.reserved'], cost: { maxCost: 300 }, limits: { maxDepth: 8 } },
    },
  });
}

const allCalls = () => ({ users: { ...users.calls }, orders: { ...orders.calls }, inventory: { ...inventory.calls } });
const resetCalls = () => {
  for (const b of [users, orders, inventory]) for (const k of Object.keys(b.calls)) delete b.calls[k];
};

beforeAll(async () => {
  [users, orders, inventory] = await Promise.all([startUsersService(0), startOrdersService(0), startInventoryService(0)]);
  // The demo's resolvers/ (the mobile view's field), copied: loading resolver modules writes a
  // temporary .mjs beside each one, which a gateway starting at the same time (another test file)
  // would list and try to load. The gateways start one after the other for the same reason.
  resolversDir = mkdtempSync(join(tmpdir(), 'switchyard-batched-'));
  cpSync(resolve(REPO_ROOT, 'resolvers'), resolversDir, { recursive: true, filter: (src) => !basename(src).startsWith('.') });
  batched = await shopGateway({ batchedExecution: true });
  jit = await shopGateway({ batchedExecution: false });
  executor = await shopGateway({ batchedExecution: false, jit: false });
});
afterAll(async () => {
  await Promise.all([batched?.close(), jit?.close(), executor?.close()]);
  await Promise.all([users?.close(), orders?.close(), inventory?.close()]);
  if (resolversDir) rmSync(resolversDir, { recursive: true, force: true });
});
beforeEach(resetCalls);

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** Endpoint path; default /graphql. */
  path?: string;
  method?: 'GET' | 'POST';
  /** Whether the breadth-first engine runs it (else each gateway's regular engine does). */
  planned: boolean;
  /**
   * Where graphql-jit and the default executor answer differently, the one the batched gateway
   * does not match. Key order: graphql-jit puts a selection's own fields before those of its
   * fragments; the engine keeps graphql-js's order. Request errors: for variables that do not
   * coerce, the batched gateway lets jit answer (HTTP 200, jit's messages; the executor: 400).
   */
  differs?: { from: 'jit' | 'executor'; in: 'key order' | 'request errors' };
}

interface Answer {
  status: number;
  body: GraphQLBody & Record<string, unknown>;
  calls: ReturnType<typeof allCalls>;
  runs: number;
}

async function ask(gw: TestGateway, c: Case): Promise<Answer> {
  resetCalls();
  const runs = engine.runs;
  const url = `${gw.origin}${c.path ?? '/graphql'}`;
  const headers = { accept: 'application/graphql-response+json' };
  let res: Response;
  if (c.method === 'GET') {
    const qs = new URLSearchParams({ query: c.query, ...(c.variables ? { variables: JSON.stringify(c.variables) } : {}), ...(c.operationName ? { operationName: c.operationName } : {}) });
    res = await fetch(`${url}?${qs}`, { headers });
  } else {
    res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: c.query, variables: c.variables, operationName: c.operationName }) });
  }
  const body = JSON.parse(await res.text()) as Answer['body'];
  return { status: res.status, body, calls: allCalls(), runs: engine.runs - runs };
}

const errorSet = (b: GraphQLBody) => (b.errors ?? []).map((e) => JSON.stringify([e.message, e.path ?? null, e.extensions?.code ?? null])).sort();

/** Checks that `a` answers exactly as `b` (status, top-level keys, data with its key order, errors as a set). */
function expectSameAnswer(a: Answer, b: Answer, what: string): void {
  expect(a.status, what).toBe(b.status);
  expect(Object.keys(a.body).sort(), what).toEqual(Object.keys(b.body).sort());
  expect(JSON.stringify(a.body.data), what).toBe(JSON.stringify(b.body.data));
  expect(errorSet(a.body), what).toEqual(errorSet(b.body));
}

/** Runs a case on the three gateways (jit, the default executor, then batched) and checks they answer alike. */
async function compare(c: Case): Promise<{ a: Answer; j: Answer }> {
  const j = await ask(jit, c);
  const x = await ask(executor, c);
  const a = await ask(batched, c);
  for (const [name, other] of [['jit', j], ['executor', x]] as const) {
    const what = `batched vs ${name}`;
    if (c.differs?.from !== name) {
      expectSameAnswer(a, other, what);
      continue;
    }
    // That engine's own difference from the other one: the rest is the same.
    if (c.differs.in === 'key order') {
      expect(a.status, what).toBe(other.status);
      expect(JSON.stringify(a.body.data), what).not.toBe(JSON.stringify(other.body.data));
      expect(a.body.data, what).toEqual(other.body.data);
      expect(errorSet(a.body), what).toEqual(errorSet(other.body));
    } else {
      for (const r of [a, other]) {
        expect(r.body, what).not.toHaveProperty('data');
        expect(r.body.errors!.length, what).toBeGreaterThan(0);
        expect(r.body.errors!.every((e) => e.path === undefined), what).toBe(true);
      }
    }
  }
  // Upstream calls: never more with the batched engine.
  for (const source of ['users', 'orders', 'inventory'] as const) {
    for (const [op, n] of Object.entries(a.calls[source])) expect(n, `${source} ${op}`).toBeLessThanOrEqual(j.calls[source][op] ?? 0);
  }
  // Which engine answered.
  expect(j.runs).toBe(0);
  expect(x.runs).toBe(0);
  if (c.planned) expect(a.runs).toBeGreaterThan(0);
  else expect(a.runs).toBe(0);
  return { a, j };
}

const REFERENCE = (n: number) => `{ users(first: ${n}) { id name orders { id total items { productId quantity stock { available } } } } }`;

const CORPUS: Case[] = [
  { name: 'reference query, 1 user', query: REFERENCE(1), planned: true },
  { name: 'reference query, 20 users', query: REFERENCE(20), planned: true },
  { name: 'reference query, 60 users', query: REFERENCE(60), planned: true },
  { name: '150 users with Order.user (several users?ids batches) and every StockLevel field', query: `{ users(first: 150) { id orders { id status user { id name } items { quantity stock { available warehouse reserved } } } } }`, planned: true },
  { name: 'reference query over GET (yoga, not the fast path)', query: REFERENCE(5), method: 'GET', planned: true },
  {
    name: 'aliases, including one field under several aliases',
    query: '{ a: users(first: 2) { id who: name } b: users(first: 3, offset: 7) { uid: id mail: email orders { oid: id sum: total } } me: user(id: 5) { id } you: user(id: 6) { id name } }',
    planned: true,
  },
  {
    name: 'named fragments and inline fragments',
    query: `query Shop { users(first: 6) { ...U orders { ...O ... on Order { createdAt } } } ... on Query { stock(productId: 3) { ...S } } }
      fragment U on User { id name country ... { createdAt } }
      fragment O on Order { id status items { ... on OrderItem { productId unitPrice stock { ...S } } } }
      fragment S on StockLevel { available warehouse }`,
    planned: true,
    differs: { from: 'jit', in: 'key order' },
  },
  { name: 'the same field twice, sub-selections merged', query: '{ users(first: 4) { id orders { id } } users(first: 4) { name orders { total items { productId } } } }', planned: true },
  {
    name: 'variables, defaults and an operationName',
    query: 'query A { __typename } query B($n: Int!, $off: Int = 10, $id: Int!) { users(first: $n, offset: $off) { id orders { id } } user(id: $id) { name } }',
    variables: { n: 7, id: 42 },
    operationName: 'B',
    planned: true,
  },
  { name: 'a variable of the wrong type (request error)', query: 'query Q($n: Int!) { users(first: $n) { id } }', variables: { n: 'seven' }, planned: true, differs: { from: 'executor', in: 'request errors' } },
  { name: '__typename at every level', query: '{ __typename users(first: 3) { __typename orders { __typename items { __typename stock { __typename t: __typename } } } } }', planned: true },
  {
    name: 'missing entities: UPSTREAM_NOT_FOUND nulls next to answers',
    query: '{ user(id: 424242) { id } order(id: 99999999) { id } stock(productId: 999999) { available } ok: user(id: 3) { id name } o: order(id: 727) { id total status } s: stock(productId: 48) { available } }',
    planned: true,
  },
  { name: 'the end of the user list', query: '{ users(first: 10, offset: 995) { id orders { id user { id } } } }', planned: true },
  { name: 'links back and forth', query: '{ order(id: 727) { id user { id orders { id items { stock { available } } user { name } } } } }', planned: true },
  { name: 'Order.user from 10 users', query: '{ users(first: 10) { orders { id user { id name } } } }', planned: true },
  { name: 'mobile view, with its own field', query: '{ users(first: 5) { id displayName orders { id total status } } }', path: '/graphql/mobile', planned: true },
  { name: 'mobile view over its cost limit (refused before execution)', query: REFERENCE(60), path: '/graphql/mobile', planned: false },
  { name: 'mobile view, a field it hides (validation error)', query: '{ users(first: 1) { email } }', path: '/graphql/mobile', planned: false },
  { name: 'web view', query: REFERENCE(8), path: '/graphql/web', planned: true },
  { name: 'introspection runs on jit in both', query: '{ __schema { queryType { name fields { name } } } __type(name: "User") { fields { name } } }', planned: false },
  { name: '@include runs on jit in both', query: 'query Q($yes: Boolean!) { users(first: 3) { id name @include(if: $yes) orders @skip(if: $yes) { id } } }', variables: { yes: true }, planned: false },
  { name: 'an unknown field (validation error)', query: '{ users(first: 1) { nope } }', planned: false },
];

describe('batched engine == graphql-jit on the demo shop', () => {
  it('the corpus has at least 15 queries the engine runs', () => {
    expect(CORPUS.filter((c) => c.planned).length).toBeGreaterThanOrEqual(15);
  });

  it.each(CORPUS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { a } = await compare(c);
    if (c.name.startsWith('reference query')) {
      expect(a.status).toBe(200);
      expect(a.body.errors).toBeUndefined();
      // one call per source and level, as shop.test.ts expects of jit
      expect(a.calls.users).toEqual({ 'GET /users': 1 });
      expect(a.calls.orders).toEqual({ BatchGetOrders: 1 });
      expect(a.calls.inventory).toEqual({ GetStockBatch: 1 });
    }
  });

  it('the same answers when the gateways are asked all at once', async () => {
    const cases = CORPUS.filter((c) => c.planned && !c.name.includes('150'));
    const answers = await Promise.all(cases.flatMap((c) => [ask(jit, c), ask(batched, c)]));
    cases.forEach((c, k) => {
      const [j, a] = [answers[2 * k]!, answers[2 * k + 1]!];
      expect(a.status, c.name).toBe(j.status);
      expect(a.body.data, c.name).toEqual(j.body.data);
      if (c.differs?.from !== 'jit') {
        expect(JSON.stringify(a.body.data), c.name).toBe(JSON.stringify(j.body.data));
        expect(errorSet(a.body), c.name).toEqual(errorSet(j.body));
      }
    });
  });
});

describe('an upstream down: errors at the same paths from both engines', () => {
  /** Stops one demo backend, runs the cases, starts it again on the same port. */
  async function whileDown(which: 'users' | 'orders' | 'inventory', cases: Case[]): Promise<Answer[]> {
    const backend = { users, orders, inventory }[which];
    await backend.close();
    const out: Answer[] = [];
    try {
      for (const c of cases) out.push((await compare(c)).a);
    } finally {
      if (which === 'users') users = await startUsersService(backend.port);
      else if (which === 'orders') orders = await startOrdersService(backend.port);
      else inventory = await startInventoryService(backend.port);
    }
    return out;
  }

  it('inventory (SOAP) down: every stock is null with its own error, the rest answers', async () => {
    const [ref, single] = await whileDown('inventory', [
      { name: 'reference', query: REFERENCE(4), planned: true },
      { name: 'single stock', query: '{ stock(productId: 3) { available } user(id: 1) { id } }', planned: true },
    ]);
    const items = (ref!.body.data!.users as { orders: { items: { stock: unknown }[] }[] }[]).flatMap((u) => u.orders.flatMap((o) => o.items));
    expect(items.length).toBeGreaterThan(4);
    expect(items.every((it) => it.stock === null)).toBe(true);
    expect(ref!.body.errors).toHaveLength(items.length);
    expect(single!.body.data).toEqual({ stock: null, user: { id: 1 } });
  });

  it('users (REST) down: root fields and Order.user links fail at their paths', async () => {
    const [root, link] = await whileDown('users', [
      { name: 'users', query: '{ users(first: 2) { id } }', planned: true },
      { name: 'orders linking to users', query: '{ order(id: 5) { id user { id } } o2: order(id: 6) { id user { name } } }', planned: true },
    ]);
    expect(root!.body.data).toBeNull();
    expect(link!.body.data).toMatchObject({ order: { user: null }, o2: { user: null } });
  });

  it('orders (gRPC) down: a non-null link fails up to the root', async () => {
    const [list, one] = await whileDown('orders', [
      { name: 'users with orders', query: '{ users(first: 5) { id orders { id } } }', planned: true },
      { name: 'one user with orders, and an order', query: '{ user(id: 2) { id orders { id } } order(id: 1) { id } }', planned: true },
    ]);
    expect(list!.body.data).toBeNull();
    expect(one!.body.data).toEqual({ user: null, order: null });
  });

  it('everything answers again once the backends are back', async () => {
    // A restarted gRPC server is reconnected to after the channel's back-off: wait for it (bounded).
    const probe: Case = { name: 'probe', query: '{ users(first: 1) { orders { id } } }', planned: true };
    const deadline = Date.now() + 45_000;
    for (;;) {
      const answers = await Promise.all([batched, jit, executor].map((gw) => ask(gw, probe)));
      if (answers.every((x) => x.status === 200 && !x.body.errors)) break;
      if (Date.now() > deadline) throw new Error(`the gateways did not reconnect: ${JSON.stringify(answers.map((x) => x.body.errors))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await compare({ name: 'reference', query: REFERENCE(3), planned: true });
  });
});
