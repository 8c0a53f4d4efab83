import type { DocumentNode, GraphQLError, GraphQLSchema, ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Lru } from '../policy/lru';

/**
 * Parse and validation results cached across requests, in place of yoga's
 * useParserAndValidationCache (`parserAndValidationCache: false` in createYoga), with the same
 * behaviour: documents and parse errors by source text (LRU), validation results by rule list,
 * schema and document. Yoga's keyed each request's rule list by joining the rules' names, which
 * reads Function.prototype.name (a slow accessor) and built two strings per request; here the
 * rules themselves are the key (a small tree, each level bounded).
 */
export function useDocumentCache(max = 1024): Plugin {
  const documents = new Lru<string, DocumentNode>(max);
  const parseErrors = new Lru<string, Error>(max);
  const root = new RulesNode();
  return {
    onParse({ params, setParsedDocument }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      const document = documents.get(source);
      if (document) {
        setParsedDocument(document);
        return;
      }
      const error = parseErrors.get(source);
      if (error) throw error;
      return ({ result }) => {
        if (result == null) return;
        if (result instanceof Error) parseErrors.set(source, result);
        else documents.set(source, result);
      };
    },
    onValidate({ params: { schema, documentAST, rules }, setResult }) {
      if (schema == null) return;
      let node = root;
      if (rules) for (const rule of rules) node = node.next(rule);
      let bySchema = node.results.get(schema);
      if (!bySchema) node.results.set(schema, (bySchema = new WeakMap()));
      const cached = bySchema.get(documentAST);
      if (cached) {
        setResult(cached);
        return;
      }
      const store = bySchema;
      return ({ result }) => {
        if (result != null) store.set(documentAST, result);
      };
    },
  };
}

/** Validation results for one rule list prefix: per schema, per document (weakly held). */
class RulesNode {
  readonly results = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly (GraphQLError | Error)[]>>();
  // Bounded: a plugin that made a new rule function per request must not grow this forever.
  private readonly children = new Lru<ValidationRule, RulesNode>(64);

  next(rule: ValidationRule): RulesNode {
    let child = this.children.get(rule);
    if (!child) this.children.set(rule, (child = new RulesNode()));
    return child;
  }
}
