import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql@16 ships CJS (main) and ESM (module) builds. Node (and so graphql-yoga and every
    // other dependency) loads the CJS one; make vite resolve our sources to the same file so
    // there is one GraphQLError class, as in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Real servers on loopback: keep parallelism modest on the 2-core machines.
    maxWorkers: 2,
  },
});
