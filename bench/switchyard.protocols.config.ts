// bench/protocols.mjs: the demo's sources and client graph, without the cache (every request must
// reach the upstream). Paths are relative to this file.
import { defineConfig, grpc, rest, soap } from '../src/config/define-config';

export default defineConfig({
  logLevel: 'info', // bench/protocols.mjs waits for the "switchyard listening" line
  server: { graphiql: { enabled: false } },
  schemasDir: '../schemas',
  resolversDir: '../resolvers',
  sources: [
    rest({ name: 'users', spec: '../schemas/users/upstream/openapi.yaml', url: '${USERS_URL}' }),
    grpc({ name: 'orders', protos: '../schemas/orders/upstream/orders.proto', address: '${ORDERS_ADDR}' }),
    soap({ name: 'inventory', wsdl: '../schemas/inventory/upstream/inventory.wsdl', url: '${INVENTORY_URL}' }),
  ],
  internalSources: ['users', 'orders', 'inventory'],
});
