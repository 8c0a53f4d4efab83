import { describe, expect, it } from 'vitest';
import { envelop, useEngine, type Plugin } from '@envelop/core';
import { buildSchema, execute, GraphQLError, NoSchemaIntrospectionCustomRule, parse, validate, type ValidationRule } from 'graphql';
import { useDocumentCache } from '../../src/plugins/use-document-cache';

/** src/plugins/use-document-cache.ts: what it caches, by what key, and that it stays bounded. */

const schemaA = buildSchema('type Query { a: Int }');
const schemaB = buildSchema('type Query { a: Int, b: Int }');

function setup(max: number, extraRules: ValidationRule[] = []) {
  const counts = { parse: 0, validate: 0 };
  const rules: Plugin = { onValidate: ({ addValidationRule }) => extraRules.forEach((r) => addValidationRule(r)) };
  const getEnveloped = envelop({
    plugins: [
      useEngine({
        parse: ((...a: Parameters<typeof parse>) => (counts.parse++, parse(...a))) as typeof parse,
        validate: ((...a: Parameters<typeof validate>) => (counts.validate++, validate(...a))) as typeof validate,
        execute,
      }),
      rules,
      useDocumentCache(max),
    ],
  });
  return { counts, e: () => getEnveloped({}) };
}

describe('useDocumentCache', () => {
  it('parses a source once: the same document object comes back', () => {
    const { counts, e } = setup(10);
    const d1 = e().parse('{ a }');
    const d2 = e().parse('{ a }');
    expect(d2).toBe(d1);
    expect(counts.parse).toBe(1);
    e().parse('{ a  }'); // another source text
    expect(counts.parse).toBe(2);
  });

  it('caches a parse error too: the same error, no second parse', () => {
    const { counts, e } = setup(10);
    let first: unknown;
    let second: unknown;
    try {
      e().parse('{ a ');
    } catch (err) {
      first = err;
    }
    try {
      e().parse('{ a ');
    } catch (err) {
      second = err;
    }
    expect(first).toBeInstanceOf(GraphQLError);
    expect(second).toBe(first);
    expect(counts.parse).toBe(1);
  });

  it('validates a document once per schema and rule list; errors are cached as well', () => {
    const { counts, e } = setup(10);
    const ok = e().parse('{ a }');
    expect(e().validate(schemaA, ok)).toEqual([]);
    expect(e().validate(schemaA, ok)).toEqual([]);
    expect(counts.validate).toBe(1);
    expect(e().validate(schemaB, ok)).toEqual([]); // another schema
    expect(counts.validate).toBe(2);
    const bad = e().parse('{ b }');
    const errors = e().validate(schemaA, bad);
    expect(errors).toHaveLength(1);
    expect(e().validate(schemaA, bad)).toBe(errors);
    expect(counts.validate).toBe(3);
  });

  it('another rule list is another cache entry (an added rule is never skipped)', () => {
    const plain = setup(10);
    const strict = setup(10, [NoSchemaIntrospectionCustomRule]);
    const q = '{ __schema { queryType { name } } }';
    expect(plain.e().validate(schemaA, plain.e().parse(q))).toEqual([]);
    const refused = strict.e().validate(schemaA, strict.e().parse(q));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.message).toContain("introspection");
    expect(strict.e().validate(schemaA, strict.e().parse(q))).toBe(refused);
    expect(strict.counts.validate).toBe(1);
  });

  it('is bounded: past `max` sources the least recently used one is parsed again', () => {
    const { counts, e } = setup(2);
    e().parse('{ a }');
    e().parse('{ a b }');
    e().parse('{ a }'); // refreshes '{ a }'
    e().parse('{ b }'); // evicts '{ a b }'
    expect(counts.parse).toBe(3);
    e().parse('{ a }');
    expect(counts.parse).toBe(3);
    e().parse('{ a b }');
    expect(counts.parse).toBe(4);
  });

  it('a new rule function per request is applied every time (never served from another rule list)', () => {
    const counts = { validate: 0 };
    let fresh: ValidationRule = () => ({});
    const getEnveloped = envelop({
      plugins: [
        useEngine({ parse, validate: ((...a: Parameters<typeof validate>) => (counts.validate++, validate(...a))) as typeof validate, execute }),
        { onValidate: ({ addValidationRule }) => addValidationRule(fresh) } as Plugin,
        useDocumentCache(10),
      ],
    });
    const doc = getEnveloped({}).parse('{ a }');
    for (let i = 0; i < 200; i++) {
      fresh = (ctx) => ({ Field: (node) => (i % 2 ? ctx.reportError(new GraphQLError(`rule ${i}`, { nodes: [node] })) : undefined) });
      const errors = getEnveloped({}).validate(schemaA, doc);
      expect(errors.map((x: GraphQLError) => x.message)).toEqual(i % 2 ? [`rule ${i}`] : []);
    }
    expect(counts.validate).toBe(200);
  });
});
