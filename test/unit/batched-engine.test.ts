import { describe, expect, it } from 'vitest';
import {
  GraphQLError,
  GraphQLScalarType,
  buildSchema,
  execute,
  parse,
  validate,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { BATCH, batchFormOf, executePlan, planQuery, type BatchResolver } from '../../src/engine/batched';

/**
 * The breadth-first engine (src/engine/batched.ts) against graphql-js `execute`, on the same
 * schema, document, variables and root value: the same `data` (key order included) and the same
 * errors (message + path; order-insensitive, as graphql-js's order depends on timing).
 */

interface RunOptions {
  variables?: Record<string, unknown>;
  /** A factory: each engine gets fresh values (promises, counters). */
  rootValue?: () => unknown;
  contextValue?: () => unknown;
  operationName?: string;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

function plan(schema: GraphQLSchema, query: string, operationName?: string) {
  return planQuery(schema, parse(query), operationName);
}

/** Runs `query` on both engines (the schema factory is called once per engine) and returns both results. */
async function both(makeSchema: GraphQLSchema | (() => GraphQLSchema), query: string, o: RunOptions = {}): Promise<{ got: ExecutionResult; want: ExecutionResult }> {
  const mk = typeof makeSchema === 'function' ? makeSchema : () => makeSchema;
  const document = parse(query);
  const s1 = mk();
  expect(validate(s1, document)).toEqual([]);
  const p = planQuery(s1, document, o.operationName);
  expect(p, 'the engine plans this query').not.toBeNull();
  const got = await executePlan(p!, { schema: s1, document, rootValue: o.rootValue?.(), contextValue: o.contextValue?.(), variableValues: o.variables, operationName: o.operationName });
  const s2 = mk();
  const want = await execute({ schema: s2, document, rootValue: o.rootValue?.(), contextValue: o.contextValue?.(), variableValues: o.variables, operationName: o.operationName });
  return { got, want };
}

const errorSet = (r: ExecutionResult) => (r.errors ?? []).map((e) => JSON.stringify([e.message, e.path ?? null])).sort();

function expectSame(got: ExecutionResult, want: ExecutionResult): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  expect(JSON.stringify(got.data)).toBe(JSON.stringify(want.data));
  expect(errorSet(got)).toEqual(errorSet(want));
  for (const e of got.errors ?? []) expect(e).toBeInstanceOf(GraphQLError);
}

/** Both engines, compared; returns the engine's result for further checks. */
async function same(makeSchema: GraphQLSchema | (() => GraphQLSchema), query: string, o: RunOptions = {}): Promise<ExecutionResult> {
  const { got, want } = await both(makeSchema, query, o);
  expectSame(got, want);
  return got;
}

function fieldOf(schema: GraphQLSchema, type: string, field: string) {
  return (schema.getType(type) as GraphQLObjectType).getFields()[field]!;
}

/** Gives field `type.field` of `schema` a batch form (after makeExecutableSchema, which binds resolvers). */
function withBatch(schema: GraphQLSchema, type: string, field: string, batch: BatchResolver): GraphQLSchema {
  const f = fieldOf(schema, type, field);
  expect(f.resolve).toBeTypeOf('function');
  (f.resolve as unknown as { [BATCH]: BatchResolver })[BATCH] = batch;
  expect(batchFormOf(f.resolve)).toBe(batch);
  return schema;
}

// ---------------------------------------------------------------------------------------------
// A small shop: objects, lists, enums, input objects, an interface the object types implement.

const SHOP_SDL = /* GraphQL */ `
  interface Node { id: ID! }
  interface Named { name: String! }
  enum Color { RED GREEN BLUE }
  input Filter { color: Color = RED, minId: Int = 0, tags: [String!], inner: Inner }
  input Inner { text: String = "deflt" }
  type Query {
    hello(name: String = "world", times: Int): String
    echo(i: Int, f: Float, s: String, b: Boolean, id: ID, c: Color, l: [Int], filter: Filter): String
    user(id: Int!): User
    users(first: Int = 3): [User!]!
    color(c: Color!): Color
    grid: [[Int]]
    cells: [[Cell]]
    version: Int!
  }
  type User implements Node & Named {
    id: ID!
    name: String!
    color: Color
    friends(first: Int = 2): [User!]!
    bestFriend: User
    posts: [Post!]
    score: Float
  }
  type Post implements Node { id: ID!, title: String, author: User! }
  type Cell { x: Int!, y: Int!, label: String }
`;

interface UserRow { id: number; name: string; color: string; score: number }
const USERS: UserRow[] = Array.from({ length: 8 }, (_, k) => ({ id: k + 1, name: `user${k + 1}`, color: ['RED', 'GREEN', 'BLUE'][k % 3]!, score: k / 2 }));
const byId = (id: number) => USERS[id - 1] ?? null;

function shopSchema(opts: { async?: boolean } = {}): GraphQLSchema {
  const v = <T>(x: T): T | Promise<T> => (opts.async ? tick().then(() => x) : x);
  return makeExecutableSchema({
    typeDefs: SHOP_SDL,
    resolvers: {
      Query: {
        hello: (_: unknown, a: { name: string; times?: number }) => v(`hello ${a.name}${a.times === undefined ? '' : ` x${a.times}`}`),
        echo: (_: unknown, a: Record<string, unknown>) => v(JSON.stringify(a)),
        user: (_: unknown, a: { id: number }) => v(byId(a.id)),
        users: (_: unknown, a: { first: number }) => v(USERS.slice(0, a.first)),
        color: (_: unknown, a: { c: string }) => v(a.c),
        grid: () => v([[1, 2], [], null, [3, null]]),
        cells: () => v([[{ x: 0, y: 0, label: 'a' }], [], null, [{ x: 1, y: 0 }, null, { x: 1, y: 2, label: 'c' }]]),
        version: () => v(3),
      },
      User: {
        friends: (u: UserRow, a: { first: number }) => v([1, 2, 3].slice(0, a.first).map((d) => byId(((u.id + d - 1) % USERS.length) + 1)!)),
        bestFriend: (u: UserRow) => v(u.id % 2 ? byId(u.id + 1) : null),
        posts: (u: UserRow) => v(u.id === 2 ? null : [{ id: `p${u.id}`, title: `post of ${u.id}`, authorId: u.id }]),
      },
      Post: { author: (p: { authorId: number }) => v(byId(p.authorId)) },
    },
  });
}

const SHOP = shopSchema();
const SHOP_ASYNC = shopSchema({ async: true });

describe('same answers as graphql-js: selection shapes', () => {
  for (const [label, schema] of [
    ['sync resolvers', SHOP],
    ['async resolvers', SHOP_ASYNC],
  ] as const) {
    describe(label, () => {
      it('aliases, including the same field under several aliases with different arguments', async () => {
        const r = await same(schema, '{ a: hello b: hello(name: "x") hello c: hello(name: "y", times: 2) u1: user(id: 1) { who: name } u2: user(id: 2) { who: id } }');
        expect(r.data).toMatchObject({ a: 'hello world', b: 'hello x', c: 'hello y x2' });
      });

      it('the same field selected twice: sub-selections merged, keys in first-seen order', async () => {
        const r = await same(schema, '{ user(id: 1) { id friends { id } } version user(id: 1) { name friends { name bestFriend { id } } id } }');
        expect(Object.keys(r.data!)).toEqual(['user', 'version']);
        expect(Object.keys(r.data!.user as object)).toEqual(['id', 'friends', 'name']);
      });

      it('fragment spreads and inline fragments, with and without type conditions, on the type and on its interfaces', async () => {
        await same(
          schema,
          `query Q {
            users(first: 4) {
              ...U
              ... { color }
              ... on User { score ...N }
              ... on Node { id nodeId: id }
              ... on Named { name }
              friends(first: 1) { ...U ...N ... on Node { id } }
            }
            ...Root
            ... on Query { version }
          }
          fragment U on User { id name posts { ...P } }
          fragment N on Named { name }
          fragment P on Node { id ... on Post { title author { ...N } } }
          fragment Root on Query { hello }`,
        );
      });

      it('a fragment spread twice in one selection set is applied once, keys in first-seen order', async () => {
        const r = await same(schema, '{ user(id: 3) { ...F score ...F id ...G } } fragment F on User { name color } fragment G on User { ...F bestFriend { ...F } }');
        expect(Object.keys(r.data!.user as object)).toEqual(['name', 'color', 'score', 'id', 'bestFriend']);
      });

      it('__typename at every level, aliased and inside fragments', async () => {
        await same(schema, '{ __typename t: __typename users(first: 2) { __typename ... on Node { kind: __typename } posts { __typename author { __typename } } } }');
      });

      it('deeper nesting with lists of objects inside lists of objects', async () => {
        await same(schema, '{ users(first: 8) { id friends(first: 3) { id friends { id bestFriend { name posts { title author { id } } } } } } }');
      });

      it('nested lists [[Int]] and [[Cell]] with empty and null inner lists and null items', async () => {
        await same(schema, '{ grid cells { x y label __typename } }');
      });

      it('a field of an object that is not an object: the default resolver reads nothing', async () => {
        await same(schema, '{ hello user(id: 99) { id } }');
      });
    });
  }

  it('a root value, and the default resolver calling a function property with (args, context, info) and `this`', async () => {
    const schema = buildSchema('type Query { a: String, b(x: Int = 4): Int, c: Thing, list: [Thing] } type Thing { name: String, double(n: Int!): Int, viaInfo: String, viaCtx: String, getter: String }');
    class Thing {
      constructor(readonly n: number) {}
      name() {
        return `thing ${this.n}`;
      }
      double(args: { n: number }) {
        return args.n * 2 + this.n;
      }
      viaInfo(_a: unknown, _c: unknown, info: GraphQLResolveInfo) {
        return `${info.parentType.name}.${info.fieldName}@${info.path.key}`;
      }
      viaCtx(_a: unknown, ctx: { who: string }) {
        return Promise.resolve(ctx.who);
      }
      get getter() {
        return `got ${this.n}`;
      }
    }
    await same(schema, '{ a b b2: b(x: 10) c { name double(n: 3) viaInfo viaCtx getter } list { name twice: double(n: 1) viaInfo } }', {
      rootValue: () => ({ a: 'root a', b: ({ x }: { x: number }) => x + 1, c: () => new Thing(1), list: [new Thing(2), null, new Thing(3)] }),
      contextValue: () => ({ who: 'ctx' }),
    });
  });

  it('a `__proto__` response key is an own key, in query order', async () => {
    const r = await same(SHOP, '{ __proto__: hello other: hello u: user(id: 1) { __proto__: id } }');
    expect(Object.getPrototypeOf(r.data)).not.toBe(r.data!.u);
    expect(JSON.stringify(r.data)).toBe('{"__proto__":"hello world","other":"hello world","u":{"__proto__":"1"}}');
  });

  it('the operation named by operationName, in a document with several', async () => {
    const doc = 'query A { hello } query B { version users(first: 1) { id } }';
    await same(SHOP, doc, { operationName: 'B' });
    await same(SHOP, doc, { operationName: 'A' });
  });

  it('a synchronous query gives a synchronous result, like graphql-js', () => {
    const document = parse('{ hello users { id } }');
    const r = executePlan(planQuery(SHOP, document)!, { schema: SHOP, document });
    expect(r).not.toBeInstanceOf(Promise);
    expect(r).toEqual(execute({ schema: SHOP, document }));
  });

  it('resolvers get the same info as from graphql-js (path, names, types, variables, operation)', async () => {
    const seen: Record<'got' | 'want', string[]> = { got: [], want: [] };
    let target: 'got' | 'want' = 'got';
    const mk = () => {
      const s = shopSchema();
      for (const [type, field] of [['Query', 'users'], ['User', 'friends'], ['User', 'bestFriend'], ['Post', 'author']] as const) {
        const f = fieldOf(s, type, field);
        const inner = f.resolve!;
        f.resolve = (src, args, ctx, info) => {
          const p: (string | number)[] = [];
          for (let at: GraphQLResolveInfo['path'] | undefined = info.path; at; at = at.prev) p.unshift(`${at.key}:${at.typename ?? '-'}`);
          seen[target].push(
            JSON.stringify([p, info.fieldName, info.parentType.name, String(info.returnType), info.fieldNodes.length, info.operation.name?.value, Object.keys(info.fragments), info.variableValues, info.rootValue, ctx, args]),
          );
          return inner(src, args, ctx, info);
        };
      }
      return s;
    };
    const document = parse('query Op($n: Int = 2) { users(first: $n) { friends(first: 1) { ...F } posts { author { id } } } } fragment F on User { bestFriend { id } bestFriend { name } }');
    const s1 = mk();
    const got = await executePlan(planQuery(s1, document)!, { schema: s1, document, rootValue: { r: 1 }, contextValue: { c: 2 }, variableValues: { n: 3 } });
    target = 'want';
    const s2 = mk();
    const want = await execute({ schema: s2, document, rootValue: { r: 1 }, contextValue: { c: 2 }, variableValues: { n: 3 } });
    expectSame(got, want);
    expect(seen.got.length).toBeGreaterThan(8);
    expect(seen.got.slice().sort()).toEqual(seen.want.slice().sort());
  });
});

describe('same answers as graphql-js: arguments and variables', () => {
  it('literal arguments of every kind, and defaults (argument, input field, nested input)', async () => {
    await same(
      SHOP,
      `{
        all: echo(i: 1, f: 1.5, s: "s", b: true, id: 7, c: GREEN, l: [1, 2], filter: { color: BLUE, minId: 2, tags: ["a"], inner: { text: "t" } })
        coerced: echo(f: 2, id: "x", l: 5)
        defaults: echo(filter: { inner: {} })
        none: echo
        nulls: echo(i: null, filter: null)
        hello
        color(c: RED)
      }`,
    );
  });

  it('variables: provided, defaulted, omitted, null, coerced (Int → Float, single value → list), input objects', async () => {
    const q = `query V($i: Int, $f: Float = 0.5, $l: [Int], $c: Color = BLUE, $filter: Filter, $name: String = "var default", $cc: Color!) {
      a: echo(i: $i, f: $f, l: $l, c: $c, filter: $filter)
      b: echo(filter: { color: $c, tags: ["x", $name], inner: { text: $name } })
      hello(name: $name)
      color(c: $cc)
      user(id: 1) { friends(first: $i) { id } }
    }`;
    await same(SHOP, q, { variables: { i: 1, f: 3, l: 7, filter: { minId: 4, inner: {} }, cc: 'GREEN' } });
    await same(SHOP, q, { variables: { i: null, l: [1, null], c: null, name: null, cc: 'RED' } });
    await same(SHOP, q, { variables: { cc: 'BLUE' } });
  });

  it('bad variable values: the same request errors and no data', async () => {
    const q = 'query V($id: Int!, $c: Color, $filter: Filter) { user(id: $id) { id } color(c: RED) echo(c: $c, filter: $filter) }';
    for (const variables of [{}, { id: 'abc' }, { id: 1, c: 'PURPLE' }, { id: 2 ** 40 }, { id: 1, filter: { color: 'RED', nope: 1 } }, { id: 1, filter: { minId: 'x', tags: [null] } }, { id: null }]) {
      const { got, want } = await both(SHOP, q, { variables });
      expect(want.data).toBeUndefined();
      expect(got).not.toHaveProperty('data');
      expect(got.errors!.map((e) => e.message)).toEqual(want.errors!.map((e) => e.message));
    }
  });

  it('an argument that fails at run time (null for a non-null argument through a defaulted variable): an error at each position', async () => {
    const q = 'query V($id: Int = 1) { user(id: $id) { id } users(first: 2) { bestFriend { id } friends(first: $id) { id } } }';
    await same(SHOP, q, { variables: { id: null } });
    await same(SHOP, q, { variables: { id: 2 } });
    const r = await same(SHOP, 'query V($id: Int = 1) { users { id again: friends(first: 1) { viaVar: bestFriend { id } } } u: user(id: $id) { id } }', { variables: { id: null } });
    expect(r.errors).toHaveLength(1);
  });

  it('the same document with different variables (the plan is cached per document)', async () => {
    const q = 'query V($n: Int) { users(first: $n) { id friends(first: $n) { id } } }';
    for (const n of [1, 3, 0, null, 2]) await same(SHOP, q, { variables: { n } });
  });
});

// ---------------------------------------------------------------------------------------------
// Errors and null propagation.

const ERR_SDL = /* GraphQL */ `
  enum Color { RED GREEN }
  scalar Odd
  scalar Nothing
  type Query {
    ok: String
    throws: String
    rejects: String
    returnsError: String
    throwsString: String
    throwsObject: String
    rejectsUndefined: String
    asyncThrows: String
    int: Int
    bigInt: Int
    ints: [Int]
    floats: [Float]
    strs: [String]
    ids: [ID]
    bools: [Boolean]
    float: Float
    bool: Boolean
    enumBad: Color
    enumOk: Color
    odd: Odd
    oddList: [Odd]
    nothing: Nothing
    notAList: [Int]
    stringNotAList: [String]
    setList: [Int]
    generatorList: [String!]
    promiseItems: [Int]
    promiseStrictItems: [Int!]
    promiseObjects: [Obj]
    nestedPromises: [[Int]]
    nestedStrictPromises: [[Int!]!]
    strictList: [Int!]!
    strictListNullable: [Int!]
    nullableInner: [Int]!
    requiredOk: String!
    requiredNull: String!
    obj: Obj
    objs: [Obj]
    strictObjs: [Obj!]
    strictMany: [Obj!]!
    maybeMany: [Obj!]
    grid: [[Obj!]]
    strictGrid: [[Obj!]!]
  }
  type Obj {
    id: Int!
    name: String
    req: String!
    fail: String
    failReq: String!
    child: Obj
    reqChild: Obj!
    items: [Int!]
    tags: [String]
  }
`;

interface ObjRow { id: number; name?: string | null; req?: string | null }

function errSchema(): GraphQLSchema {
  const rows = (n: number): ObjRow[] => Array.from({ length: n }, (_, k) => ({ id: k + 1, name: `n${k + 1}`, req: k === 1 ? null : `r${k + 1}` }));
  function* gen() {
    yield 'a';
    yield 'b';
  }
  return makeExecutableSchema({
    typeDefs: ERR_SDL,
    resolvers: {
      Odd: new GraphQLScalarType({
        name: 'Odd',
        serialize: (v) => {
          if (typeof v === 'number' && v % 2 === 1) return v;
          throw new GraphQLError(`Odd cannot represent ${String(v)}`);
        },
      }),
      Nothing: new GraphQLScalarType({ name: 'Nothing', serialize: () => null }),
      Query: {
        ok: () => 'ok',
        throws: () => {
          throw new Error('thrown');
        },
        rejects: () => Promise.reject(new Error('rejected')),
        returnsError: () => new Error('returned'),
        throwsString: () => {
          throw 'a string'; // eslint-disable-line no-throw-literal
        },
        throwsObject: () => {
          throw { code: 7, list: [1, 'x'] }; // eslint-disable-line no-throw-literal
        },
        rejectsUndefined: () => Promise.reject(undefined), // eslint-disable-line prefer-promise-reject-errors
        asyncThrows: async () => {
          await tick();
          throw new Error('async thrown');
        },
        int: () => 'abc',
        bigInt: () => 2 ** 40,
        // Around the engine's shortcut for built-in scalars: each value as graphql-js serializes it.
        ints: () => [0, -0, 7, -7, 2147483647, -2147483648, 2147483648, 1.5, NaN, '12', true, Infinity],
        floats: () => [0, -0, 1.5, -2e300, NaN, Infinity, -Infinity, '2.5', false],
        strs: () => ['', 'x', 5, true, -0, 1e21, { toString: () => 'obj' }],
        ids: () => ['a', 7, -7, 1.5, '', true],
        bools: () => [true, false, 0, 1, 2, 'true'],
        float: () => 'NaN-ish',
        bool: () => ({ an: 'object' }),
        enumBad: () => 'PURPLE',
        enumOk: () => 'GREEN',
        odd: () => 4,
        oddList: () => [1, 2, 3, Promise.resolve(5), Promise.resolve(6)],
        nothing: () => 'x',
        notAList: () => 42,
        stringNotAList: () => 'abc',
        setList: () => new Set([3, 1, 2]),
        generatorList: () => gen(),
        promiseItems: () => [1, Promise.resolve(2), Promise.reject(new Error('item 2')), tick().then(() => 4), null],
        promiseStrictItems: () => [Promise.resolve(1), tick().then(() => null), 3],
        promiseObjects: () => [Promise.resolve({ id: 1, req: 'r' }), Promise.reject(new Error('obj 1')), null, tick().then(() => ({ id: 4, req: null }))],
        nestedPromises: () => [[1, Promise.resolve(2)], [Promise.resolve(3), Promise.reject(new Error('inner'))], Promise.resolve([4, tick().then(() => 5)]), null],
        nestedStrictPromises: () => [[Promise.resolve(1)], [tick().then(() => 2), 3]],
        strictList: () => [1, null, 3],
        strictListNullable: () => [1, 2, null],
        nullableInner: () => [1, null, Promise.resolve(null)],
        requiredOk: () => 'fine',
        requiredNull: () => null,
        obj: () => ({ id: 1, name: 'one', req: 'r' }),
        objs: () => rows(4),
        strictObjs: () => rows(3),
        strictMany: () => rows(5).map((r) => ({ ...r, req: r.id === 1 ? 'r' : null })),
        maybeMany: async () => rows(5).map((r) => ({ ...r, req: r.id === 1 ? 'r' : null })),
        grid: () => [rows(2), [], null, rows(3)],
        strictGrid: () => [rows(1), rows(3)],
      },
      Obj: {
        fail: (o: ObjRow) => (o.id % 2 ? Promise.reject(new Error(`fail ${o.id}`)) : `fine ${o.id}`),
        failReq: (o: ObjRow) => {
          if (o.id === 2) throw new Error(`failReq ${o.id}`);
          return `ok ${o.id}`;
        },
        child: (o: ObjRow) => (o.id < 3 ? { id: o.id * 10, name: null, req: o.id === 1 ? 'r' : null } : null),
        reqChild: (o: ObjRow) => (o.id === 3 ? null : { id: o.id * 100, req: 'r' }),
        items: (o: ObjRow) => (o.id === 2 ? [1, null] : [o.id]),
        tags: (o: ObjRow) => [o.name, Promise.resolve(`t${o.id}`)],
      },
    },
  });
}

const ERR = errSchema();

describe('same answers as graphql-js: errors', () => {
  it('resolvers that throw, reject, return an Error, throw a string / an object, reject with undefined; sync and async', async () => {
    const r = await same(ERR, '{ ok throws rejects returnsError throwsString throwsObject rejectsUndefined asyncThrows }');
    expect(r.errors).toHaveLength(7);
    expect(r.errors!.map((e) => e.message)).toEqual(expect.arrayContaining(['Unexpected error value: "a string"', "Unexpected error value: { code: 7, list: [1, \"x\"] }", 'Unexpected error value: undefined']));
  });

  it('leaf serialization errors: Int given "abc" and 2^40, Float, Boolean, unknown enum value, custom scalar throwing or returning null', async () => {
    const r = await same(ERR, '{ int bigInt float bool enumBad enumOk odd oddList nothing ints floats strs ids bools }');
    expect(r.data).toMatchObject({ enumOk: 'GREEN', oddList: [1, null, 3, 5, null] });
  });

  it('list values that are not lists, and other iterables (Set, generator)', async () => {
    await same(ERR, '{ notAList stringNotAList setList generatorList }');
  });

  it('lists containing promises, resolving and rejecting, for leaves and objects', async () => {
    await same(ERR, '{ promiseItems promiseObjects { id req } }');
  });

  it('a null promised into a [Int!] list nulls the list; into [Int]! only the item', async () => {
    await same(ERR, '{ promiseStrictItems nullableInner ok }');
  });

  it('promises inside nested lists', async () => {
    const r = await same(ERR, '{ nestedPromises nestedStrictPromises }');
    expect(r.data).toEqual({ nestedPromises: [[1, 2], [3, null], [4, 5], null], nestedStrictPromises: [[1], [2, 3]] });
  });

  it('null in a [T!]! list bubbles to the nearest nullable ancestor (here: the root)', async () => {
    const r = await same(ERR, '{ ok strictList }');
    expect(r.data).toBeNull();
  });

  it('null in a [T!] list nulls the list only', async () => {
    await same(ERR, '{ ok strictListNullable }');
  });

  it('a non-null root field failing makes data null; other root fields\' errors before it stay', async () => {
    const r = await same(ERR, '{ throws requiredNull ok }');
    expect(r.data).toBeNull();
    await same(ERR, '{ requiredOk ok }');
  });

  it('non-null fields of objects in lists: the object, the list or the parent takes the null', async () => {
    await same(ERR, '{ objs { id req } }'); // Obj in [Obj]: the item
    await same(ERR, '{ strictObjs { id req } ok }'); // Obj! in [Obj!]: the list
    await same(ERR, '{ objs { id child { id req } } }'); // child nullable: the child
    await same(ERR, '{ objs { id reqChild { id } } }'); // reqChild null: the item
    await same(ERR, '{ obj { reqChild { req id } } }');
    await same(ERR, '{ objs { id failReq fail } strictObjs { failReq } }');
  });

  it('errors inside nested lists of objects: [[Obj!]] and [[Obj!]!]', async () => {
    await same(ERR, '{ grid { id req } }');
    await same(ERR, '{ grid { id name items } }');
    await same(ERR, '{ strictGrid { id req } ok }');
    await same(ERR, '{ strictGrid { id child { req } items } }');
  });

  it('errors at every level at once: leaves, lists, objects, promises inside lists', async () => {
    await same(ERR, '{ objs { id name fail items tags child { id name fail child { id } } } grid { fail tags } ok throws }');
  });

  it('several items failing under a non-null chain: one error, as graphql-js (one per nulled position)', async () => {
    const r = await same(ERR, '{ strictObjs { id failReq req } }');
    expect(r.errors).toHaveLength(1);
    const r2 = await same(ERR, '{ strictGrid { id req failReq } }');
    expect(r2.errors).toHaveLength(1);
    const r3 = await same(ERR, '{ ok strictMany { id req } }'); // 4 nulls, up to the root
    expect(r3.errors).toHaveLength(1);
    const r4 = await same(ERR, '{ ok maybeMany { id req fail } }'); // 4 nulls, the list takes it
    expect(r4.errors).toHaveLength(1);
  });
});

describe('asynchronous error ordering', () => {
  /** A field whose resolver is released by the test: deterministic order without timers. */
  function gate() {
    let open!: () => void;
    const p = new Promise<void>((r) => (open = r));
    return { p, open };
  }

  it('a list holding promises that fails after another field nulled its object (no crash, same errors)', async () => {
    const mk = () => {
      const s = buildSchema('type Query { t: T } type T { a: [Int!], b: String! }');
      fieldOf(s, 'Query', 't').resolve = () => ({});
      const g = gate();
      fieldOf(s, 'T', 'a').resolve = () => [Promise.resolve(1), g.p.then(() => Promise.reject(new Error('late item')))];
      fieldOf(s, 'T', 'b').resolve = async () => {
        await tick();
        setImmediate(g.open);
        throw new Error('b first');
      };
      return s;
    };
    const r = await same(mk, '{ t { a b } }');
    expect(r.data).toEqual({ t: null });
    expect(r.errors!.map((e) => e.message)).toEqual(['b first']);
  });

  it('a deeper level failing after its ancestor was nulled: its errors are dropped, like graphql-js', async () => {
    const mk = () => {
      const s = buildSchema('type Query { x: X, ok: Int } type X { slow: C, bad: String! } type C { d: String, e: [Int] }');
      fieldOf(s, 'Query', 'x').resolve = () => ({});
      fieldOf(s, 'Query', 'ok').resolve = () => 1;
      const g = gate();
      fieldOf(s, 'X', 'slow').resolve = () => ({});
      fieldOf(s, 'X', 'bad').resolve = async () => {
        await tick();
        setImmediate(g.open);
        throw new Error('bad');
      };
      fieldOf(s, 'C', 'd').resolve = () => g.p.then(() => Promise.reject(new Error('orphan d')));
      fieldOf(s, 'C', 'e').resolve = () => g.p.then(() => [1, new Error('orphan item')]);
      return s;
    };
    const r = await same(mk, '{ x { slow { d e } bad } ok }');
    expect(r.errors!.map((e) => e.message)).toEqual(['bad']);
  });

  it('known divergence: a non-null field failing synchronously while an earlier sibling is pending', async () => {
    // graphql-js 16.15 (and graphql-jit) wait for the pending sibling and report its errors; the
    // engine has nulled the object at once and drops them. `data` is the same.
    const mk = () => {
      const s = buildSchema('type Query { x: X } type X { a: String, b: String! }');
      fieldOf(s, 'Query', 'x').resolve = () => ({});
      fieldOf(s, 'X', 'a').resolve = async () => {
        await tick();
        throw new Error('a');
      };
      fieldOf(s, 'X', 'b').resolve = () => {
        throw new Error('b');
      };
      return s;
    };
    const { got, want } = await both(mk, '{ x { a b } }');
    expect(JSON.stringify(got.data)).toBe(JSON.stringify(want.data));
    expect(errorSet(want)).toEqual(expect.arrayContaining(errorSet(got)));
    expect(got.errors!.map((e) => e.message)).toEqual(['b']);
    // Field order b, a: graphql-js never runs `a` either, and both agree.
    await same(mk, '{ x { b a } }');
  });
});

// ---------------------------------------------------------------------------------------------
// Batch resolvers (the form @link resolvers offer): one call per level, compared with graphql-js
// running the per-item resolver.

const BATCH_SDL = /* GraphQL */ `
  type Query { users(n: Int = 4): [User!]!, user: User, optionalUsers: [User] }
  type User { id: Int!, friend(offset: Int = 1): User, friendOrFail: User, reqFriend: User!, label(prefix: String = "#"): String, tags: [String!], down: String, downReq: String! }
`;

interface BatchCalls { batch: Record<string, number>; single: Record<string, number> }

function batchSchema(calls: BatchCalls): GraphQLSchema {
  const user = (id: number) => (id > 0 && id <= 20 ? { id } : null);
  const per: Record<string, GraphQLFieldResolver<{ id: number }, unknown, Record<string, unknown>>> = {
    friend: (u, a) => user(u.id + (a.offset as number)),
    friendOrFail: (u) => (u.id % 3 === 0 ? new Error(`no friend for ${u.id}`) : user(u.id + 1)),
    reqFriend: (u) => (u.id === 3 ? null : user(u.id + 10)),
    label: (u, a) => `${a.prefix as string}${u.id}`,
    tags: (u) => (u.id === 2 ? ['x', null] : [`t${u.id}`]),
    down: () => Promise.reject(new Error('upstream down')),
    downReq: () => Promise.reject('down (not an Error)'), // eslint-disable-line prefer-promise-reject-errors
  };
  const s = makeExecutableSchema({
    typeDefs: BATCH_SDL,
    resolvers: {
      Query: {
        users: (_: unknown, a: { n: number }) => Array.from({ length: a.n }, (_x, k) => ({ id: k + 1 })),
        user: () => ({ id: 1 }),
        optionalUsers: () => [{ id: 1 }, null, { id: 3 }, { id: 4 }],
      },
      User: Object.fromEntries(
        Object.entries(per).map(([k, fn]) => [
          k,
          (u: { id: number }, a: Record<string, unknown>, ctx: unknown, info: GraphQLResolveInfo) => {
            calls.single[k] = (calls.single[k] ?? 0) + 1;
            return fn(u, a, ctx, info);
          },
        ]),
      ),
    },
  });
  for (const [k, fn] of Object.entries(per)) {
    withBatch(s, 'User', k, (parents, args, ctx, info) => {
      calls.batch[k] = (calls.batch[k] ?? 0) + 1;
      expect(info.fieldName).toBe(k);
      if (k === 'down' || k === 'downReq') return fn(parents[0] as { id: number }, args, ctx, info) as Promise<never>;
      // per-parent values and Errors, asynchronously
      return tick().then(() => parents.map((p) => fn(p as { id: number }, args, ctx, info)));
    });
  }
  return s;
}

describe('batch resolvers against graphql-js running the per-item resolver', () => {
  const calls = (): BatchCalls => ({ batch: {}, single: {} });

  it('per-parent values and Errors: same answer, one batch call per field and level', async () => {
    const c = calls();
    const q = '{ users(n: 6) { id friend { id friend(offset: 2) { id label } } friendOrFail { id } label(prefix: "u") tags } }';
    const { got, want } = await both(() => batchSchema(c), q);
    expectSame(got, want);
    expect(c.batch).toEqual({ friend: 2, friendOrFail: 1, label: 2, tags: 1 });
    expect(c.single.friend).toBeGreaterThan(6); // graphql-js: one call per parent
  });

  it('a batch rejecting as a whole: an error at every position, and with a non-Error value', async () => {
    const c = calls();
    await same(() => batchSchema(c), '{ users(n: 3) { id down friend { down } } }');
    await same(() => batchSchema(c), '{ optionalUsers { id downReq } }');
    const r = await same(() => batchSchema(c), '{ user { downReq } }');
    expect(r.errors!.map((e) => e.message)).toEqual(['Unexpected error value: "down (not an Error)"']);
  });

  it('the client left (request aborted): one error, not one per parent of the failed batch', async () => {
    const c = calls();
    const s = batchSchema(c);
    const ac = new AbortController();
    ac.abort();
    const q = '{ users(n: 20) { id down } }';
    const r = await executePlan(plan(s, q)!, { schema: s, document: parse(q), contextValue: { signal: ac.signal } });
    expect(r.errors).toHaveLength(1);
    const live = await executePlan(plan(s, q)!, { schema: s, document: parse(q), contextValue: { signal: new AbortController().signal } });
    expect(live.errors).toHaveLength(20);
  });

  it('a batch throwing synchronously', async () => {
    const mk = () => {
      const s = batchSchema(calls());
      const thrower = () => {
        throw { reason: 'sync' }; // eslint-disable-line no-throw-literal
      };
      // graphql-js runs the per-item form, the engine the batch form: both throw the same value.
      fieldOf(s, 'User', 'label').resolve = Object.assign(thrower, { [BATCH]: thrower });
      return s;
    };
    const r = await same(mk, '{ users(n: 2) { id label } }');
    expect(r.errors!.map((e) => e.message)).toEqual(['Unexpected error value: { reason: "sync" }', 'Unexpected error value: { reason: "sync" }']);
  });

  it('a batch failing under a non-null chain: one error, data null, like graphql-js', async () => {
    const c = calls();
    const r = await same(() => batchSchema(c), '{ users(n: 5) { id downReq } }');
    expect(r.data).toBeNull();
    expect(r.errors).toHaveLength(1);
    await same(() => batchSchema(c), '{ users(n: 5) { id reqFriend { id } } }');
    await same(() => batchSchema(c), '{ optionalUsers { id reqFriend { id reqFriend { id } } } }');
  });
});

// ---------------------------------------------------------------------------------------------

describe('what the engine leaves to graphql-jit', () => {
  const schema = makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      interface Node { id: ID! }
      type A implements Node { id: ID!, a: Int }
      type B implements Node { id: ID! }
      union AB = A | B
      type Checked { v: Int }
      type Query { node: Node, ab: AB, a: A, checked: Checked, hello: String }
      type Mutation { set(v: Int): Int }
      type Subscription { tick: Int }
    `,
    resolvers: { Node: { __resolveType: () => 'A' }, AB: { __resolveType: () => 'A' }, Checked: { __isTypeOf: () => true } },
  });

  it.each([
    ['@skip', '{ hello @skip(if: false) }'],
    ['@include on a fragment spread', '{ ...F @include(if: true) } fragment F on Query { hello }'],
    ['@include inside a sub-selection', '{ a { id a @include(if: true) } }'],
    ['a directive on a fragment definition', '{ ...F } fragment F on Query @skip(if: false) { hello }'],
    ['a union field', '{ ab { ... on A { id } } }'],
    ['an interface field', '{ node { id } }'],
    ['an object type with isTypeOf', '{ checked { v } }'],
    ['a mutation', 'mutation { set(v: 1) }'],
    ['a subscription', 'subscription { tick }'],
    ['__schema', '{ __schema { queryType { name } } }'],
    ['__type', '{ hello __type(name: "A") { name } }'],
    ['an operation that is not in the document', 'query A { hello }', 'B'],
    ['several operations and no name', 'query A { hello } query B { hello }'],
  ])('%s → no plan', (_label, query, operationName?: string) => {
    expect(plan(schema, query, operationName)).toBeNull();
  });

  it('plans plain queries on the same schema, __typename included', () => {
    expect(plan(schema, '{ hello a { id a __typename } __typename }')).not.toBeNull();
    expect(plan(schema, 'query Named { a { ... on Node { id } } }', 'Named')).not.toBeNull();
  });

  it('plans are cached per schema, document and operation', () => {
    const doc = parse('query A { hello } query B { a { id } }');
    expect(planQuery(schema, doc, 'A')).toBe(planQuery(schema, doc, 'A'));
    expect(planQuery(schema, doc, 'A')).not.toBe(planQuery(schema, doc, 'B'));
  });
});
