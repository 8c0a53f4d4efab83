/**
 * GraphiQL served by the gateway, over HTTP (no browser; test/browser/graphiql.test.ts drives a
 * real one): the page references only its own origin, carries a strict CSP, and the assets come
 * with the right types and caching; off means off.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { startUsersService, type DemoBackend } from '../../demo/backends/users-rest';
import { GRAPHIQL_VERSION, renderGraphiQLPage } from '../../src/server/graphiql';

let users: DemoBackend;
let on: TestGateway;
let off: TestGateway;
const source = () => ({ kind: 'rest', name: 'users', spec: './schemas/users/upstream/openapi.yaml', url: users.url });

beforeAll(async () => {
  users = await startUsersService(0);
  on = await startTestGateway({
    server: { graphiql: { title: 'Shop <API>', defaultQuery: '{ listUsers { total } }', headers: { Authorization: 'Bearer example' } } },
    sources: [source()],
  });
  off = await startTestGateway({ server: { graphiql: { enabled: false } }, sources: [source()] });
});
afterAll(async () => {
  await on?.close();
  await off?.close();
  await users?.close();
});

const assets = () => `${on.url}/_graphiql/${GRAPHIQL_VERSION}/`;

describe('GraphiQL page', () => {
  it('is served to browsers with a strict CSP and only same-origin references', async () => {
    const res = await fetch(on.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain('GraphiQL');
    expect(html).toContain('<title>Shop &#60;API&#62;</title>');
    // No CDN, no absolute URL, no inline script: every src/href is a path on this gateway.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toContain('unpkg');
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    for (const s of scripts) expect(s, 'a script either has src= or is JSON data').toMatch(/src="\/graphql\/_graphiql\/|type="application\/json"/);
    const boot = JSON.parse(/<script id="switchyard-graphiql" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as {
      assets: string;
      options: Record<string, unknown>;
    };
    expect(boot.assets).toBe(`/graphql/_graphiql/${GRAPHIQL_VERSION}/`);
    expect(boot.options).toMatchObject({
      endpoint: '/graphql',
      title: 'Shop <API>',
      defaultQuery: '{ listUsers { total } }',
      subscriptionsProtocol: 'GRAPHQL_SSE',
    });
    expect(JSON.parse(boot.options.headers as string)).toEqual({ Authorization: 'Bearer example' });
  });

  it('keeps config text from breaking out of the page', () => {
    const html = renderGraphiQLPage({ endpoint: '/graphql', assets: '/graphql/_graphiql/x/', title: 't', defaultQuery: '</script><script>alert(1)</script>' });
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).toContain('\\u003c/script>');
  });

  it('still answers GraphQL requests that do not ask for HTML', async () => {
    const res = await on.query('{ listUsers { total } }');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBeNull();
  });
});

describe('GraphiQL assets', () => {
  it('serves JS, CSS, workers and favicon with types, immutable caching, ETag and gzip', async () => {
    for (const [name, type] of [
      ['graphiql.js', 'text/javascript'],
      ['boot.js', 'text/javascript'],
      ['editor.worker.js', 'text/javascript'],
      ['json.worker.js', 'text/javascript'],
      ['graphql.worker.js', 'text/javascript'],
      ['graphiql.css', 'text/css'],
      ['favicon.ico', 'image/'],
    ] as const) {
      const res = await fetch(assets() + name, { headers: { 'accept-encoding': 'identity' } });
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toContain(type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await res.arrayBuffer()).byteLength, name).toBeGreaterThan(100);
    }
    const css = await (await fetch(assets() + 'graphiql.css')).text();
    expect(css).not.toMatch(/@import|url\((['"]?)https?:/);
  });

  it('answers If-None-Match with 304 and gzip to clients that accept it', async () => {
    const { request } = await import('node:http');
    const get = (headers: Record<string, string>) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        request(assets() + 'graphiql.css', { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
    const gz = await get({ 'accept-encoding': 'gzip, br' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toContain('.graphiql-container');
    const again = await get({ 'if-none-match': String(gz.headers.etag) });
    expect(again.status).toBe(304);
  });

  it('404s unknown names and other versions', async () => {
    expect((await fetch(assets() + 'nope.js')).status).toBe(404);
    expect((await fetch(`${on.url}/_graphiql/0.0.0-other/graphiql.js`)).status).toBe(404);
  });
});

describe('GraphiQL switched off', () => {
  it('serves neither the page nor the assets', async () => {
    const page = await fetch(off.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('switchyard-graphiql');
    const asset = await fetch(`${off.url}/_graphiql/${GRAPHIQL_VERSION}/graphiql.js`);
    expect(asset.headers.get('content-type') ?? '').not.toContain('javascript');
  });
});
