import { startTestGateway, type TestGateway } from './gateway';
import { startUsersService, type DemoBackend } from '../../demo/backends/users-rest';
import { startOrdersService } from '../../demo/backends/orders-grpc';
import { startInventoryService } from '../../demo/backends/inventory-soap';

/** The demo shop for tests: the three demo backends on ephemeral ports and a gateway over them. */
export interface TestShop {
  gw: TestGateway;
  users: DemoBackend;
  orders: DemoBackend & { cancelled: number };
  inventory: DemoBackend;
  /** Zeroes every backend's call counters. */
  resetCalls(): void;
  close(): Promise<void>;
}

/** Starts the shop with the repo's client layer (schemas/shop.graphql); `extra` adds config keys. */
export async function startTestShop(extra: Record<string, unknown> = {}): Promise<TestShop> {
  const [users, orders, inventory] = await Promise.all([startUsersService(0), startOrdersService(0), startInventoryService(0)]);
  const gw = await startTestGateway({
    schemasDir: 'schemas',
    resolversDir: 'resolvers',
    internalSources: ['users', 'orders', 'inventory'],
    sources: [
      { kind: 'rest', name: 'users', spec: './schemas/users/upstream/openapi.yaml', url: users.url },
      { kind: 'grpc', name: 'orders', protos: './schemas/orders/upstream/orders.proto', address: orders.url },
      { kind: 'soap', name: 'inventory', wsdl: './schemas/inventory/upstream/inventory.wsdl', url: inventory.url },
    ],
    ...extra,
  });
  return {
    gw,
    users,
    orders,
    inventory,
    resetCalls() {
      for (const b of [users, orders, inventory]) for (const k of Object.keys(b.calls)) delete b.calls[k];
    },
    async close() {
      await gw.close();
      await Promise.all([users.close(), orders.close(), inventory.close()]);
    },
  };
}
