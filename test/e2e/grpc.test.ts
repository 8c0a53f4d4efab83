import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from '../helpers/ports';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createRequire } from 'node:module';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { grpcAdapter } from '../../src/adapters/grpc';
import { ReflectionRequest, ReflectionResponse } from '../../src/adapters/grpc/reflection';
import { grpcOptionsSchema, type GrpcSourceOptions } from '../../src/adapters/grpc/options';
import type { SourceRuntime } from '../../src/adapters/types';
import { createContext } from '../../src/context';
import { SHARED_SCALARS } from '../../src/stitching/scalars';

// @graphql-tools/schema is loaded by Node (CJS graphql) while test files get graphql's .mjs from
// vite: execute with the same copy the schema was built with, or graphql-js refuses the schema.
const { graphql, parse, subscribe } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/grpc');
const BIG = '9007199254740993'; // 2^53 + 1: a double would round it
const U64_MAX = '18446744073709551615';

// ---------- the upstream: a real grpc-js server on loopback ----------
const def = protoLoader.loadSync(path.join(fixtures, 'kitchen.proto'), { keepCase: true, longs: String, enums: String, defaults: false, oneofs: true, includeDirs: [fixtures] });
const pkg = grpc.loadPackageDefinition(def) as any; // eslint-disable-line @typescript-eslint/no-explicit-any

const peers = new Set<string>();
let lastMetadata: Record<string, unknown> = {};
let getThingCalls = 0;
const sleeping = new Set<string>();
// kitchen.v1.Card { number: "4111" } on the wire: field 1, length-delimited, 4 bytes.
const CARD_4111 = Buffer.from([0x0a, 0x04, ...Buffer.from('4111')]);
const cancelled: string[] = [];
let streamsStarted = 0;

const fullThing = (id: string) => ({
  id,
  big_unsigned: U64_MAX,
  u32: 4294967295,
  blob: Buffer.from([0, 1, 2, 250, 255]),
  created_at: { seconds: '1700000000', nanos: 123000000 },
  ttl: { seconds: '1', nanos: 500000000 },
  maybe_int: { value: 0 },
  maybe_name: { value: 'x' },
  maybe_long: { value: BIG },
  attrs: { fields: { a: { numberValue: 1 }, b: { stringValue: 's' }, c: { listValue: { values: [{ boolValue: true }, { nullValue: 'NULL_VALUE' }] } } } },
  card: { number: '4111' },
  text: 'hello',
  counters: { hits: BIG },
  status: 'LOAN_STATUS_ACTIVE',
  history: ['LOAN_STATUS_CLOSED', 'LOAN_STATUS_ACTIVE'],
  price: { currency_code: 'EUR', units: '12', nanos: 500000000 },
  ids: ['1', BIG],
  mask: { paths: ['a.b', 'c'] },
  any_value: { structValue: { fields: { k: { stringValue: 'v' } } } },
  ratio: 0.25,
  ok: true,
  extra: { type_url: 'type.googleapis.com/kitchen.v1.Card', value: CARD_4111 },
});

const impl = {
  async GetThing(call: any, cb: any) {
    peers.add(call.getPeer());
    lastMetadata = call.metadata.getMap();
    getThingCalls++;
    const { id, fail_with, sleep_ms } = call.request;
    if (sleep_ms) {
      sleeping.add(id);
      let gone = false;
      call.on('cancelled', () => {
        gone = true;
        cancelled.push(`GetThing:${id}`);
      });
      await new Promise((r) => setTimeout(r, sleep_ms));
      if (gone) return;
    }
    if (fail_with) return cb({ code: fail_with, details: `failing with ${fail_with} as asked` });
    if (id === '2') return cb(null, { id }); // everything else unset
    if (id === '13') return cb(null, { id, created_at: { seconds: '999999999999999' } }); // beyond year 9999
    cb(null, fullThing(id));
  },
  EchoThing(call: any, cb: any) {
    peers.add(call.getPeer());
    cb(null, call.request.thing ?? {});
  },
  Ping(call: any, cb: any) {
    peers.add(call.getPeer());
    cb(null, {});
  },
  async WatchTicks(call: any) {
    streamsStarted++;
    const { count, interval_ms, fail_after } = call.request;
    let gone = false;
    call.on('cancelled', () => {
      gone = true;
      cancelled.push(`WatchTicks:${count}`);
    });
    for (let i = 1; i <= count && !gone; i++) {
      if (fail_after && i > fail_after) {
        call.emit('error', { code: grpc.status.INTERNAL, details: 'boom midway' });
        return;
      }
      call.write({ seq: i, at: { seconds: String(1700000000 + i), nanos: 0 } });
      if (interval_ms) await new Promise((r) => setTimeout(r, interval_ms));
    }
    if (!gone) call.end();
  },
  Upload(_call: any, cb: any) {
    cb({ code: grpc.status.UNIMPLEMENTED });
  },
  Chat(call: any) {
    call.end();
  },
};

