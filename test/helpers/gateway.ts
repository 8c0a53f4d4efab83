import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { validateConfig } from '../../src/config/load';
import { buildGateway, type Gateway } from '../../src/app';
import { silentLogger } from '../../src/observability/logger';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface TestGateway {
  gateway: Gateway;
  url: string;
  origin: string;
  /** POST a GraphQL request; returns status, headers and parsed body. */
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: GraphQLBody }>;
  close(): Promise<void>;
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Starts a gateway in-process on 127.0.0.1:0 from a raw config object (validated like a file). */
export async function startTestGateway(raw: Record<string, unknown>, baseDir = REPO_ROOT): Promise<TestGateway> {
  // No client-facing layer unless the test brings one (the repo's own schemas/*.graphql is the demo's).
  const config = validateConfig(
    { logLevel: 'silent', schemasDir: 'test/fixtures/none', resolversDir: 'test/fixtures/none', ...raw, server: { port: 0, ...(raw.server as object) } },
    { baseDir },
  );
  const gateway = await buildGateway(config, { logger: silentLogger });
  await new Promise<void>((r) => gateway.server.listen(0, '127.0.0.1', () => r()));
  const port = (gateway.server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const url = `${origin}${config.server.graphqlPath}`;
  return {
    gateway,
    url,
    origin,
    async query(query, variables, headers = {}) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: JSON.parse(text) as GraphQLBody };
    },
    close: () => gateway.dispose(),
  };
}
