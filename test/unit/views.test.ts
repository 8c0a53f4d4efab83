import { describe, expect, it } from 'vitest';
import { graphql, printSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createView } from '../../src/clients/view';

const base = makeExecutableSchema({
  typeDefs: /* GraphQL */ `
    directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
    type Query {
      users: [User!]!
      pets: [Pet!]! @tag(name: "mobile")
      internalStats: Stats @tag(name: "internal")
      secret: Secret
    }
    type User { id: Int! name: String! email: String! @tag(name: "pii") createdAt: String }
    type Stats { count: Int }
    type Secret @tag(name: "internal") { value: String }
    type Cat { name: String! lives: Int }
    type Dog { name: String! goodBoy: Boolean }
    union Pet = Cat | Dog
  `,
  resolvers: {
    Query: {
      users: () => [{ id: 1, name: 'Ada', email: 'a@x', createdAt: '2024' }],
      pets: () => [{ kind: 'cat', name: 'Tom', lives: 7 }, { kind: 'dog', name: 'Rex', goodBoy: true }],
      internalStats: () => ({ count: 1 }),
      secret: () => ({ value: 's' }),
    },
    Pet: { __resolveType: (p: { kind: string }) => (p.kind === 'cat' ? 'Cat' : 'Dog') },
  },
});

describe('createView', () => {
  it('excludes by list and by @tag, and prunes what became unreachable', () => {
    const v = createView(base, { exclude: ['User.createdAt'], excludeTags: ['pii', 'internal'] });
    const sdl = printSchema(v);
    expect(sdl).not.toContain('createdAt');
    expect(sdl).not.toContain('email');
    expect(sdl).not.toContain('internalStats');
    expect(sdl).not.toContain('type Stats');
    expect(sdl).not.toContain('Secret');
    expect(sdl).toContain('pets: [Pet!]!');
  });

  it('includeTags keeps only tagged root fields and what they reach', () => {
    const v = createView(base, { includeTags: ['mobile'] });
    expect(Object.keys(v.getQueryType()!.getFields())).toEqual(['pets']);
    expect(v.getType('User')).toBeUndefined();
  });

  it('a hidden field is refused in a query', async () => {
    const v = createView(base, { excludeTags: ['pii'] });
    const r = await graphql({ schema: v, source: '{ users { email } }' });
    expect(r.errors?.[0]?.message).toContain('Cannot query field "email"');
  });

  it('renamed fields and types return the same data under the new names', async () => {
    const v = createView(base, { rename: { types: { User: 'Customer', Cat: 'Kitty' }, fields: { 'User.name': 'fullName', 'Query.users': 'customers' } } });
    const r = await graphql({ schema: v, source: '{ customers { __typename id fullName } pets { __typename ... on Kitty { name lives } ... on Dog { name } } }' });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({
      customers: [{ __typename: 'Customer', id: 1, fullName: 'Ada' }],
      pets: [{ __typename: 'Kitty', name: 'Tom', lives: 7 }, { __typename: 'Dog', name: 'Rex' }],
    });
    expect(printSchema(v)).not.toMatch(/\bUser\b/);
  });

  it('the base schema is untouched', () => {
    createView(base, { exclude: ['User'], rename: { types: { Cat: 'Kitty' } } });
    expect(base.getType('User')).toBeDefined();
    expect(base.getType('Cat')).toBeDefined();
  });
});
