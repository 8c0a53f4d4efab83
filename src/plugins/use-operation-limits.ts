import { GraphQLError, NoSchemaIntrospectionCustomRule, type DocumentNode, type ExecutionResult, type parse } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { checkOperationLimits } from '../policy/limits';
import type { LimitsOptions } from '../policy/options';
import { identities } from './use-auth';
import { requestError } from './request-error';
import { FAST_PATH_RESULT } from '../server/fast-path';
import type { Identity } from '../policy/identity';

// graphql-js 16 says "more that N tokens"; match the stable part.
const TOO_MANY_TOKENS = / \d+ tokens\. Parsing aborted\./;
const SUGGESTION = /\s*Did you mean .*\?\s*$/;

type ParseFn = typeof parse;

/**
 * Operation limits, checked before validation and before any upstream call: tokens (the parser
 * stops at `maxTokens`), then depth, aliases and directives on the parsed document (memoised per
 * document, so yoga's parse cache makes repeats free). Also: introspection off when configured,
 * and no "Did you mean" suggestions for anonymous callers.
 */
export function useOperationLimits(options: LimitsOptions): Plugin {
  const verdicts = new WeakMap<DocumentNode, Error | null>();
  // Built once, not per request: the parse function with the token limit (per parse function it
  // wraps, which is the same one every time) and the check after parse.
  const limitedParsers = new WeakMap<ParseFn, ParseFn>();
  const limited = (parseFn: ParseFn): ParseFn => {
    let p = limitedParsers.get(parseFn);
    if (!p) {
      p = (source, parseOptions) => {
        try {
          return parseFn(source, { ...parseOptions, maxTokens: options.maxTokens });
        } catch (e) {
          if (e instanceof GraphQLError && TOO_MANY_TOKENS.test(e.message)) {
            throw requestError('MAX_TOKENS_LIMIT', { limit: options.maxTokens }, undefined, `Token limit of ${options.maxTokens} exceeded.`);
          }
          throw e;
        }
      };
      limitedParsers.set(parseFn, p);
    }
    return p;
  };
  const afterParse = ({ result, replaceParseResult }: { result: unknown; replaceParseResult: (r: DocumentNode | Error) => void }) => {
    if (!result || result instanceof Error) return;
    const document = result as DocumentNode;
    let verdict = verdicts.get(document);
    if (verdict === undefined) verdicts.set(document, (verdict = checkOperationLimits(document, options) ?? null));
    if (verdict) replaceParseResult(verdict);
  };
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn(limited(parseFn));
      return afterParse;
    },
    onValidate({ addValidationRule }) {
      if (!options.introspection) addValidationRule(NoSchemaIntrospectionCustomRule);
    },
    // On the final result, not in onValidate: yoga caches validation results across callers.
    onExecutionResult({ request, result, setResult }) {
      if (!options.hideSuggestionsForAnonymous || !result || isAsyncIterable(result) || !result.errors?.length) return;
      const stripped = withoutSuggestions(result, identities.get(request));
      if (stripped !== result) setResult(stripped);
    },
    // The same for the fast path (src/server/fast-path.ts), which has no yoga result hooks.
    [FAST_PATH_RESULT]: (result: ExecutionResult, contextValue: unknown) =>
      options.hideSuggestionsForAnonymous ? withoutSuggestions(result, (contextValue as { identity?: Identity } | undefined)?.identity) : result,
  } as Plugin;
}

function withoutSuggestions(result: ExecutionResult, identity: Identity | undefined): ExecutionResult {
  if (!result.errors?.length) return result;
  if (identity && identity.kind !== 'anonymous') return result;
  if (!result.errors.some((e) => SUGGESTION.test(e.message))) return result;
  return {
    ...result,
    errors: result.errors.map((e) =>
      SUGGESTION.test(e.message) ? new GraphQLError(e.message.replace(SUGGESTION, ''), { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError, extensions: e.extensions }) : e,
    ),
  };
}
