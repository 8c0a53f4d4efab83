import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ordersOfUser, orderById, orders as allOrders, type Order } from './data';
import type { DemoBackend } from './users-rest';

const PROTO = resolve(PACKAGE_ROOT, 'schemas/orders/upstream/orders.proto');

interface ServiceDef {
  service: grpc.ServiceDefinition;
}

/**
 * The demo gRPC "orders" service (contract: schemas/orders/upstream/orders.proto):
 * GetOrder, ListOrdersByUser, BatchGetOrders(ids, userIds), server-streaming WatchOrders.
 */
export async function startOrdersService(port = 0, host = '127.0.0.1'): Promise<DemoBackend & { cancelled: number }> {
  const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { shop: { orders: { v1: { OrdersService: ServiceDef } } } };
  const calls: Record<string, number> = {};
  const count = (op: string) => (calls[op] = (calls[op] ?? 0) + 1);
  const state = { cancelled: 0 };
  const server = new grpc.Server();
  server.addService(pkg.shop.orders.v1.OrdersService.service, {
    GetOrder(call: grpc.ServerUnaryCall<{ id: number }, Order>, cb: grpc.sendUnaryData<Order>) {
      count('GetOrder');
      const o = orderById(call.request.id);
      if (!o) return cb({ code: grpc.status.NOT_FOUND, details: `order ${call.request.id} not found` });
      cb(null, o);
    },
    ListOrdersByUser(call: grpc.ServerUnaryCall<{ userId: number }, unknown>, cb: grpc.sendUnaryData<unknown>) {
      count('ListOrdersByUser');
      cb(null, { orders: ordersOfUser(call.request.userId) });
    },
    BatchGetOrders(call: grpc.ServerUnaryCall<{ ids: number[]; userIds: number[] }, unknown>, cb: grpc.sendUnaryData<unknown>) {
      count('BatchGetOrders');
      const byId = new Map<number, Order>();
      for (const id of call.request.ids ?? []) {
        const o = orderById(id);
        if (o) byId.set(o.id, o);
      }
      for (const u of call.request.userIds ?? []) for (const o of ordersOfUser(u)) byId.set(o.id, o);
      cb(null, { orders: [...byId.values()].sort((a, b) => a.id - b.id) });
    },
    async WatchOrders(call: grpc.ServerWritableStream<{ userId: number; max: number; intervalMs: number }, Order>) {
      count('WatchOrders');
      const { userId, max, intervalMs } = call.request;
      const src = userId ? ordersOfUser(userId) : allOrders;
      const n = Math.min(max || 10, src.length);
      let cancelled = false;
      call.on('cancelled', () => {
        cancelled = true;
        state.cancelled++;
      });
      for (let i = 0; i < n && !cancelled; i++) {
        if (intervalMs) await new Promise((r) => setTimeout(r, intervalMs));
        if (!cancelled) call.write(src[i]!);
      }
      if (!cancelled) call.end();
    },
  } as grpc.UntypedServiceImplementation);
  const actual = await new Promise<number>((ok, fail) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? fail(err) : ok(p))),
  );
  return {
    url: `${host}:${actual}`,
    port: actual,
    calls,
    get cancelled() {
      return state.cancelled;
    },
    close: () => new Promise<void>((r) => server.tryShutdown(() => r())),
  };
}
