import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { TrustedDocumentsOptions } from '../policy/options';
import type { TrustedDocuments } from '../policy/trusted-documents';
import { FAST_PATH_PARAMS, type FastPathInit } from '../server/fast-path';
import { requestError } from './request-error';

/**
 * Trusted documents: a request names a known operation by `documentId` or
 * `extensions.persistedQuery.sha256Hash`, and only those run. A free-form `query` runs only when
 * its sha256 is in the manifest (or `allowArbitrary`). Applies to HTTP requests.
 */
export function useTrustedDocuments(options: TrustedDocumentsOptions, docs: TrustedDocuments): Plugin {
  // A text whose sha256 is in the manifest is one of the manifest's texts: a set lookup, no hashing per request.
  const texts = new Set(docs.byId.values());
  const trusted = (query: unknown) => options.allowArbitrary || (typeof query === 'string' && texts.has(query));
  const notInList = (): ExecutionResult => ({ errors: [requestError('PERSISTED_QUERY_NOT_IN_LIST')] });
  return {
    onParams({ params, setParams, setResult: setYogaResult }) {
      // yoga's own params check runs after this hook and would answer BAD_REQUEST for a request
      // without `query`: hand it well-formed params; they are never executed (the result is set).
      const setResult = (result: unknown) => {
        setParams({ query: '{ __typename }' });
        setYogaResult(result as never);
      };
      const extra = params as typeof params & { documentId?: unknown };
      const pq = (params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
      const id = typeof extra.documentId === 'string' ? extra.documentId : typeof pq === 'string' ? pq : undefined;
      if (id !== undefined) {
        const query = docs.byId.get(id);
        if (!query) {
          setResult({ errors: [requestError('PERSISTED_QUERY_NOT_FOUND')] } as never);
          return;
        }
        const { documentId: _drop, ...rest } = extra;
        setParams({ ...rest, query });
        return;
      }
      if (!trusted(params.query)) setResult(notInList());
    },
    // The fast path only takes `{ query, variables?, operationName? }`: ids go to yoga (above).
    [FAST_PATH_PARAMS]: (init: FastPathInit) => (trusted(init.params.query) ? undefined : notInList()),
  } as Plugin;
}
