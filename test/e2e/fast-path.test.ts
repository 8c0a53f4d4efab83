import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { startUsersService, type DemoBackend } from '../../demo/backends/users-rest';

/** The fast path must answer exactly as yoga does: same status, same content type, same body bytes, for every case. */
let users: DemoBackend;
let fast: TestGateway;
let yoga: TestGateway;

beforeAll(async () => {
  users = await startUsersService(0);
  const source = { kind: 'rest', name: 'users', spec: './schemas/users/upstream/openapi.yaml', url: users.url };
  fast = await startTestGateway({ server: { fastPath: true }, sources: [source] });
  yoga = await startTestGateway({ server: { fastPath: false }, sources: [source] });
});
afterAll(async () => {
  await fast?.close();
  await yoga?.close();
  await users?.close();
});

async function send(gw: TestGateway, body: string, headers: Record<string, string>) {
  const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text };
}

const CASES: [string, unknown][] = [
  ['a plain query', { query: '{ getUser(id: 1) { id name } }' }],
  ['variables', { query: 'query Q($id: Int!) { getUser(id: $id) { id } }', variables: { id: 2 } }],
  ['a parse error', { query: '{ getUser(id: 1) { id ' }],
  ['a validation error', { query: '{ getUser(id: 1) { nope } }' }],
  ['a variable coercion error', { query: 'query Q($id: Int!) { getUser(id: $id) { id } }', variables: { id: 'x' } }],
  ['a missing variable', { query: 'query Q($id: Int!) { getUser(id: $id) { id } }' }],
  ['an upstream 404 (field error)', { query: '{ getUser(id: 99999) { id } ok: getUser(id: 1) { id } }' }],
  ['operationName picks one of two', { query: 'query A { getUser(id: 1) { id } } query B { getUser(id: 2) { id } }', operationName: 'B' }],
  ['two operations, no operationName', { query: 'query A { __typename } query B { __typename }' }],
  ['an unknown operationName', { query: 'query A { __typename }', operationName: 'Z' }],
  ['an extra top-level key', { query: '{ __typename }', foo: 1 }],
  ['variables that are not an object', { query: '{ __typename }', variables: [1] }],
  ['a non-string query', { query: 42 }],
  ['a JSON array (batching)', [{ query: '{ __typename }' }]],
  ['over the depth limit', { query: '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }' }],
  ['over the alias limit', { query: `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: __typename`).join(' ')} }` }],
];

describe('fast path == yoga', () => {
  it('the fast path is really on in one gateway and off in the other (with the default plugins)', () => {
    expect(fast.gateway.fastPath).toBe(true);
    expect(fast.gateway.fastPathDirect).toBe(true); // and it calls the hooks without envelop (src/server/direct-pipeline.ts)
    expect(yoga.gateway.fastPath).toBe(false);
  });

  for (const accept of ['application/graphql-response+json', 'application/json', '*/*', '']) {
    for (const [name, body] of CASES) {
      it(`${name} (accept: ${accept || 'none'})`, async () => {
        const headers: Record<string, string> = accept ? { accept } : {};
        const raw = JSON.stringify(body);
        const [a, b] = await Promise.all([send(fast, raw, headers), send(yoga, raw, headers)]);
        expect(a.status).toBe(b.status);
        expect(a.type).toBe(b.type);
        expect(a.text).toBe(b.text); // byte for byte, key order included
      });
    }
  }
});
