// The demo configuration (`npm start`). In your own project: import { defineConfig, rest, grpc, soap } from 'switchyard/config'.
import { defineConfig, grpc, rest, soap } from './src/config/define-config';

export default defineConfig({
  server: {
    port: 4000,
    graphiql: {
      title: 'Switchyard demo',
      defaultQuery: `# Welcome to the Switchyard demo. Press the run button.
# users come from REST (OpenAPI), their orders from gRPC, stock from SOAP —
# 3 upstream calls in all, however many users, orders and items.
query Shop {
  users(first: 3) {
    id
    name
    orders {
      id
      total
      status
      items {
        productId
        quantity
        stock { available warehouse }
      }
    }
  }
}

# Then try a subscription (gRPC server streaming), in a new tab:
# subscription { watchOrders(userId: 1, max: 3, intervalMs: 500) { id total status } }
`,
    },
  },
  sources: [
    rest({ name: 'users', spec: './schemas/users/upstream/openapi.yaml', url: '${USERS_URL:-http://127.0.0.1:4011}' }),
    grpc({ name: 'orders', protos: './schemas/orders/upstream/orders.proto', address: '${ORDERS_ADDR:-127.0.0.1:4012}' }),
    soap({ name: 'inventory', wsdl: './schemas/inventory/upstream/inventory.wsdl', url: '${INVENTORY_URL:-http://127.0.0.1:4013/inventory}' }),
  ],
  // Clients see the designed graph of schemas/shop.graphql, not the sources' own root fields.
  internalSources: ['users', 'orders', 'inventory'],
  cache: { ttlMs: { 'inventory.getStock': 5_000 } },
  // Per-client views of the same graph: /graphql/web is the whole graph; /graphql/mobile is
  // slimmer, has a mobile-only field (schemas/clients/mobile/) and a lower cost limit.
  clients: {
    web: {},
    mobile: {
      exclude: ['User.email', 'User.country', 'Order.user', 'Query.order', 'StockLevel.reserved'],
      cost: { maxCost: 300 },
      limits: { maxDepth: 8 },
      graphiql: {
        title: 'Switchyard demo — mobile view',
        defaultQuery: `# The mobile view: a slimmer graph, a mobile-only field, a cost limit of 300.
query MobileHome {
  users(first: 3) {
    id
    displayName
    orders { id total status }
  }
}
`,
      },
    },
  },
});