let server: grpc.Server;
let address = '';
let schema: GraphQLSchema;
let runtime: SourceRuntime;
let slowSchema: GraphQLSchema;
let slowRuntime: SourceRuntime;

async function buildSchema(options: GrpcSourceOptions): Promise<{ schema: GraphQLSchema; runtime: SourceRuntime }> {
  const imported = await grpcAdapter.importSource(options, { baseDir: fixtures });
  const runtime = grpcAdapter.createRuntime(imported, options, { baseDir: fixtures, logger: console });
  const scalars = Object.fromEntries(SHARED_SCALARS.filter((s) => imported.sdl.includes(`scalar ${s.name}\n`)).map((s) => [s.name, s]));
  const schema = makeExecutableSchema({ typeDefs: imported.sdl, resolvers: [scalars, runtime.resolvers as any] });
  return { schema, runtime };
}

beforeAll(async () => {
  server = new grpc.Server();
  server.addService(pkg.kitchen.v1.ThingService.service, impl);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  address = `127.0.0.1:${port}`;
  const base = { kind: 'grpc', name: 'kitchen', protos: 'kitchen.proto', address };
  ({ schema, runtime } = await buildSchema(grpcOptionsSchema.parse(base)));
  ({ schema: slowSchema, runtime: slowRuntime } = await buildSchema(grpcOptionsSchema.parse({ ...base, name: 'kitchenSlow', timeoutMs: 500 })));
});

afterAll(async () => {
  await runtime?.dispose();
  await slowRuntime?.dispose();
  server?.forceShutdown();
});

async function run(query: string, variables?: Record<string, unknown>, s = schema) {
  return graphql({ schema: s, source: query, variableValues: variables, contextValue: createContext() });
}

const THING = `id bigUnsigned u32 blob createdAt ttl maybeInt maybeName maybeLong attrs
  payment { __typename ... on Card { number } ... on Bank { iban } }
  text number counters status history price { currencyCode units nanos } deletedAt nickname ids mask anyValue ratio ok extra`;

