import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildSchema, getNamedType, isEnumType, isUnionType, type GraphQLInputObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { stringify as toYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOpenApi } from '../../src/adapters/rest/import';
import type { RestSourceOptions } from '../../src/adapters/rest/options';
import { assignNames, camelCase, fieldName, nameFromPath, pascalCase, sanitiseName, TypeNameScope } from '../../src/adapters/rest/openapi/names';
import { StartupError } from '../../src/errors/gateway-error';

const dir = mkdtempSync(path.join(os.tmpdir(), 'openapi-unit-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opts(spec: string, extra: Partial<RestSourceOptions> = {}): RestSourceOptions {
  return {
    kind: 'rest',
    name: 'test',
    spec,
    basePath: '',
    pathRewrite: {},
    timeoutMs: 1000,
    headers: {},
    forwardHeaders: [],
    typePrefix: '',
    fieldNames: 'camelCase',
    maxResponseBytes: 1 << 20,
    connections: 1,
    rename: {},
    ...extra,
  };
}

function write(doc: unknown, name = `spec${++n}.yaml`): string {
  writeFileSync(path.join(dir, name), typeof doc === 'string' ? doc : toYaml(doc));
  return name;
}

async function imp(doc: unknown, extra: Partial<RestSourceOptions> = {}) {
  const imported = await importOpenApi(opts(write(doc), extra), { baseDir: dir });
  const schema = buildSchema(imported.sdl);
  return { ...imported, schema };
}

const oas = (paths: unknown, schemas: unknown = {}, more: Record<string, unknown> = {}) => ({
  openapi: '3.0.3',
  info: { title: 't', version: '1' },
  paths,
  components: { schemas },
  ...more,
});
const ok = (schema: unknown, ct = 'application/json') => ({ 200: { description: 'ok', content: { [ct]: { schema } } } });
const get = (operationId: string, schema: unknown, extra: Record<string, unknown> = {}) => ({ get: { operationId, responses: ok(schema), ...extra } });
const fields = (s: GraphQLSchema, t: string) => (s.getType(t) as GraphQLObjectType).getFields();
const str = (x: { type: unknown }) => String(x.type);

describe('names', () => {
  it('camelCases operationIds and properties deterministically', () => {
    expect(camelCase('find pet by id')).toBe('findPetById');
    expect(camelCase('GET_lists-format')).toBe('getListsFormat');
    expect(camelCase('created_at')).toBe('createdAt');
    expect(camelCase('createdAt')).toBe('createdAt');
    expect(camelCase('X-Request-Id')).toBe('xRequestId');
    expect(camelCase('integer (format: int8)')).toBe('integerFormatInt8');
    expect(camelCase('foob:')).toBe('foob');
    expect(camelCase('123abc')).toBe('_123abc');
    expect(camelCase(':::')).toBe('field');
    expect(fieldName('_id', 'camelCase')).toBe('_id');
    expect(fieldName('a.b', 'preserve')).toBe('a_b');
    expect(sanitiseName('__typename')).toBe('_typename');
    expect(pascalCase('checkout.session')).toBe('CheckoutSession');
    expect(pascalCase('objs_user')).toBe('ObjsUser');
    expect(pascalCase('1st')).toBe('_1st');
    expect(nameFromPath('get', '/pets/{petId}')).toBe('getPetsByPetId');
    expect(nameFromPath('get', '/lists/{date}/{list}.json')).toBe('getListsByDateByListJson');
    expect(nameFromPath('post', '/chat.postMessage')).toBe('postChatPostMessage');
  });

  it('assigns collision-free names, exact matches first', () => {
    const m = assignNames(['foo_bar', 'fooBar', 'foo-bar'], 'camelCase');
    expect(m.get('fooBar')).toBe('fooBar');
    expect(m.get('foo_bar')).toBe('fooBar2');
    expect(m.get('foo-bar')).toBe('fooBar3');
    const scope = new TypeNameScope();
    expect(scope.claim('Subscription')).toBe('SubscriptionType');
    expect(scope.claim('Pet')).toBe('Pet');
    expect(scope.claim('Pet')).toBe('Pet2');
    expect(scope.claim('V1')).toBe('V1');
    expect(scope.claim('V1')).toBe('V1_2');
  });
});

describe('importOpenApi', () => {
  it('imports the bench users spec exactly', async () => {
    const r = await importOpenApi(opts(path.resolve(process.cwd(), '../shared/bench/specs/openapi.yaml')), { baseDir: dir }).catch(() => undefined);
    if (!r) return void console.log('bench spec not found: skipped');
    const s = buildSchema(r.sdl);
    const q = s.getQueryType()!.getFields();
    expect(q.listUsers!.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(['ids: [Int!]', 'limit: Int', 'offset: Int']);
    expect(String(q.listUsers!.type)).toBe('UserPage');
    expect(q.getUser!.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(['id: Int!']);
    expect(String(q.getUser!.type)).toBe('User');
    expect(Object.entries(fields(s, 'User')).map(([k, f]) => `${k}: ${str(f)}`)).toEqual(['id: Int!', 'name: String!', 'email: String!', 'country: String!', 'createdAt: String!']);
    expect(r.plan.operations['Query.listUsers']!.params[0]).toMatchObject({ name: 'ids', style: 'form', explode: false, shape: 'array', in: 'query' });
    expect(r.plan.operations['Query.listUsers']!.params[1]).toMatchObject({ name: 'limit', default: 20 });
    expect(r.plan.operations['Query.getUser']).toMatchObject({ method: 'GET', path: '/users/{id}', entityLookup: true, response: { kind: 'json', typeName: 'User' } });
    expect(r.plan.servers).toEqual(['http://127.0.0.1:4001']);
    expect(r.operations).toEqual([
      { field: 'Query.listUsers', upstream: 'GET /users', kind: 'query' },
      { field: 'Query.getUser', upstream: 'GET /users/{id}', kind: 'query' },
    ]);
  });

  it('maps scalars: int64/uint64/uint32 -> Long, byte -> Base64, date-time -> DateTime, free-form -> JSON', async () => {
    const r = await imp(
      oas({ '/t': get('t', { $ref: '#/components/schemas/T' }) }, {
        T: {
          type: 'object',
          properties: {
            a: { type: 'integer', format: 'int64' },
            b: { type: 'integer', format: 'uint64' },
            c: { type: 'integer', format: 'uint32' },
            d: { type: 'integer', format: 'int32' },
            e: { type: 'integer' },
            f: { type: 'string', format: 'byte' },
            g: { type: 'string', format: 'date-time' },
            h: { type: 'string', format: 'date' },
            i: { type: 'object' },
            j: { type: 'object', additionalProperties: { type: 'string' } },
            k: { type: 'number' },
            l: {},
            m: { type: 'boolean' },
            n: { type: 'string', format: 'binary' },
          },
        },
      }),
    );
    const t = fields(r.schema, 'T');
    expect(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, str(v)]))).toEqual({
      a: 'Long', b: 'Long', c: 'Long', d: 'Int', e: 'Int', f: 'Base64', g: 'DateTime', h: 'Date', i: 'JSON', j: 'JSON', k: 'Float', l: 'JSON', m: 'Boolean', n: 'Base64',
    });
    expect(r.sdl).toMatch(/^scalar Base64$/m);
    expect(r.sdl).not.toMatch(/^scalar Void$/m);
  });

  it('merges allOf (required lists merged) and keeps properties of both', async () => {
    const r = await imp(
      oas({ '/pet': get('getPet', { $ref: '#/components/schemas/Pet' }) }, {
        NewPet: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tag: { type: 'string' } } },
        Pet: { allOf: [{ $ref: '#/components/schemas/NewPet' }, { type: 'object', required: ['id'], properties: { id: { type: 'integer', format: 'int64' } } }] },
      }),
    );
    expect(Object.entries(fields(r.schema, 'Pet')).map(([k, f]) => `${k}: ${str(f)}`)).toEqual(['name: String!', 'tag: String', 'id: Long!']);
  });

  it('turns oneOf + discriminator into a union with explicit, implicit and enum-derived mapping', async () => {
    const r = await imp(
      oas(
        {
          '/a': get('explicit', { oneOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }], discriminator: { propertyName: 'kind', mapping: { meow: '#/components/schemas/Cat', woof: 'Dog' } } }),
          '/b': get('implicit', { $ref: '#/components/schemas/Animal' }),
          '/c': get('duck', { anyOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }] }),
          '/d': get('scalars', { anyOf: [{ type: 'string' }, { $ref: '#/components/schemas/Cat' }] }),
          '/e': get('strings', { anyOf: [{ type: 'string' }, { type: 'string', enum: ['a', 'b'] }] }),
          '/f': get('nullableRef', { anyOf: [{ $ref: '#/components/schemas/Cat' }, { type: 'null' }] }),
        },
        {
          Cat: { type: 'object', required: ['kind', 'lives'], properties: { kind: { type: 'string', enum: ['cat'] }, lives: { type: 'integer' } } },
          Dog: { type: 'object', required: ['kind'], properties: { kind: { type: 'string' }, bark: { type: 'boolean' } } },
          Animal: { oneOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }], discriminator: { propertyName: 'kind' } },
        },
        { openapi: '3.1.0' },
      ),
    );
    const q = r.schema.getQueryType()!.getFields();
    const explicit = getNamedType(q.explicit!.type);
    expect(isUnionType(explicit)).toBe(true);
    expect(r.plan.abstractTypes[explicit.name]).toEqual({
      discriminator: { property: 'kind', mapping: { meow: 'Cat', woof: 'Dog', Cat: 'Cat', cat: 'Cat', Dog: 'Dog' } },
      members: [
        { typeName: 'Cat', requiredKeys: ['kind', 'lives'], jsonKeys: ['kind', 'lives'] },
        { typeName: 'Dog', requiredKeys: ['kind'], jsonKeys: ['kind', 'bark'] },
      ],
    });
    expect(String(q.implicit!.type)).toBe('Animal');
    expect(r.plan.abstractTypes.Animal!.discriminator).toEqual({ property: 'kind', mapping: { Cat: 'Cat', cat: 'Cat', Dog: 'Dog' } });
    const duck = getNamedType(q.duck!.type);
    expect(isUnionType(duck)).toBe(true);
    expect(r.plan.abstractTypes[duck.name]!.discriminator).toBeUndefined();
    expect(String(q.scalars!.type)).toBe('JSON');
    expect(r.warnings.some((w) => /non-object/.test(w.message))).toBe(true);
    expect(String(q.strings!.type)).toBe('String');
    expect(String(q.nullableRef!.type)).toBe('Cat');
  });

  it('infers a discriminator from one-value enums when none is declared', async () => {
    const member = (v: string, extra: Record<string, unknown>) => ({ type: 'object', required: ['type'], properties: { type: { type: 'string', enum: [v] }, ...extra } });
    const r = await imp(oas({ '/r': get('result', { oneOf: [member('ok', { value: { type: 'string' } }), member('error', { message: { type: 'string' } })] }) }));
    const u = getNamedType(r.schema.getQueryType()!.getFields().result!.type);
    expect(isUnionType(u)).toBe(true);
    expect(u.name).toBe('ResultResponse');
    expect(r.plan.abstractTypes.ResultResponse!.discriminator).toEqual({ property: 'type', mapping: { ok: 'ResultResponseOption1', error: 'ResultResponseOption2' } });
  });

  it('builds @oneOf inputs for oneOf request bodies', async () => {
    const r = await imp(
      oas(
        { '/p': { post: { operationId: 'create', requestBody: { required: true, content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/A' }, { $ref: '#/components/schemas/B' }, { type: 'string' }] } } } }, responses: { 204: { description: 'none' } } } } },
        { A: { type: 'object', properties: { a_1: { type: 'string' } } }, B: { type: 'object', properties: { b: { type: 'integer' } } } },
      ),
    );
    const f = r.schema.getMutationType()!.getFields().create!;
    expect(String(f.type)).toBe('Void');
    const input = getNamedType(f.args[0]!.type) as GraphQLInputObjectType;
    expect(input.isOneOf).toBe(true);
    expect(Object.keys(input.getFields())).toEqual(['a', 'b', 'string']);
    expect(r.plan.inputTypes[input.name]!.oneOfMembers).toEqual(['a', 'b', 'string']);
    expect(r.plan.inputTypes.AInput).toEqual({ fields: { a1: { json: 'a_1' } } });
    expect(r.plan.operations['Mutation.create']!.body).toEqual({ argName: 'input', required: true, contentType: 'application/json', inputType: input.name });
    expect(r.plan.operations['Mutation.create']!.response.kind).toBe('empty');
  });

  it('handles self, mutual and 3-cycle recursion', async () => {
    const ref = (x: string) => ({ $ref: `#/components/schemas/${x}` });
    const r = await imp(
      oas({ '/n': get('node', ref('Node')), '/a': get('a', ref('A')), '/x': get('x', ref('X')), '/in': { post: { operationId: 'put', requestBody: { content: { 'application/json': { schema: ref('Node') } } }, responses: ok(ref('Node')) } } }, {
        Node: { type: 'object', properties: { parent: ref('Node'), children: { type: 'array', items: ref('Node') } } },
        A: { type: 'object', properties: { b: ref('B') } },
        B: { type: 'object', properties: { a: ref('A') } },
        X: { type: 'object', properties: { y: ref('Y') } },
        Y: { type: 'object', properties: { z: ref('Z') } },
        Z: { type: 'object', properties: { x: ref('X') } },
      }),
    );
    expect(str(fields(r.schema, 'Node').parent!)).toBe('Node');
    expect(str(fields(r.schema, 'Node').children!)).toBe('[Node!]');
    expect(str(fields(r.schema, 'B').a!)).toBe('A');
    expect(str(fields(r.schema, 'Z').x!)).toBe('X');
    expect(str((r.schema.getType('NodeInput') as GraphQLInputObjectType).getFields().parent!)).toBe('NodeInput');
    expect(r.plan.inputTypes.NodeInput!.fields.children).toEqual({ json: 'children', type: 'NodeInput' });
  });

  it('nullable (3.0 nullable, 3.1 type arrays) wins over required on outputs', async () => {
    const r = await imp(
      oas({ '/t': get('t', { $ref: '#/components/schemas/T' }) }, {
        T: {
          type: 'object',
          required: ['a', 'b', 'c', 'd'],
          properties: { a: { type: 'string', nullable: true }, b: { type: ['string', 'null'] }, c: { type: 'string' }, d: { anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] }, e: { type: 'string' } },
        },
      }, { openapi: '3.1.0' }),
    );
    expect(Object.entries(fields(r.schema, 'T')).map(([k, f]) => `${k}: ${str(f)}`)).toEqual(['a: String', 'b: String', 'c: String!', 'd: Date', 'e: String']);
  });

  it('enums: valid values become enums, others fall back to String', async () => {
    const r = await imp(
      oas({ '/t': get('t', { $ref: '#/components/schemas/T' }) }, {
        Status: { type: 'string', enum: ['available', 'sold'] },
        T: { type: 'object', properties: { s: { $ref: '#/components/schemas/Status' }, dashed: { type: 'string', enum: ['human-energy', 'x'] }, empty: { type: 'string', enum: ['', 'a'] }, inline: { type: 'string', enum: ['a', 'b'] }, bool: { enum: [true, false] }, t: { type: 'string', enum: ['true', 'x'] } } },
      }),
    );
    const t = fields(r.schema, 'T');
    expect(str(t.s!)).toBe('Status');
    expect((r.schema.getType('Status') as unknown as { getValues(): { name: string }[] }).getValues().map((v) => v.name)).toEqual(['available', 'sold']);
    expect(str(t.dashed!)).toBe('String');
    expect(str(t.empty!)).toBe('String');
    expect(isEnumType(getNamedType(t.inline!.type))).toBe(true);
    expect(getNamedType(t.inline!.type).name).toBe('TInline');
    expect(str(t.bool!)).toBe('Boolean');
    expect(str(t.t!)).toBe('String');
  });

  it('sanitises property names without collisions and records the JSON keys', async () => {
    const props = { foo_bar: { type: 'string' }, fooBar: { type: 'string' }, 'foob:': { type: 'string' }, 'integer (format: int8)': { type: 'integer', format: 'int8' }, '1st': { type: 'string' }, __typename: { type: 'string' }, 'checkout.session': { type: 'string' } };
    const spec = oas({ '/t': { post: { operationId: 't', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/T' } } } }, responses: ok({ $ref: '#/components/schemas/T' }) } } }, { T: { type: 'object', properties: props } });
    const r = await imp(spec);
    expect(Object.keys(fields(r.schema, 'T'))).toEqual(['fooBar2', 'fooBar', 'foob', 'integerFormatInt8', '_1st', '_typename', 'checkoutSession']);
    expect(r.plan.outputFieldMaps.T).toEqual({ fooBar2: 'foo_bar', foob: 'foob:', integerFormatInt8: 'integer (format: int8)', _1st: '1st', _typename: '__typename', checkoutSession: 'checkout.session' });
    expect(r.plan.inputTypes.TInput!.fields.fooBar2).toEqual({ json: 'foo_bar' });
    const p = await imp(spec, { fieldNames: 'preserve' });
    expect(Object.keys(fields(p.schema, 'T'))).toEqual(['foo_bar', 'fooBar', 'foob_', 'integer__format__int8_', '_1st', '_typename', 'checkout_session']);
  });

  it('parameters: styles, header names, object params, path-level merge, defaults', async () => {
    const r = await imp(
      oas(
        {
          '/items/{id}': {
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }, { name: 'v', in: 'query', schema: { type: 'string' } }],
            get: {
              operationId: 'getItem',
              parameters: [
                { name: 'v', in: 'query', required: true, schema: { type: 'integer' } },
                { name: 'X-Request-Id', in: 'header', schema: { type: 'string' } },
                { name: 'filter', in: 'query', style: 'deepObject', schema: { type: 'object', properties: { min_price: { type: 'number' } } } },
                { name: 'tags', in: 'query', explode: false, schema: { type: 'array', items: { type: 'string' } } },
                { name: 'session', in: 'cookie', schema: { type: 'string' } },
                { name: 'page', in: 'query', required: true, schema: { type: 'integer', default: 1 } },
                { name: 'input', in: 'query', schema: { type: 'string' } },
              ],
              responses: ok({ type: 'object', properties: { id: { type: 'string' } } }),
            },
            delete: { operationId: 'del', requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { why: { type: 'string' } } } } } }, parameters: [{ name: 'input', in: 'query', schema: { type: 'string' } }], responses: { 204: { description: '' } } },
          },
        },
      ),
    );
    const f = r.schema.getQueryType()!.getFields().getItem!;
    expect(f.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(['id: String!', 'v: Int!', 'xRequestId: String', 'filter: GetItemFilterInput', 'tags: [String!]', 'session: String', 'page: Int', 'input: String']);
    const params = r.plan.operations['Query.getItem']!.params;
    expect(params.map((p) => [p.name, p.in, p.style, p.explode, p.shape])).toEqual([
      ['id', 'path', 'simple', false, 'primitive'],
      ['v', 'query', 'form', true, 'primitive'],
      ['X-Request-Id', 'header', 'simple', false, 'primitive'],
      ['filter', 'query', 'deepObject', false, 'object'],
      ['tags', 'query', 'form', false, 'array'],
      ['session', 'cookie', 'form', true, 'primitive'],
      ['page', 'query', 'form', true, 'primitive'],
      ['input', 'query', 'form', true, 'primitive'],
    ]);
    expect(params[3]!.inputType).toBe('GetItemFilterInput');
    expect(r.plan.inputTypes.GetItemFilterInput!.fields.minPrice).toEqual({ json: 'min_price' });
    expect(params[6]!.default).toBe(1);
    expect(r.plan.operations['Query.getItem']!.entityLookup).toBe(true);
    // A body never takes the name of a parameter.
    const del = r.schema.getMutationType()!.getFields().del!;
    expect(del.args.map((a) => a.name)).toEqual(['id', 'v', 'input', 'input2']);
    expect(r.plan.operations['Mutation.del']!.body!.argName).toBe('input2');
  });

  it('responses: 204 -> Void, text -> String, binary -> Base64, 2xx preferred over default, GET bodies dropped', async () => {
    const r = await imp(
      oas({
        '/a': { delete: { operationId: 'a', responses: { 204: { description: '' }, default: { description: 'e', content: { 'application/json': { schema: { type: 'object', properties: { m: { type: 'string' } } } } } } } } },
        '/b': { get: { operationId: 'b', responses: ok({ type: 'string' }, 'text/plain') } },
        '/c': { get: { operationId: 'c', responses: ok({ type: 'string', format: 'binary' }, 'image/png') } },
        '/d': { get: { operationId: 'd', responses: { 201: { description: '', content: { 'application/hal+json': { schema: { type: 'array', items: { type: 'integer', format: 'int64' } } } } } } } },
        '/e/{id}': { get: { operationId: 'e', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: {} } } } }, responses: ok({ type: 'array', items: { type: 'string' } }) } },
      }),
    );
    const q = r.schema.getQueryType()!.getFields();
    expect(String(r.schema.getMutationType()!.getFields().a!.type)).toBe('Void');
    expect(String(q.b!.type)).toBe('String');
    expect(r.plan.operations['Query.b']!.response.kind).toBe('text');
    expect(String(q.c!.type)).toBe('Base64');
    expect(r.plan.operations['Query.c']!.response.kind).toBe('binary');
    expect(String(q.d!.type)).toBe('[Long!]');
    expect(q.e!.args.map((a) => a.name)).toEqual(['id']);
    expect(r.plan.operations['Query.e']!.body).toBeUndefined();
    expect(r.plan.operations['Query.e']!.entityLookup).toBe(false); // a list
  });

  it('translates Swagger 2.0: servers, body and formData params, collectionFormat', async () => {
    const r = await imp({
      swagger: '2.0',
      info: { title: 's', version: '1' },
      host: 'api.example.com',
      basePath: '/v2',
      schemes: ['https'],
      paths: {
        '/pets': {
          get: {
            operationId: 'list',
            parameters: ['csv', 'ssv', 'tsv', 'pipes', 'multi'].map((cf) => ({ name: cf, in: 'query', type: 'array', items: { type: 'string' }, collectionFormat: cf })),
            responses: { 200: { description: '', schema: { type: 'array', items: { $ref: '#/definitions/Pet' } } } },
          },
          post: { operationId: 'add', parameters: [{ in: 'body', name: 'body', required: true, schema: { $ref: '#/definitions/Pet' } }], responses: { 405: { description: 'bad' } } },
        },
        '/pets/{id}/upload': {
          post: {
            operationId: 'upload',
            consumes: ['multipart/form-data'],
            parameters: [{ name: 'id', in: 'path', required: true, type: 'integer', format: 'int64' }, { name: 'file', in: 'formData', type: 'file', required: true }, { name: 'note', in: 'formData', type: 'string' }],
            responses: { 200: { description: '', schema: { type: 'string' } } },
          },
        },
      },
      definitions: { Pet: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, id: { type: 'integer', format: 'int64' }, nick: { type: 'string', 'x-nullable': true } } } },
    });
    expect(r.plan.servers).toEqual(['https://api.example.com/v2']);
    const params = r.plan.operations['Query.list']!.params;
    expect(params.map((p) => [p.name, p.style, p.explode])).toEqual([
      ['csv', 'form', false],
      ['ssv', 'spaceDelimited', false],
      ['tsv', 'form', false],
      ['pipes', 'pipeDelimited', false],
      ['multi', 'form', true],
    ]);
    expect(r.warnings.some((w) => /tsv/.test(w.message))).toBe(true);
    expect(String(r.schema.getQueryType()!.getFields().list!.type)).toBe('[Pet!]');
    expect(String(r.schema.getMutationType()!.getFields().add!.args[0]!.type)).toBe('PetInput!');
    expect(r.plan.operations['Mutation.add']!.body!.contentType).toBe('application/json');
    const up = r.schema.getMutationType()!.getFields().upload!;
    expect(up.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(['id: Long!', 'input: UploadInput!']);
    expect(r.plan.operations['Mutation.upload']!.body!.contentType).toBe('multipart/form-data');
    expect(str((r.schema.getType('UploadInput') as GraphQLInputObjectType).getFields().file!)).toBe('Base64!');
    expect(str(fields(r.schema, 'Pet').name!)).toBe('String!');
    expect(str(fields(r.schema, 'Pet').id!)).toBe('Long');
  });

  it('applies rename, typePrefix, and names operations without operationId from method + path', async () => {
    const spec = oas({
      '/pets/{petId}': { get: { operationId: 'find pet by id', parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }], responses: ok({ $ref: '#/components/schemas/Pet' }) } },
      '/pets': { get: { responses: ok({ type: 'array', items: { $ref: '#/components/schemas/Pet' } }) }, post: { operationId: 'getPets', responses: ok({ type: 'string' }) } },
    }, { Pet: { type: 'object', properties: { id: { type: 'string' } } } });
    const plain = await imp(spec);
    expect(Object.keys(plain.schema.getQueryType()!.getFields())).toEqual(['findPetById', 'getPets2']);
    expect(Object.keys(plain.schema.getMutationType()!.getFields())).toEqual(['getPets']);
    const r = await imp(spec, { rename: { 'find pet by id': 'pet', getPets2: 'pets' }, typePrefix: 'Shop' });
    expect(Object.keys(r.schema.getQueryType()!.getFields())).toEqual(['pet', 'pets']);
    expect(String(r.schema.getQueryType()!.getFields().pet!.type)).toBe('ShopPet');
    expect(r.operations.map((o) => o.field)).toEqual(['Query.pet', 'Query.pets', 'Mutation.getPets']);
    expect(r.plan.operations['Query.pet']!.operationId).toBe('find pet by id');
  });

  it('resolves $refs into relative files', async () => {
    writeFileSync(path.join(dir, 'models.yaml'), toYaml({ components: { schemas: { Owner: { type: 'object', properties: { name: { type: 'string' }, pet: { $ref: '#/components/schemas/Pet' } } }, Pet: { type: 'object', properties: { owner: { $ref: '#/components/schemas/Owner' } } } } } }));
    writeFileSync(path.join(dir, 'tag.json'), JSON.stringify({ type: 'object', properties: { label: { type: 'string' } } }));
    const r = await imp(oas({ '/o': get('owner', { $ref: 'models.yaml#/components/schemas/Owner' }), '/t': get('tag', { $ref: './tag.json' }) }));
    expect(str(fields(r.schema, 'Owner').pet!)).toBe('Pet');
    expect(str(fields(r.schema, 'Pet').owner!)).toBe('Owner');
    expect(String(r.schema.getQueryType()!.getFields().tag!.type)).toBe('Tag');
  });

  it('keeps component types of a document without operations', async () => {
    const r = await imp({ openapi: '3.1.0', info: { title: 'w', version: '1' }, webhooks: { newPet: { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } }, responses: { 200: { description: '' } } } } }, components: { schemas: { Pet: { required: ['id'], properties: { id: { type: 'integer', format: 'int64' } } } } } });
    expect(r.operations).toEqual([]);
    expect(r.schema.getQueryType()).toBeUndefined();
    expect(str(fields(r.schema, 'Pet').id!)).toBe('Long!');
  });

  it('prints descriptions and deprecations, deterministically', async () => {
    const spec = oas({ '/a': { get: { operationId: 'a', summary: 'Sum', description: 'Has """quotes""" and \\ slashes', deprecated: true, responses: ok({ $ref: '#/components/schemas/T' }) } } }, { T: { type: 'object', description: 'A "T".', properties: { old: { type: 'string', deprecated: true, description: 'line1\nline2' } } } });
    const a = await imp(spec);
    const b = await imp(spec);
    expect(a.sdl).toBe(b.sdl);
    const f = a.schema.getQueryType()!.getFields().a!;
    expect(f.description).toBe('Sum\n\nHas """quotes""" and \\ slashes');
    expect(f.deprecationReason).toBeDefined();
    expect(fields(a.schema, 'T').old!.description).toBe('line1\nline2');
    expect(fields(a.schema, 'T').old!.deprecationReason).toBeDefined();
    expect(a.schema.getType('T')!.description).toBe('A "T".');
  });

  describe('bad input throws StartupError SPEC_INVALID', () => {
    const expectSpecInvalid = async (p: Promise<unknown>, re: RegExp) => {
      const e = await p.then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(StartupError);
      expect((e as StartupError).problems[0]!.code).toBe('SPEC_INVALID');
      expect((e as StartupError).problems[0]!.message).toMatch(re);
    };
    it('missing file', () => expectSpecInvalid(importOpenApi(opts('nope.yaml'), { baseDir: dir }), /not found/));
    it('unparseable YAML', () => expectSpecInvalid(imp('openapi: 3.0.0\npaths: [\n  : :'), /YAML/));
    it('not OpenAPI', () => expectSpecInvalid(imp({ hello: 'world' }), /not an OpenAPI/));
    it('a scalar document', () => expectSpecInvalid(imp('42'), /not an object/));
    it('unresolvable $ref', () => expectSpecInvalid(imp(oas({ '/a': get('a', { $ref: '#/components/schemas/Missing' }) })), /does not resolve/));
    it('unresolvable file $ref', () => expectSpecInvalid(imp(oas({ '/a': get('a', { $ref: 'missing.yaml#/X' }) })), /not found/));
    it('paths of the wrong type', () => expectSpecInvalid(imp({ openapi: '3.0.0', info: {}, paths: 'x' }), /paths/));
  });
});

describe('importOpenApi from an http URL', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/spec.json') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(oas({ '/a': get('a', { $ref: 'models.json#/Thing' }) }, {}, { servers: [{ url: '/api' }] })));
      } else if (req.url === '/models.json') {
        res.end(JSON.stringify({ Thing: { type: 'object', properties: { x: { type: 'string' } } } }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('loads the spec and relative refs over HTTP; relative servers resolve against the spec URL', async () => {
    const r = await importOpenApi(opts(`${base}/spec.json`), { baseDir: dir });
    expect(r.plan.servers).toEqual([`${base}/api`]);
    expect(buildSchema(r.sdl).getType('Thing')).toBeDefined();
  });

  it('HTTP errors are SPEC_INVALID', async () => {
    const e = await importOpenApi(opts(`${base}/missing.json`), { baseDir: dir }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StartupError);
    expect((e as StartupError).problems[0]!.message).toMatch(/HTTP 404/);
  });
});
