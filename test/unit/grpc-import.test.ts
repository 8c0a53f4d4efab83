import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildSchema, isEnumType, isObjectType, printType, type GraphQLObjectType } from 'graphql';
import { grpcAdapter } from '../../src/adapters/grpc';
import { grpcOptionsSchema, type GrpcSourceInput } from '../../src/adapters/grpc/options';
import { formatDuration, formatTimestamp, parseDuration, parseTimestamp } from '../../src/adapters/grpc/convert';
import { toGatewayError } from '../../src/adapters/grpc/errors';
import { jsonName, screamingSnake } from '../../src/adapters/grpc/shapes';
import { StartupError } from '../../src/errors/gateway-error';

const here = path.dirname(fileURLToPath(import.meta.url));
const ORDERS = path.resolve(here, '../../../shared/bench/specs/orders.proto');
const FIXTURES = path.resolve(here, '../fixtures/grpc');

async function importProto(input: Partial<GrpcSourceInput> & { protos: GrpcSourceInput['protos'] }, baseDir = FIXTURES) {
  const options = grpcOptionsSchema.parse({ kind: 'grpc', name: 'src', address: '127.0.0.1:1', ...input });
  return grpcAdapter.importSource(options, { baseDir });
}

function tmpProtos(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'grpc-import-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('gRPC import: the bench orders.proto', () => {
  it('gives Query fields for the unary methods and a Subscription for WatchOrders', async () => {
    const { sdl, operations, warnings } = await importProto({ protos: ORDERS });
    expect(warnings).toEqual([]);
    expect(operations).toEqual([
      { field: 'Query.getOrder', upstream: 'shop.orders.v1.OrdersService/GetOrder', kind: 'query' },
      { field: 'Query.listOrdersByUser', upstream: 'shop.orders.v1.OrdersService/ListOrdersByUser', kind: 'query' },
      { field: 'Query.batchGetOrders', upstream: 'shop.orders.v1.OrdersService/BatchGetOrders', kind: 'query' },
      { field: 'Subscription.watchOrders', upstream: 'shop.orders.v1.OrdersService/WatchOrders', kind: 'subscription' },
    ]);
    const schema = buildSchema(sdl);
    expect(printType(schema.getType('Order')!)).toBe(
      'type Order {\n  id: Int\n  userId: Int\n  total: Float\n  status: OrderStatus\n  createdAt: String\n  items: [OrderItem!]\n}',
    );
    expect(printType(schema.getType('OrderStatus')!)).toBe('enum OrderStatus {\n  PENDING\n  PAID\n  SHIPPED\n  DELIVERED\n  CANCELLED\n}');
    const q = schema.getQueryType()!.getFields();
    expect(q['getOrder']!.args.map((a) => `${a.name}: ${a.type}`)).toEqual(['id: Int']);
    expect(q['batchGetOrders']!.args.map((a) => `${a.name}: ${a.type}`)).toEqual(['ids: [Int!]', 'userIds: [Int!]']);
    expect(String(q['listOrdersByUser']!.type)).toBe('ListOrdersByUserResponse');
    const s = schema.getSubscriptionType()!.getFields();
    expect(s['watchOrders']!.args.map((a) => a.name)).toEqual(['userId', 'max', 'intervalMs']);
    expect(String(s['watchOrders']!.type)).toBe('Order');
    // Request messages are flattened into arguments: no GetOrderRequest type or input.
    expect(schema.getType('GetOrderRequest')).toBeUndefined();
    expect(schema.getType('GetOrderRequestInput')).toBeUndefined();
  });

  it('honours operation overrides (type and field name) and rejects unknown or impossible ones', async () => {
    const { operations } = await importProto({
      protos: ORDERS,
      operations: { 'shop.orders.v1.OrdersService/GetOrder': { type: 'mutation', field: 'order' } },
    });
    expect(operations[0]).toEqual({ field: 'Mutation.order', upstream: 'shop.orders.v1.OrdersService/GetOrder', kind: 'mutation' });
    await expect(importProto({ protos: ORDERS, operations: { 'shop.orders.v1.OrdersService/Nope': { type: 'query' } } })).rejects.toThrow(/no method shop.orders.v1.OrdersService\/Nope/);
    await expect(importProto({ protos: ORDERS, operations: { 'shop.orders.v1.OrdersService/WatchOrders': { type: 'query' } } })).rejects.toThrow(/server-streaming/);
  });

  it('renames root fields by generated name or by method', async () => {
    const { operations } = await importProto({ protos: ORDERS, rename: { getOrder: 'order', 'shop.orders.v1.OrdersService/WatchOrders': 'orderEvents' } });
    expect(operations.map((o) => o.field)).toEqual(['Query.order', 'Query.listOrdersByUser', 'Query.batchGetOrders', 'Subscription.orderEvents']);
    await expect(importProto({ protos: ORDERS, rename: { getOrder: 'listOrdersByUser' } })).rejects.toThrow(/used by two methods/);
  });

  it('applies typePrefix to every generated type', async () => {
    const { sdl } = await importProto({ protos: ORDERS, typePrefix: 'Shop' });
    expect(sdl).toMatch(/type ShopOrder \{/);
    expect(sdl).toMatch(/enum ShopOrderStatus \{/);
    expect(sdl).toMatch(/getOrder\(id: Int\): ShopOrder/);
  });
});

describe('gRPC import: naming', () => {
  it('keeps same-named types of different packages and scopes distinct', async () => {
    const dir = tmpProtos({
      'a.proto': 'syntax = "proto3"; package shop.a; message Order { int32 id = 1; message Line { int32 n = 1; } enum State { STATE_UNSPECIFIED = 0; OPEN = 1; } State state = 2; Line line = 3; }',
      'b.proto': 'syntax = "proto3"; package shop.b; message Order { string id = 1; } message Box { enum State { STATE_UNSPECIFIED = 0; FULL = 1; } State state = 1; }',
      'svc.proto': 'syntax = "proto3"; package shop; import "a.proto"; import "b.proto"; message Both { shop.a.Order a = 1; shop.b.Order b = 2; shop.b.Box box = 3; } service S { rpc GetBoth(Both) returns (Both); }',
    });
    const { sdl, plan } = await importProto({ protos: 'svc.proto' }, dir);
    const schema = buildSchema(sdl);
    expect(plan.typeNames.get('.shop.a.Order')).toBe('shop_a_Order');
    expect(plan.typeNames.get('.shop.b.Order')).toBe('shop_b_Order');
    expect(plan.typeNames.get('.shop.a.Order.Line')).toBe('Line');
    expect(plan.typeNames.get('.shop.a.Order.State')).toBe('Order_State');
    expect(plan.typeNames.get('.shop.b.Box.State')).toBe('Box_State');
    expect((schema.getType('Order_State') as never as { getValues(): { name: string }[] }).getValues().map((v) => v.name)).toEqual(['OPEN']);
    expect(isObjectType(schema.getType('shop_a_Order'))).toBe(true);
    expect(schema.getType('shop_a_OrderInput')).toBeDefined();
  });

  it('prefixes root fields with the service only when method names clash', async () => {
    const dir = tmpProtos({
      'x.proto': 'syntax = "proto3"; package x; message M { int32 v = 1; } service One { rpc GetM(M) returns (M); rpc Ping(M) returns (M); } service Two { rpc Ping(M) returns (M); }',
    });
    const { operations } = await importProto({ protos: 'x.proto' }, dir);
    expect(operations.map((o) => o.field)).toEqual(['Query.getM', 'Mutation.onePing', 'Mutation.twoPing']);
  });

  it('classifies unary methods by verb', async () => {
    const verbs = ['GetA', 'ListA', 'BatchGetA', 'SearchA', 'FindA', 'LookupA', 'QueryA', 'ReadA', 'CheckA', 'CountA', 'CreateA', 'BatchCreateA', 'Getaway', 'DeleteA'];
    const dir = tmpProtos({ 'v.proto': `syntax = "proto3"; package v; message M { int32 v = 1; } service S { ${verbs.map((v) => `rpc ${v}(M) returns (M);`).join(' ')} }` });
    const { operations } = await importProto({ protos: 'v.proto' }, dir);
    expect(Object.fromEntries(operations.map((o) => [o.upstream.split('/')[1], o.kind]))).toEqual({
      GetA: 'query', ListA: 'query', BatchGetA: 'query', SearchA: 'query', FindA: 'query', LookupA: 'query', QueryA: 'query', ReadA: 'query', CheckA: 'query', CountA: 'query',
      CreateA: 'mutation', BatchCreateA: 'mutation', Getaway: 'mutation', DeleteA: 'mutation',
    });
  });

  it('strips the enum prefix only when every value carries it, and hides *_UNSPECIFIED', async () => {
    const dir = tmpProtos({
      'e.proto': `syntax = "proto3"; package e;
        enum LoanStatus { LOAN_STATUS_UNSPECIFIED = 0; LOAN_STATUS_ACTIVE = 1; LOAN_STATUS_PAID_OFF = 2; }
        enum Mixed { MIXED_UNSPECIFIED = 0; MIXED_A = 1; B = 2; }
        enum HTTPMethod { HTTP_METHOD_UNSPECIFIED = 0; HTTP_METHOD_GET = 1; }
        enum Digits { DIGITS_UNSPECIFIED = 0; DIGITS_1 = 1; DIGITS_2 = 2; }
        enum Zero { UNKNOWN = 0; KNOWN = 1; }
        message M { LoanStatus a = 1; Mixed b = 2; HTTPMethod c = 3; Digits d = 4; Zero z = 5; }`,
    });
    const { sdl, plan } = await importProto({ protos: 'e.proto' }, dir);
    const schema = buildSchema(sdl);
    const values = (n: string) => (schema.getType(n) as never as { getValues(): { name: string }[] }).getValues().map((v) => v.name);
    expect(values('LoanStatus')).toEqual(['ACTIVE', 'PAID_OFF']);
    expect(values('Mixed')).toEqual(['MIXED_A', 'B']);
    expect(values('HTTPMethod')).toEqual(['GET']);
    expect(values('Digits')).toEqual(['DIGITS_1', 'DIGITS_2']); // `1` is not a GraphQL name
    expect(values('Zero')).toEqual(['UNKNOWN', 'KNOWN']); // a zero value not named UNSPECIFIED stays
    expect(plan.enums.get('.e.LoanStatus')!.out.get(0)).toBeNull();
    expect(isEnumType(schema.getType('Zero'))).toBe(true);
  });

  it('uses proto3 JSON field names', () => {
    expect(jsonName('user_id')).toBe('userId');
    expect(jsonName('int_64')).toBe('int64');
    expect(jsonName('userId')).toBe('userId');
    expect(screamingSnake('LoanStatus')).toBe('LOAN_STATUS');
    expect(screamingSnake('HTTPMethod')).toBe('HTTP_METHOD');
  });

  it('maps oneofs: distinct messages -> union, scalars or mixed -> nullable fields', async () => {
    const dir = tmpProtos({
      'o.proto': `syntax = "proto3"; package o;
        message A { int32 a = 1; } message B { string b = 1; }
        message M {
          oneof pick { A a = 1; B b = 2; }
          oneof label { string text = 3; int32 num = 4; }
          oneof mixed { A ma = 5; string ms = 6; }
          oneof same { A s1 = 7; A s2 = 8; }
        }
        service S { rpc GetM(A) returns (M); }`,
    });
    const { sdl } = await importProto({ protos: 'o.proto' }, dir);
    const m = buildSchema(sdl).getType('M') as GraphQLObjectType;
    expect(Object.entries(m.getFields()).map(([n, f]) => `${n}: ${f.type}`)).toEqual([
      'pick: MPick', 'text: String', 'num: Int', 'ma: A', 'ms: String', 's1: A', 's2: A',
    ]);
    expect(sdl).toMatch(/union MPick = A \| B/);
  });
});

describe('gRPC import: failures', () => {
  it('a syntax error is a StartupError naming the file', async () => {
    const dir = tmpProtos({ 'bad.proto': 'syntax = "proto3"; message { }' });
    const err = await importProto({ protos: 'bad.proto' }, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).problems[0]).toMatchObject({ code: 'SPEC_INVALID', file: path.join(dir, 'bad.proto') });
  });

  it('a missing file or import is a StartupError with a fix', async () => {
    const missing = await importProto({ protos: 'nope.proto' }).catch((e: unknown) => e);
    expect((missing as StartupError).problems[0]).toMatchObject({ code: 'SPEC_INVALID' });
    const dir = tmpProtos({ 'imp.proto': 'syntax = "proto3"; import "not/there.proto"; message M { int32 a = 1; }' });
    const err = await importProto({ protos: 'imp.proto' }, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).problems[0]!.fix).toMatch(/includeDirs/);
  });

  it('maps gRPC statuses through one table', () => {
    expect(toGatewayError({ code: 4, details: 'slow' }, 's', 'p.S/M').extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', upstream: { source: 's', operation: 'p.S/M', grpcStatus: 'DEADLINE_EXCEEDED', grpcCode: 4, details: 'slow' } });
    expect(toGatewayError({ code: 11 }, 's', 'o').extensions['code']).toBe('UPSTREAM_INVALID_ARGUMENT'); // OUT_OF_RANGE
    expect(toGatewayError({ code: 8 }, 's', 'o').extensions['code']).toBe('UPSTREAM_ERROR');
    expect(toGatewayError({ code: 13 }, 's', 'o', true).extensions['code']).toBe('UPSTREAM_STREAM_ERROR');
  });
});

