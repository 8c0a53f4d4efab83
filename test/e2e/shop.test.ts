import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import type { TestGateway } from '../helpers/gateway';
import type { DemoBackend } from '../../demo/backends/users-rest';
import { startTestShop, type TestShop } from '../helpers/shop';
import { users as allUsers, ordersOfUser, stockOf } from '../../demo/backends/data';

/**
 * The demo shop (schemas/shop.graphql over REST users, gRPC orders, SOAP inventory), against the
 * real demo backends: answers, upstream call counts per source and level, subscriptions.
 */
let users: DemoBackend;
let orders: DemoBackend & { cancelled: number };
let inventory: DemoBackend;
let gw: TestGateway;
let shop: TestShop;

const REFERENCE = (n: number) => `{ users(first: ${n}) { id name orders { id total items { productId quantity stock { available } } } } }`;

function expected(n: number) {
  return {
    users: allUsers.slice(0, n).map((u) => ({
      id: u.id,
      name: u.name,
      orders: ordersOfUser(u.id)
        .slice()
        .sort((a, b) => a.id - b.id)
        .map((o) => ({
          id: o.id,
          total: o.total,
          items: o.items.map((it) => ({ productId: it.productId, quantity: it.quantity, stock: { available: stockOf(it.productId)!.available } })),
        })),
    })),
  };
}

const resetCalls = () => shop.resetCalls();

beforeAll(async () => {
  shop = await startTestShop();
  ({ gw, users, orders, inventory } = shop);
});
afterAll(async () => {
  await shop?.close();
});
beforeEach(resetCalls);

describe('the shop graph (REST + gRPC + SOAP)', () => {
  it.each([1, 20, 60])('reference query with %i users: the right JSON from exactly one call per source per level', async (n) => {
    const { status, body } = await gw.query(REFERENCE(n));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual(expected(n));
    expect(users.calls).toEqual({ 'GET /users': 1 });
    expect(orders.calls).toEqual({ BatchGetOrders: 1 });
    expect(inventory.calls).toEqual({ GetStockBatch: 1 });
  });

  it('links back from orders to users batch too', async () => {
    const { body } = await gw.query('{ users(first: 10) { orders { id user { id } } } }');
    expect(body.errors).toBeUndefined();
    const list = body.data!.users as { orders: { user: { id: number } }[] }[];
    expect(list.flatMap((u) => u.orders).length).toBeGreaterThan(10);
    expect(users.calls).toEqual({ 'GET /users': 1, 'GET /users?ids': 1 });
    expect(orders.calls).toEqual({ BatchGetOrders: 1 });
  });

  it('single lookups in each protocol', async () => {
    const { body } = await gw.query('{ user(id: 3) { id } order(id: 727) { id total status } stock(productId: 48) { available warehouse } none: user(id: 424242) { id } }');
    expect(body.data).toMatchObject({ user: { id: 3 }, order: { id: 727, total: 2671 }, stock: { available: 57 }, none: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ path: ['none'], extensions: { code: 'UPSTREAM_NOT_FOUND' } });
  });

  it('the sources\' own root fields are not in the client schema', async () => {
    const { body } = await gw.query('{ __schema { queryType { fields { name } } } }');
    const names = ((body.data as { __schema: { queryType: { fields: { name: string }[] } } }).__schema.queryType.fields).map((f) => f.name).sort();
    expect(names).toEqual(['order', 'stock', 'user', 'users']);
  });

  it('a subscription over graphql-ws receives every streamed event in order', async () => {
    const client = createClient({ url: gw.url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const ids: number[] = [];
      await new Promise<void>((resolveDone, reject) => {
        client.subscribe<{ watchOrders: { id: number } }>(
          { query: 'subscription { watchOrders(userId: 1, max: 3, intervalMs: 20) { id total } }' },
          { next: (r) => ids.push(r.data!.watchOrders.id), error: reject, complete: resolveDone },
        );
      });
      expect(ids).toEqual(ordersOfUser(1).slice(0, 3).map((o) => o.id));
    } finally {
      await client.dispose();
    }
  });

  it('unsubscribing cancels the upstream gRPC call (seen by the server)', async () => {
    const client = createClient({ url: gw.url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    const before = orders.cancelled;
    let got = 0;
    const unsubscribe = client.subscribe(
      { query: 'subscription { watchOrders(userId: 0, max: 1000, intervalMs: 50) { id } }' },
      { next: () => void got++, error: () => undefined, complete: () => undefined },
    );
    while (got < 2) await new Promise((r) => setTimeout(r, 20));
    unsubscribe();
    const deadline = Date.now() + 3_000;
    while (orders.cancelled === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(orders.cancelled).toBe(before + 1);
    await client.dispose();
  });

  it('an SSE subscriber that disconnects cancels the upstream call and frees the request', async () => {
    const before = orders.cancelled;
    const ac = new AbortController();
    const q = encodeURIComponent('subscription { watchOrders(userId: 0, max: 1000, intervalMs: 30) { id } }');
    const res = await fetch(`${gw.url}?query=${q}`, { headers: { accept: 'text/event-stream' }, signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while ((text.match(/event: next/g) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    const deadline = Date.now() + 5_000;
    while ((orders.cancelled === before || gw.gateway.http.inFlight() > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(orders.cancelled).toBe(before + 1);
    expect(gw.gateway.http.inFlight()).toBe(0);
  });
});
