import { GatewayError } from '../errors/gateway-error';
import { sha256Hex } from '../policy/api-keys';
import type { TrustedDocumentsOptions } from '../policy/options';
import type { TrustedDocuments } from '../policy/trusted-documents';

/** A graphql-ws subscribe payload (graphql-ws requires `query` to be a string; it may be ''). */
export interface WsSubscribePayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
  documentId?: unknown;
}

/**
 * Trusted documents over graphql-ws, the same rules as over HTTP (src/plugins/use-trusted-documents.ts,
 * whose onParams hook never runs for WebSocket operations): a subscribe payload naming a document
 * by `documentId` or `extensions.persistedQuery.sha256Hash` (with `query: ''`) runs that document;
 * an unknown id is PERSISTED_QUERY_NOT_FOUND; a free-form `query` runs only when its sha256 is in
 * the manifest (or `allowArbitrary`), else PERSISTED_QUERY_NOT_IN_LIST. Returns the payload to
 * run, or the error to send (nothing is parsed or executed then).
 */
export function wsTrustedDocuments(options: TrustedDocumentsOptions, docs: TrustedDocuments): (payload: WsSubscribePayload) => WsSubscribePayload | GatewayError {
  return (payload) => {
    const pq = (payload.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
    const id = typeof payload.documentId === 'string' ? payload.documentId : typeof pq === 'string' ? pq : undefined;
    if (id !== undefined) {
      const query = docs.byId.get(id);
      if (!query) return new GatewayError('PERSISTED_QUERY_NOT_FOUND');
      const { documentId: _drop, ...rest } = payload;
      return { ...rest, query };
    }
    if (options.allowArbitrary) return payload;
    if (typeof payload.query !== 'string' || !docs.hashes.has(sha256Hex(payload.query))) return new GatewayError('PERSISTED_QUERY_NOT_IN_LIST');
    return payload;
  };
}