describe('gRPC well-known type formats', () => {
  it('Timestamp <-> ISO-8601 keeps nanoseconds', () => {
    expect(formatTimestamp(0, 0)).toBe('1970-01-01T00:00:00Z');
    expect(formatTimestamp(1700000000, 1)).toBe('2023-11-14T22:13:20.000000001Z');
    expect(parseTimestamp('2023-11-14T22:13:20.000000001Z')).toEqual({ seconds: 1700000000, nanos: 1 });
    expect(parseTimestamp('2023-11-14T23:13:20+01:00')).toEqual({ seconds: 1700000000, nanos: 0 });
    expect(() => parseTimestamp('yesterday')).toThrow(/ISO-8601/);
  });

  it('Duration <-> ISO-8601', () => {
    expect(formatDuration(1, 500_000_000)).toBe('PT1.5S');
    expect(formatDuration(0, -250_000_000)).toBe('-PT0.25S');
    expect(formatDuration(3600, 0)).toBe('PT3600S');
    expect(parseDuration('PT1.5S')).toEqual({ seconds: 1, nanos: 500_000_000 });
    expect(parseDuration('P1DT2H3M4S')).toEqual({ seconds: 86_400 + 7200 + 180 + 4, nanos: 0 });
    expect(parseDuration('-PT0.25S')).toEqual({ seconds: -0, nanos: -250_000_000 });
    expect(() => parseDuration('P1Y')).toThrow(/ISO-8601/);
  });
});