describe('gRPC source against a real grpc-js server', () => {
  it('maps every type on the way out (int64 beyond 2^53, bytes, WKTs, oneof union, map, enums)', async () => {
    const r = await run(`query($id: Long) { getThing(id: $id) { ${THING} } }`, { id: BIG });
    expect(r.errors).toBeUndefined();
    expect(r.data!.getThing).toEqual({
      id: BIG,
      bigUnsigned: U64_MAX,
      u32: '4294967295',
      blob: Buffer.from([0, 1, 2, 250, 255]).toString('base64'),
      createdAt: '2023-11-14T22:13:20.123Z',
      ttl: 'PT1.5S',
      maybeInt: 0, // set wrapper with the default value is not null
      maybeName: 'x',
      maybeLong: BIG,
      attrs: { a: 1, b: 's', c: [true, null] },
      payment: { __typename: 'Card', number: '4111' },
      text: 'hello',
      number: null,
      counters: { hits: BIG },
      status: 'ACTIVE',
      history: ['CLOSED', 'ACTIVE'],
      price: { currencyCode: 'EUR', units: '12', nanos: 500000000 },
      deletedAt: null,
      nickname: null,
      ids: ['1', BIG],
      mask: ['a.b', 'c'],
      anyValue: { k: 'v' },
      ratio: 0.25,
      ok: true,
      extra: { '@type': 'type.googleapis.com/kitchen.v1.Card', number: '4111' }, // Any of a known type is decoded
    });
  });

  it('reads unset messages, wrappers, oneofs, optional and UNSPECIFIED enums as null', async () => {
    const r = await run(`{ getThing(id: "2") { ${THING} } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.getThing).toMatchObject({
      id: '2',
      createdAt: null,
      ttl: null,
      maybeInt: null,
      maybeName: null,
      maybeLong: null,
      attrs: null,
      payment: null,
      text: null,
      number: null,
      status: null,
      price: null,
      nickname: null,
      mask: null,
      history: [],
      ids: [],
      counters: {},
      ratio: 0,
      ok: false,
    });
  });

  it('round-trips every type on the way in (input objects, oneof members, enums, WKTs)', async () => {
    const thing = {
      id: BIG,
      bigUnsigned: U64_MAX,
      u32: '4294967295',
      blob: 'AAEC+v8=',
      createdAt: '2024-02-29T12:00:00.000000001Z',
      ttl: '-PT0.25S',
      maybeInt: 7,
      maybeName: '',
      maybeLong: '-9007199254740993',
      attrs: { nested: { deep: [1, 'two', false, null] } },
      bank: { iban: 'DE00' },
      number: 42,
      counters: { a: '1', b: BIG },
      status: 'CLOSED',
      history: ['ACTIVE'],
      price: { currencyCode: 'USD', units: '-3', nanos: -1 },
      nickname: 'nick',
      ids: [BIG],
      mask: ['x'],
      anyValue: [1, 'a'],
      ratio: 1.5,
      ok: true,
      extra: { '@type': 'type.googleapis.com/kitchen.v1.Bank', iban: 'NL01' },
    };
    const r = await run(`mutation($t: ThingInput) { echoThing(thing: $t) { ${THING} } }`, { t: thing });
    expect(r.errors).toBeUndefined();
    const { bank, ...rest } = thing;
    expect(r.data!.echoThing).toEqual({ ...rest, payment: { __typename: 'Bank', iban: bank.iban }, text: null, deletedAt: null });
  });

  it('passes an Any of an unknown type through as @type + base64 value', async () => {
    const r = await run('mutation($t: ThingInput) { echoThing(thing: $t) { extra } }', { t: { extra: { '@type': 'type.googleapis.com/x.Unknown', value: 'AAE=' } } });
    expect(r).toEqual({ data: { echoThing: { extra: { '@type': 'type.googleapis.com/x.Unknown', value: 'AAE=' } } } });
  });

  it('sends static metadata and forwards only the configured request headers', async () => {
    const options = grpcOptionsSchema.parse({ kind: 'grpc', name: 'meta', protos: 'kitchen.proto', address, metadata: { 'x-api-key': 'secret' }, forwardHeaders: ['Authorization', 'x-request-id'] });
    const { schema: s, runtime: rt } = await buildSchema(options);
    try {
      const requestHeaders = new Headers({ authorization: 'Bearer t0k', 'x-request-id': 'r-1', cookie: 'session=1' });
      const r = await graphql({ schema: s, source: '{ getThing(id: "5") { id } }', contextValue: createContext({ requestHeaders }) });
      expect(r.errors).toBeUndefined();
      expect(lastMetadata).toMatchObject({ 'x-api-key': 'secret', authorization: 'Bearer t0k', 'x-request-id': 'r-1' });
      expect(lastMetadata).not.toHaveProperty('cookie');
    } finally {
      await rt.dispose();
    }
  });

  it('aborting ctx.signal cancels an in-flight unary call at the server', async () => {
    const before = cancelled.length;
    const ac = new AbortController();
    const pending = graphql({ schema, source: '{ getThing(id: "77", sleepMs: 5000) { id } }', contextValue: createContext({ signal: ac.signal }) });
    await expect.poll(() => sleeping.has('77'), { timeout: 5000 }).toBe(true); // the server is inside the call
    ac.abort();
    const r = await pending;
    expect(r.errors![0]!.extensions).toMatchObject({ upstream: { grpcStatus: 'CANCELLED' } });
    await expect.poll(() => cancelled.slice(before), { timeout: 2000 }).toEqual(['GetThing:77']);
  });

  it('an answer that cannot be mapped (Timestamp beyond year 9999) is UPSTREAM_BAD_RESPONSE on that field', async () => {
    const r = await run('{ bad: getThing(id: "13") { createdAt } ok: getThing(id: "14") { id } }');
    expect(r.data).toEqual({ bad: null, ok: { id: '14' } });
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', upstream: { source: 'kitchen', operation: 'kitchen.v1.ThingService/GetThing' } });
  });

  it('identical query calls in one request share one upstream call', async () => {
    const before = getThingCalls;
    const r = await run('{ a: getThing(id: "8") { id } b: getThing(id: "8") { status } c: getThing(id: "9") { id } }');
    expect(r.data).toEqual({ a: { id: '8' }, b: { status: 'ACTIVE' }, c: { id: '9' } });
    expect(getThingCalls - before).toBe(2);
  });

  it('arguments proto cannot carry fail that field with UPSTREAM_INVALID_ARGUMENT before any call', async () => {
    const r = await run('mutation { bad: echoThing(thing: { ttl: "P1Y" }) { ttl } ok: echoThing(thing: { ttl: "PT2S" }) { ttl } }');
    expect(r.data).toEqual({ bad: null, ok: { ttl: 'PT2S' } });
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_INVALID_ARGUMENT', upstream: { operation: 'kitchen.v1.ThingService/EchoThing' } });
    expect(r.errors![0]!.message).toMatch(/ISO-8601 duration/);
  });

  it('maps Empty to Void with no arguments', async () => {
    const r = await run('mutation { ping }');
    expect(r).toEqual({ data: { ping: null } });
  });

  it.each([
    [grpc.status.NOT_FOUND, 'UPSTREAM_NOT_FOUND', 'NOT_FOUND'],
    [grpc.status.PERMISSION_DENIED, 'UPSTREAM_PERMISSION_DENIED', 'PERMISSION_DENIED'],
    [grpc.status.UNAUTHENTICATED, 'UPSTREAM_UNAUTHORIZED', 'UNAUTHENTICATED'],
    [grpc.status.UNAVAILABLE, 'UPSTREAM_UNAVAILABLE', 'UNAVAILABLE'],
    [grpc.status.FAILED_PRECONDITION, 'UPSTREAM_FAILED_PRECONDITION', 'FAILED_PRECONDITION'],
    [grpc.status.INVALID_ARGUMENT, 'UPSTREAM_INVALID_ARGUMENT', 'INVALID_ARGUMENT'],
    [grpc.status.INTERNAL, 'UPSTREAM_ERROR', 'INTERNAL'],
    [grpc.status.DEADLINE_EXCEEDED, 'UPSTREAM_TIMEOUT', 'DEADLINE_EXCEEDED'],
  ])('status %i becomes %s on that field only; the other fields still answer', async (status, code, name) => {
    const r = await run(`{ bad: getThing(id: "1", failWith: ${status}) { id } good: getThing(id: "3") { id status } }`);
    expect(r.data).toEqual({ bad: null, good: { id: '3', status: 'ACTIVE' } });
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]!.path).toEqual(['bad']);
    expect(r.errors![0]!.extensions).toMatchObject({
      code,
      upstream: { source: 'kitchen', operation: 'kitchen.v1.ThingService/GetThing', grpcStatus: name, grpcCode: status, details: `failing with ${status} as asked` },
    });
  });

  it('enforces timeoutMs as the call deadline (UPSTREAM_TIMEOUT)', async () => {
    await run('mutation { ping }', undefined, slowSchema); // connect first: the deadline is about the call
    const started = Date.now();
    const r = await run('{ slow: getThing(id: "1", sleepMs: 3000) { id } fast: getThing(id: "4") { id } }', undefined, slowSchema);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(r.data).toEqual({ slow: null, fast: { id: '4' } });
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', upstream: { grpcStatus: 'DEADLINE_EXCEEDED' } });
  });

  it('maps an unreachable upstream to UPSTREAM_UNAVAILABLE', async () => {
    const { schema: dead, runtime: deadRuntime } = await buildSchema(grpcOptionsSchema.parse({ kind: 'grpc', name: 'dead', protos: 'kitchen.proto', address: '127.0.0.1:1', timeoutMs: 2000 }));
    try {
      const r = await run('{ getThing(id: "1") { id } }', undefined, dead);
      expect(r.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { source: 'dead', grpcStatus: 'UNAVAILABLE' } });
    } finally {
      await deadRuntime.dispose();
    }
  });

  it('reuses one channel: many calls arrive from a single client connection', async () => {
    peers.clear();
    await Promise.all(Array.from({ length: 20 }, (_, i) => run(`{ getThing(id: "${i + 10}") { id } }`)));
    await run('mutation { ping }');
    expect(peers.size).toBe(1);
  });

  async function subscribeTicks(args: string, signal?: AbortSignal) {
    const result = await subscribe({ schema, document: parse(`subscription { watchTicks(${args}) { seq at } }`), contextValue: createContext(signal ? { signal } : {}) });
    if (!(Symbol.asyncIterator in result)) throw new Error(`subscribe failed: ${JSON.stringify(result)}`);
    return result as AsyncGenerator<ExecutionResult>;
  }

  it('a subscription receives every streamed event in order and completes when the stream ends', async () => {
    const it = await subscribeTicks('count: 25');
    const seqs: number[] = [];
    for await (const ev of it) {
      expect(ev.errors).toBeUndefined();
      seqs.push((ev.data!.watchTicks as { seq: number }).seq);
    }
    expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('stopping the iterator (return()) cancels the upstream call, seen by the server', async () => {
    const before = cancelled.length;
    const it = await subscribeTicks('count: 1000, intervalMs: 20');
    const first = await it.next();
    expect((first.value as ExecutionResult).data).toEqual({ watchTicks: { seq: 1, at: '2023-11-14T22:13:21Z' } });
    await it.next();
    await it.return(undefined);
    await expect.poll(() => cancelled.length, { timeout: 2000 }).toBe(before + 1);
    expect(cancelled.at(-1)).toBe('WatchTicks:1000');
  });

  it('return() while waiting for the next event cancels at once (no event needed to unblock)', async () => {
    const before = cancelled.length;
    const it = await subscribeTicks('count: 3, intervalMs: 60000');
    await it.next();
    const pending = it.next(); // the server now waits a minute
    await it.return(undefined);
    await expect.poll(() => cancelled.length, { timeout: 2000 }).toBe(before + 1);
    await expect(pending).resolves.toMatchObject({ done: true });
  });

  it('aborting ctx.signal (client disconnect) cancels the upstream call', async () => {
    const before = cancelled.length;
    const ac = new AbortController();
    const it = await subscribeTicks('count: 500, intervalMs: 20', ac.signal);
    await it.next();
    ac.abort();
    await expect.poll(() => cancelled.length, { timeout: 2000 }).toBe(before + 1);
    const rest: unknown[] = [];
    for await (const ev of it) rest.push(ev);
    expect(rest.length).toBeLessThan(3);
  });

  it('takes literal subscription arguments under graphql-jit too (it passes variables as args)', async () => {
    const { compileQuery, isCompiledQuery } = createRequire(import.meta.url)('graphql-jit') as typeof import('graphql-jit');
    const compiled = compileQuery(schema, parse('subscription { watchTicks(count: 3) { seq } }'));
    if (!isCompiledQuery(compiled)) throw new Error(JSON.stringify(compiled));
    const it = (await compiled.subscribe!({}, createContext(), {})) as AsyncGenerator<ExecutionResult>;
    const seqs: number[] = [];
    for await (const ev of it) seqs.push((ev.data!.watchTicks as { seq: number }).seq);
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('an upstream stream failing midway ends the subscription with UPSTREAM_STREAM_ERROR', async () => {
    const it = await subscribeTicks('count: 10, failAfter: 3');
    const seen: number[] = [];
    let error: unknown;
    try {
      for await (const ev of it) {
        if (ev.errors) throw ev.errors[0];
        seen.push((ev.data!.watchTicks as { seq: number }).seq);
      }
    } catch (e) {
      error = e;
    }
    expect(seen).toEqual([1, 2, 3]);
    expect((error as { extensions?: Record<string, unknown> }).extensions).toMatchObject({ code: 'UPSTREAM_STREAM_ERROR', upstream: { grpcStatus: 'INTERNAL', details: 'boom midway' } });
  });
});

// ---------- the bench upstream (shared/bench/backends/orders-grpc.js), spawned as is ----------
const benchDir = path.resolve(process.cwd(), '../shared/bench');
const benchPresent = existsSync(path.join(benchDir, 'backends/orders-grpc.js'));
if (!benchPresent) console.warn(`skipping the bench orders test: ${benchDir}/backends/orders-grpc.js is absent`);

describe.skipIf(!benchPresent)('the bench orders upstream', () => {
  let child: ChildProcess;
  let ordersSchema: GraphQLSchema;
  let ordersRuntime: SourceRuntime;
  let direct: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  let adminPort = 0;

  beforeAll(async () => {
    const port = await freePort();
    adminPort = await freePort();
    child = spawn(process.execPath, [path.join(benchDir, 'backends/orders-grpc.js')], {
      env: { ...process.env, ORDERS_PORT: String(port), ORDERS_ADMIN_PORT: String(adminPort), NODE_PATH: path.resolve('node_modules') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`orders-grpc exited with ${code}`)));
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    });
    const options = grpcOptionsSchema.parse({ kind: 'grpc', name: 'orders', protos: path.join(benchDir, 'specs/orders.proto'), address: `127.0.0.1:${port}` });
    ({ schema: ordersSchema, runtime: ordersRuntime } = await buildSchema(options));
    const def = protoLoader.loadSync(path.join(benchDir, 'specs/orders.proto'), { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
    const Ctor = (grpc.loadPackageDefinition(def) as any).shop.orders.v1.OrdersService;
    direct = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    await ordersRuntime?.dispose();
    direct?.close();
    child?.kill();
  });

  it('answers the same data as a direct grpc-js client, in one call per field', async () => {
    await fetch(`http://127.0.0.1:${adminPort}/reset`, { method: 'POST' });
    const r = await run('{ getOrder(id: 7) { id userId total status createdAt items { productId quantity unitPrice } } listOrdersByUser(userId: 3) { orders { id } } batchGetOrders(ids: [1, 2], userIds: [5]) { orders { id userId } } }', undefined, ordersSchema);
    expect(r.errors).toBeUndefined();
    const stats = (await (await fetch(`http://127.0.0.1:${adminPort}/stats`)).json()) as { calls: Record<string, number> };
    expect(stats.calls).toEqual({ GetOrder: 1, ListOrdersByUser: 1, BatchGetOrders: 1 });
    const call = (method: string, req: object) => new Promise<any>((res, rej) => direct[method](req, (e: unknown, v: unknown) => (e ? rej(e) : res(v))));
    expect(r.data!.getOrder).toEqual(await call('GetOrder', { id: 7 }));
    const list = await call('ListOrdersByUser', { userId: 3 });
    expect((r.data!.listOrdersByUser as { orders: { id: number }[] }).orders.map((o) => o.id)).toEqual(list.orders.map((o: { id: number }) => o.id));
    const batch = await call('BatchGetOrders', { ids: [1, 2], userIds: [5] });
    expect(r.data!.batchGetOrders).toEqual({ orders: batch.orders.map((o: { id: number; userId: number }) => ({ id: o.id, userId: o.userId })) });
  });

  it('GetOrder of an unknown id is UPSTREAM_NOT_FOUND', async () => {
    const r = await run('{ getOrder(id: 999999) { id } }', undefined, ordersSchema);
    expect(r.data).toEqual({ getOrder: null });
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_NOT_FOUND', upstream: { grpcStatus: 'NOT_FOUND', details: 'order 999999 not found' } });
  });

  it('WatchOrders as a subscription delivers every order in order', async () => {
    const result = await subscribe({ schema: ordersSchema, document: parse('subscription { watchOrders(userId: 0, max: 7) { id status } }'), contextValue: createContext() });
    const ids: number[] = [];
    for await (const ev of result as AsyncGenerator<ExecutionResult>) {
      expect(ev.errors).toBeUndefined();
      ids.push((ev.data!.watchOrders as { id: number }).id);
    }
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

// ---------- TLS and mutual TLS (certificates made with openssl at test time) ----------
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasOpenssl) console.warn('skipping the gRPC TLS test: openssl is not installed');

describe.skipIf(!hasOpenssl)('gRPC over TLS', () => {
  let dir = '';
  let tlsServer: grpc.Server;
  let tlsAddress = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'grpc-tls-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
    for (const who of ['server', 'client']) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
      writeFileSync(path.join(dir, `${who}.ext`), who === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' : 'extendedKeyUsage=clientAuth\n');
      ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1', '-extfile', `${who}.ext`);
    }
    const read = (f: string) => readFileSync(path.join(dir, f));
    tlsServer = new grpc.Server();
    tlsServer.addService(pkg.kitchen.v1.ThingService.service, impl);
    const creds = grpc.ServerCredentials.createSsl(read('ca.pem'), [{ private_key: read('server.key'), cert_chain: read('server.pem') }], true);
    const port = await new Promise<number>((resolve, reject) => tlsServer.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? reject(e) : resolve(p))));
    tlsAddress = `127.0.0.1:${port}`;
  });

  afterAll(() => tlsServer?.forceShutdown());

  it('calls a mutual-TLS upstream with ca/cert/key files relative to the config', async () => {
    const options = grpcOptionsSchema.parse({ kind: 'grpc', name: 'secure', protos: path.join(fixtures, 'kitchen.proto'), address: tlsAddress, tls: { ca: 'ca.pem', cert: 'client.pem', key: 'client.key' } });
    const imported = await grpcAdapter.importSource(options, { baseDir: fixtures });
    const rt = grpcAdapter.createRuntime(imported, options, { baseDir: dir, logger: console });
    try {
      const s = makeExecutableSchema({ typeDefs: imported.sdl, resolvers: [Object.fromEntries(SHARED_SCALARS.filter((x) => imported.sdl.includes(`scalar ${x.name}\n`)).map((x) => [x.name, x])), rt.resolvers as any] });
      const r = await graphql({ schema: s, source: '{ getThing(id: "11") { id } }', contextValue: createContext() });
      expect(r).toEqual({ data: { getThing: { id: '11' } } });
    } finally {
      await rt.dispose();
    }
  });

  it('refuses a plaintext client and a client without a certificate (UPSTREAM_UNAVAILABLE)', async () => {
    for (const tls of [false, { ca: path.join(dir, 'ca.pem') }] as const) {
      const { schema: s, runtime: rt } = await buildSchema(grpcOptionsSchema.parse({ kind: 'grpc', name: 'insecure', protos: 'kitchen.proto', address: tlsAddress, tls, timeoutMs: 3000 }));
      try {
        const r = await run('{ getThing(id: "12") { id } }', undefined, s);
        expect(r.data).toEqual({ getThing: null });
        expect(r.errors![0]!.extensions!['code']).toBe('UPSTREAM_UNAVAILABLE');
      } finally {
        await rt.dispose();
      }
    }
  });
});

