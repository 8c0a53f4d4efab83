// Gateway config used by bench/run.mjs: the rig's upstreams (../shared/bench) on their default
// ports, the rig's own contracts, and the demo's client-facing graph (schemas/shop.graphql), which
// answers the rig's reference and single-entity queries.
import { resolve } from 'node:path';
import { defineConfig, grpc, rest, soap } from '../src/config/define-config';

const RIG = process.env.RIG_DIR ?? resolve(import.meta.dirname, '../../shared/bench');

export default defineConfig({
  logLevel: 'warn',
  server: { port: 4500, graphiql: { enabled: false } },
  schemasDir: '../schemas',
  resolversDir: '../resolvers',
  sources: [
    rest({ name: 'users', spec: `${RIG}/specs/openapi.yaml`, url: '${USERS_URL:-http://127.0.0.1:4001}' }),
    grpc({ name: 'orders', protos: `${RIG}/specs/orders.proto`, address: '${ORDERS_ADDR:-127.0.0.1:4002}' }),
    soap({ name: 'inventory', wsdl: `${RIG}/specs/inventory.wsdl`, url: '${INVENTORY_URL:-http://127.0.0.1:4003/inventory}' }),
  ],
  internalSources: ['users', 'orders', 'inventory'],
});
