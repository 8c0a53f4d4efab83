import { describe, expect, it } from 'vitest';
import { buildSchema, parse } from 'graphql';
import { POLICY_DIRECTIVES_SDL } from '../../src/policy/directives';
import { CostCache, calculateActualCost, calculateCost } from '../../src/policy/cost';

const schema = buildSchema(
  POLICY_DIRECTIVES_SDL +
    /* GraphQL */ `
  type Query {
    user(id: ID!): User
    users(first: Int, last: Int): [User!]! @listSize(slicingArguments: ["first", "last"])
    top: [User!]! @listSize(assumedSize: 5)
    plain: [User]
    expensive: Report @cost(weight: 20)
    page(limit: Int = 7): UserPage @listSize(slicingArguments: ["limit"], sizedFields: ["items"])
    search: [SearchResult!]! @listSize(assumedSize: 2)
    count: Int
  }
  type User { id: ID! name: String friends(first: Int): [User!]! @listSize(slicingArguments: ["first"]) address: Address tags: [String!]! }
  type Address { city: String }
  type Report @cost(weight: 3) { title: String }
  type UserPage { items: [User!]! total: Int }
  union SearchResult = User | Address
`,
);

const cost = (q: string, variables?: Record<string, unknown>, defaultListSize = 10) =>
  calculateCost(schema, parse(q), { variables, defaultListSize }).cost;

describe('calculateCost (IBM cost spec)', () => {
  it.each([
    ['scalars are free', '{ count }', 0],
    ['an object costs 1', '{ user(id: 1) { id name } }', 1],
    ['a nested object adds 1', '{ user(id: 1) { address { city } } }', 2],
    ['a list of scalars costs nothing per item', '{ user(id: 1) { tags } }', 1],
    ['slicing argument multiplies', '{ users(first: 20) { id } }', 20],
    ['the largest slicing argument wins', '{ users(first: 3, last: 8) { id } }', 8],
    ['no slicing argument: default list size', '{ users { id } }', 10],
    ['assumedSize', '{ top { id } }', 5],
    ['no @listSize: default list size', '{ plain { id } }', 10],
    ['nested lists multiply', '{ users(first: 5) { friends(first: 4) { id } } }', 5 * (1 + 4 * 1)],
    ['@cost on the field', '{ expensive { title } }', 20],
    ['sizedFields take the parent slicing argument', '{ page(limit: 30) { total items { id } } }', 1 + 30 * 1],
    ['sizedFields with the argument default', '{ page { items { id } } }', 1 + 7],
    ['aliases count separately', '{ a: user(id: 1) { id } b: user(id: 2) { id } c: users(first: 2) { id } }', 1 + 1 + 2],
    ['fragments count where spread', '{ users(first: 3) { ...F } } fragment F on User { address { city } }', 3 * (1 + 1)],
    ['a fragment spread twice counts twice', '{ a: user(id: 1) { ...F } b: user(id: 2) { ...F } } fragment F on User { address { city } }', 2 * 2],
    ['inline fragments on a union are summed', '{ search { ... on User { address { city } } ... on Address { city } } }', 2 * (1 + 1)],
    ['@skip(if: true) removes a branch', '{ user(id: 1) { address @skip(if: true) { city } } }', 1],
    ['@include(if: false) removes a branch', '{ user(id: 1) { address @include(if: false) { city } } }', 1],
    ['introspection is free', '{ __typename user(id: 1) { __typename id } }', 1],
  ])('%s', (_name, q, expected) => {
    expect(cost(q)).toBe(expected);
  });

  it('reads slicing arguments and @skip from variables (and variable defaults)', () => {
    const q = 'query Q($n: Int = 4, $skip: Boolean!) { users(first: $n) { id address @skip(if: $skip) { city } } }';
    expect(cost(q, { n: 6, skip: false })).toBe(6 * 2);
    expect(cost(q, { skip: true })).toBe(4 * 1);
  });

  it('picks the operation by name', () => {
    const doc = parse('query A { users(first: 2) { id } } query B { users(first: 9) { id } }');
    expect(calculateCost(schema, doc, { operationName: 'B' }).cost).toBe(9);
  });

  it('terminates on fragment cycles (left to validation)', () => {
    expect(cost('{ user(id: 1) { ...A } } fragment A on User { address { city } ...B } fragment B on User { ...A }')).toBe(2);
  });

  it('a huge slicing argument gives a huge estimate', () => {
    expect(cost('{ users(first: 99999999) { id } }')).toBe(99_999_999);
  });

  it('the cache keys on the variables that change the estimate', () => {
    const cache = new CostCache(schema, 10);
    const doc = parse('query Q($n: Int, $id: ID!) { user(id: $id) { id } users(first: $n) { id } }');
    expect(cache.estimate(doc, 'Q', { n: 1, id: 'a' })).toBe(2);
    expect(cache.estimate(doc, 'Q', { n: 50, id: 'b' })).toBe(51);
    expect(cache.estimate(doc, 'Q', { n: 1, id: 'c' })).toBe(2);
  });

  it('actual cost uses real list lengths; nulls are free', () => {
    const doc = parse('{ users(first: 50) { id address { city } } user(id: 1) { id } }');
    const data = { users: [{ id: 1, address: { city: 'x' } }, { id: 2, address: null }], user: null };
    expect(calculateCost(schema, doc).cost).toBe(50 * 2 + 1);
    expect(calculateActualCost(schema, doc, data)).toBe(1 + 1 + 1);
  });
});
