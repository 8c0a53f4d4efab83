/**
 * The per-request context every resolver receives. Created once per GraphQL request (HTTP or
 * WebSocket); nothing in it outlives the request.
 */
export interface GatewayContext {
  /** Aborted when the client goes away or the request deadline passes; adapters pass it on. */
  signal: AbortSignal;
  /** Headers of the incoming request (lower-case names). Adapters forward only what config allows. */
  requestHeaders: Headers;
  /** Per-request memo for loaders and identical-call de-duplication, keyed by source/operation. */
  loaders: Map<string, unknown>;
}

const NEVER_ABORTED = new AbortController().signal;

export function createContext(init: Partial<GatewayContext> = {}): GatewayContext {
  return {
    signal: init.signal ?? NEVER_ABORTED,
    requestHeaders: init.requestHeaders ?? new Headers(),
    loaders: init.loaders ?? new Map(),
  };
}
