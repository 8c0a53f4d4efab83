import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { GraphQLError, getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { maskError, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from '../adapters/types';

/**
 * The common case without yoga's HTTP layer: a POST of `{"query", "variables"?, "operationName"?}`
 * as application/json, for a query or mutation. It runs through the same enveloped pipeline yoga
 * uses (parse/validate caches, graphql-jit, every envelop plugin) and answers exactly as yoga
 * would; anything else (GET, GraphiQL, SSE, batching, persisted operations, extra keys, odd
 * Accept headers, subscriptions) returns undefined and goes to yoga.
 *
 * Yoga's HTTP layer (Request/Response objects, content negotiation, result processing) costs about
 * half the CPU of a small request; this path is why the single-entity query runs near the
 * hand-written server's speed.
 */

/** Plugin hooks that live in yoga's HTTP layer: with any of them registered, the fast path is off. */
const YOGA_HTTP_HOOKS = ['onRequest', 'onRequestParse', 'onParams', 'onResultProcess', 'onResponse', 'onExecutionResult'] as const;

/**
 * A plugin whose only yoga HTTP hook is `onExecutionResult` may offer the same transformation
 * for the fast path under this key; the fast path then applies it to its results.
 */
export const FAST_PATH_RESULT = Symbol.for('switchyard.fastPathResult');
export type FastPathResultHook = (result: ExecutionResult, contextValue: unknown) => ExecutionResult;

function resultHookOf(p: object): FastPathResultHook | undefined {
  const h = (p as { [FAST_PATH_RESULT]?: unknown })[FAST_PATH_RESULT];
  return typeof h === 'function' ? (h as FastPathResultHook) : undefined;
}

export function fastPathAllowed(plugins: readonly object[]): boolean {
  return plugins.every((p) => !YOGA_HTTP_HOOKS.some((h) => h in p && !(h === 'onExecutionResult' && resultHookOf(p))));
}

export interface FastAnswer {
  status: number;
  contentType: string;
  body: string;
}

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

const ALLOWED_KEYS = new Set(['query', 'variables', 'operationName']);

function readParams(body: Buffer): Params | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const p = parsed as Record<string, unknown>;
  for (const k in p) if (!ALLOWED_KEYS.has(k)) return undefined;
  if (typeof p.query !== 'string') return undefined;
  if (p.variables !== undefined && p.variables !== null && (typeof p.variables !== 'object' || Array.isArray(p.variables))) return undefined;
  if (p.operationName !== undefined && p.operationName !== null && typeof p.operationName !== 'string') return undefined;
  return p as unknown as Params;
}

/** The response media type yoga would pick, or undefined when the Accept header needs yoga. */
function pickMediaType(accept: string | undefined): string | undefined {
  if (!accept || accept === '*/*') return 'application/json';
  if (accept.includes('event-stream') || accept.includes('multipart')) return undefined;
  const gr = accept.indexOf('application/graphql-response+json');
  const js = accept.indexOf('application/json');
  if (gr !== -1 && (js === -1 || gr < js)) return 'application/graphql-response+json';
  if (js !== -1) return 'application/json';
  if (accept.includes('*/*')) return 'application/json';
  return undefined;
}

/** A read-only Headers view over node's header object (no copy per request). */
function headersView(h: IncomingHttpHeaders): Headers {
  const get = (name: string): string | null => {
    const v = h[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  };
  const entries = function* (): IterableIterator<[string, string]> {
    for (const k of Object.keys(h)) {
      const v = get(k);
      if (v !== null) yield [k, v];
    }
  };
  return {
    get,
    has: (name: string) => h[name.toLowerCase()] !== undefined,
    forEach: (cb: (value: string, key: string, parent: Headers) => void, self?: Headers) => {
      for (const [k, v] of entries()) cb(v, k, self as Headers);
    },
    entries,
    keys: function* () {
      for (const [k] of entries()) yield k;
    },
    values: function* () {
      for (const [, v] of entries()) yield v;
    },
    [Symbol.iterator]: entries,
    getSetCookie: () => [],
    append: () => undefined,
    delete: () => undefined,
    set: () => undefined,
  } as unknown as Headers;
}

export function createFastPath<TCtx extends object>(
  yoga: YogaServerInstance<Record<string, unknown>, TCtx>,
  logger: Logger,
  plugins: readonly object[] = [],
): (req: IncomingMessage, body: Buffer, signal: AbortSignal) => Promise<FastAnswer | undefined> {
  const envelop = yoga.getEnveloped;
  const resultHooks = plugins.map(resultHookOf).filter((h): h is FastPathResultHook => Boolean(h));
  return async (req, body, signal) => {
    const ct = req.headers['content-type'];
    if (!ct || !ct.startsWith('application/json')) return undefined;
    if (ct.length > 16 && !/^application\/json\s*;\s*charset=utf-8\s*$/i.test(ct)) return undefined;
    const mediaType = pickMediaType(req.headers.accept);
    if (!mediaType) return undefined;
    const params = readParams(body);
    if (!params) return undefined;

    const request = { headers: headersView(req.headers), signal, method: 'POST', url: req.url ?? '' };
    const { parse, validate, contextFactory, execute, schema } = envelop({ request, params, remoteAddress: req.socket.remoteAddress } as never);
    // Request errors (nothing executed) are yoga's to answer: their status and shape depend on
    // the Accept header and on plugins in ways the fast path does not need to copy.
    let document: DocumentNode;
    try {
      document = parse(params.query);
    } catch {
      return undefined;
    }
    if (validate(schema, document).length) return undefined;
    const op = getOperationAST(document, params.operationName ?? undefined);
    if (!op || op.operation === 'subscription') return undefined; // yoga explains unknown operations and streams subscriptions
    const contextValue = await contextFactory();
    const result = (await execute({
      schema,
      document,
      rootValue: {},
      contextValue,
      variableValues: params.variables ?? undefined,
      operationName: params.operationName ?? undefined,
    })) as ExecutionResult | AsyncIterable<unknown>;
    if (Symbol.asyncIterator in (result as object)) return undefined; // @defer/@stream: cannot happen after the check above
    let r = result as ExecutionResult;
    // No data and no error with a path: a request error (variables) before anything executed.
    if ((r.data === undefined || r.data === null) && !r.errors?.some((e) => e.path)) return undefined;
    for (const hook of resultHooks) r = hook(r, contextValue);
    const errors = r.errors?.map((e) => {
      const masked = maskError(e, 'Unexpected error.') as GraphQLError;
      if (masked !== e) logger.error('resolver failed', { error: String((e as GraphQLError).originalError?.stack ?? e.message), path: e.path?.join('.') });
      return masked;
    });
    const hasData = r.data !== undefined && r.data !== null;
    const status = !hasData && errors?.length ? requestErrorStatus(mediaType, errors) : 200;
    const out: Record<string, unknown> = {};
    if (errors?.length) out.errors = errors.map((e) => publicJson(e.toJSON()));
    if (r.data !== undefined) out.data = r.data;
    if (r.extensions) out.extensions = r.extensions;
    return { status, contentType: `${mediaType}; charset=utf-8`, body: JSON.stringify(out) };
  };
}

/** Like yoga: an error's `extensions.http.status` wins; otherwise 400 for graphql-response+json, 200 for json. */
function requestErrorStatus(mediaType: string, errors: readonly { extensions?: Record<string, unknown> }[]): number {
  for (const e of errors) {
    const s = (e.extensions?.http as { status?: unknown } | undefined)?.status;
    if (typeof s === 'number') return s;
  }
  return mediaType === 'application/graphql-response+json' ? 400 : 200;
}

/**
 * What clients see of an error, as yoga serialises it: `extensions.http` only sets the status,
 * and field errors (those with a `path`) carry no `locations` (graphql-jit does not track them).
 */
function publicJson<T extends { extensions?: Record<string, unknown>; path?: unknown; locations?: unknown }>(json: T): T {
  const out = { ...json } as T;
  if (out.path !== undefined) delete out.locations;
  if (out.extensions && 'http' in out.extensions) {
    const { http: _http, ...rest } = out.extensions;
    if (Object.keys(rest).length) out.extensions = rest;
    else delete out.extensions;
  }
  return out;
}
