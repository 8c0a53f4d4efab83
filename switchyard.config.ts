// The demo configuration (`npm start`). In your own project: import { defineConfig, rest } from 'switchyard/config'.
import { defineConfig, rest } from './src/config/define-config';

export default defineConfig({
  server: {
    port: 4000,
    graphiql: {
      title: 'Switchyard demo',
      defaultQuery: `# Welcome to the Switchyard demo. Press the run button.
# users (REST, OpenAPI) — the gRPC and SOAP sources join as they land.
query Demo {
  user(id: 1) {
    name
    email
    country
  }
  users(limit: 3) {
    total
    items { id name }
  }
}
`,
    },
  },
  sources: [
    rest({
      name: 'users',
      spec: './schemas/users/upstream/openapi.yaml',
      url: '${USERS_URL:-http://127.0.0.1:4011}',
      rename: { getUser: 'user', listUsers: 'users' },
    }),
  ],
});
