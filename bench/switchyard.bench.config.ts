// Gateway config used by bench/run.mjs: the rig's upstreams (../shared/bench) on their default ports.
import { resolve } from 'node:path';
import { defineConfig, rest } from '../src/config/define-config';

const RIG = process.env.RIG_DIR ?? resolve(import.meta.dirname, '../../shared/bench');

export default defineConfig({
  logLevel: 'warn',
  server: { port: 4500, graphiql: { enabled: false } },
  sources: [
    rest({
      name: 'users',
      spec: `${RIG}/specs/openapi.yaml`,
      url: '${USERS_URL:-http://127.0.0.1:4001}',
      rename: { getUser: 'user', listUsers: 'userPage' },
    }),
  ],
});