// ---------- server reflection instead of .proto files ----------
describe('gRPC source from server reflection', () => {
  let reflServer: grpc.Server;
  let reflAddress = '';
  const asked: string[] = [];

  beforeAll(async () => {
    // Descriptors of kitchen.proto and its imports, as a reflection server would hold them.
    const root = new protobuf.Root();
    root.loadSync(path.join(fixtures, 'kitchen.proto'), { keepCase: true });
    root.resolveAll();
    const set = (root as unknown as { toDescriptor(e: string): { file: object[] } }).toDescriptor('proto3');
    const files = set.file.map((f) => descriptor.FileDescriptorProto.encode(f).finish());
    reflServer = new grpc.Server();
    reflServer.addService(pkg.kitchen.v1.ThingService.service, impl);
    // Only v1alpha: the client must fall back from v1.
    reflServer.addService(
      {
        ServerReflectionInfo: {
          path: '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
          requestStream: true,
          responseStream: true,
          requestSerialize: (m: object) => Buffer.from(ReflectionRequest.encode(m).finish()),
          requestDeserialize: (b: Buffer) => ReflectionRequest.toObject(ReflectionRequest.decode(b)),
          responseSerialize: (m: object) => Buffer.from(ReflectionResponse.encode(m).finish()),
          responseDeserialize: (b: Buffer) => ReflectionResponse.decode(b),
          originalName: 'serverReflectionInfo',
        },
      } as unknown as grpc.ServiceDefinition,
      {
        ServerReflectionInfo(call: grpc.ServerDuplexStream<any, any>) {
          call.on('data', (req: Record<string, string>) => {
            asked.push(Object.keys(req).join(','));
            if (req['list_services'] !== undefined) call.write({ list_services_response: { service: [{ name: 'kitchen.v1.ThingService' }, { name: 'grpc.reflection.v1alpha.ServerReflection' }] } });
            else call.write({ file_descriptor_response: { file_descriptor_proto: files } });
          });
          call.on('end', () => call.end());
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) => reflServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    reflAddress = `127.0.0.1:${port}`;
  });

  afterAll(() => reflServer?.forceShutdown());

  it('imports the same operations and types as the .proto files and calls them alike', async () => {
    const fromFiles = await grpcAdapter.importSource(grpcOptionsSchema.parse({ kind: 'grpc', name: 'kitchen', protos: 'kitchen.proto', address: reflAddress }), { baseDir: fixtures });
    const options = grpcOptionsSchema.parse({ kind: 'grpc', name: 'kitchen', reflection: true, address: reflAddress });
    const imported = await grpcAdapter.importSource(options, { baseDir: fixtures });
    expect(asked[0]).toBe('list_services');
    expect(imported.operations).toEqual(fromFiles.operations);
    expect(imported.warnings.map((w) => w.location)).toEqual(fromFiles.warnings.map((w) => w.location));
    const typesOf = (sdl: string) => [...sdl.matchAll(/^(type|input|enum|union|scalar) (\w+)/gm)].map((m) => m[2]).sort();
    expect(typesOf(imported.sdl)).toEqual(typesOf(fromFiles.sdl));
    expect(imported.sdl).toMatch(/counters: JSON/); // map<> restored from the XEntry descriptor
    const { schema: s, runtime: rt } = await buildSchema(options);
    try {
      const viaReflection = await run(`query($id: Long) { getThing(id: $id) { ${THING} } }`, { id: BIG }, s);
      const viaFiles = await run(`query($id: Long) { getThing(id: $id) { ${THING} } }`, { id: BIG });
      expect(viaReflection.errors).toBeUndefined();
      expect(viaReflection.data).toEqual(viaFiles.data);
    } finally {
      await rt.dispose();
    }
  });

  it('a server without reflection fails the import with SPEC_INVALID and a fix', async () => {
    const err = await grpcAdapter.importSource(grpcOptionsSchema.parse({ kind: 'grpc', name: 'plain', reflection: true, address }), { baseDir: fixtures }).catch((e: unknown) => e);
    expect((err as { problems?: unknown[] }).problems?.[0]).toMatchObject({ code: 'SPEC_INVALID', message: expect.stringMatching(/server reflection at .* failed/), fix: expect.stringMatching(/protos/) });
  });

  it('options need protos or reflection', () => {
    expect(grpcOptionsSchema.safeParse({ kind: 'grpc', name: 'x', address: 'a:1' }).success).toBe(false);
  });
});
