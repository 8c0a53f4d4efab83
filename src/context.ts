import type { Identity } from './policy/identity';

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
  /**
   * When the whole request must be answered (ms since epoch, `server.requestDeadlineMs` after it
   * arrived). Every upstream call gets at most the time left (a gRPC deadline, an HTTP timeout),
   * so no upstream works on an answer nobody waits for.
   */
  deadline?: number;
  /** The verified caller (set by the auth plugin; absent when auth is not configured). */
  identity?: Identity;
  /**
   * Headers derived from the identity, per source name (`auth.forward`). Adapters set them on the
   * upstream call, replacing any client-sent header of the same name; an empty value removes it.
   */
  upstreamHeaders?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Cost accounting of this operation (set by the cost plugin; reported as `extensions.cost`). */
  cost?: CostAccount;
}

export interface CostAccount {
  /** Static estimate, before execution. */
  estimated: number;
  /** The per-request maximum (`cost.maxCost`). */
  max: number;
  /** Cost of what was actually returned (real list lengths), after execution. */
  actual?: number;
  /** Budget points left for this client (when `rateLimit` is configured). */
  remaining?: number;
}

const NEVER_ABORTED = new AbortController().signal;

/**
 * The request's own abort signal (a LiteAbort from the HTTP front), under a symbol of the context.
 * The adapters listen on it through `requestSignal`: cheaper than the real AbortSignal that
 * `ctx.signal` then only becomes when something reads it.
 */
export const REQUEST_ABORT = Symbol.for('switchyard.requestAbort');

/** The signal adapters pass to their upstream calls: the request's own, else `ctx.signal`. */
export function requestSignal(ctx: GatewayContext | undefined): AbortSignal {
  if (!ctx) return NEVER_ABORTED;
  const lite = (ctx as { [REQUEST_ABORT]?: { signal: AbortSignal } })[REQUEST_ABORT];
  return lite ? lite.signal : (ctx.signal ?? NEVER_ABORTED);
}

export function createContext(init: Partial<GatewayContext> = {}): GatewayContext {
  return {
    signal: init.signal ?? NEVER_ABORTED,
    requestHeaders: init.requestHeaders ?? new Headers(),
    loaders: init.loaders ?? new Map(),
    ...(init.identity ? { identity: init.identity } : {}),
    ...(init.upstreamHeaders ? { upstreamHeaders: init.upstreamHeaders } : {}),
  };
}
