import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { REQUEST_ABORT } from '../context';
import type { LiteAbort } from '../util/lite-abort';
import { GraphQLError, getOperationAST, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { createDirectPipeline, directPipelineUsable } from './direct-pipeline';
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

/**
 * A plugin with an `onParams` hook may offer its fast-path equivalent under this key. It is called
 * once per request, before parse, with the request the fast path builds (the same object becomes
 * `context.request`, so a WeakMap keyed by it reaches `onContextBuilding`), and returns:
 * - nothing: go on;
 * - an ExecutionResult: what `setResult` in `onParams` would have answered (a refusal: nothing is
 *   parsed or executed; as in yoga, the other hooks still run and the last result wins);
 * - `FALL_BACK`: let yoga answer this request, exactly as with the fast path off;
 * - or a promise of one of these. Synchronous is cheaper: return a promise only when waiting.
 */
export const FAST_PATH_PARAMS = Symbol.for('switchyard.fastPathParams');
export const FALL_BACK = Symbol.for('switchyard.fastPathFallBack');
export type FastPathParamsOutcome = void | undefined | ExecutionResult | typeof FALL_BACK;
export type FastPathParamsHook = (init: FastPathInit) => FastPathParamsOutcome | Promise<FastPathParamsOutcome>;

/** What the fast path hands to `getEnveloped` (yoga's server context + params) and to FAST_PATH_PARAMS hooks. */
export interface FastPathInit {
  request: FastPathRequest;
  params: FastPathParams;
  remoteAddress: string | undefined;
}

/**
 * The fast path's stand-in for a fetch Request: what plugins read of one. `signal` is a real
 * AbortSignal made on first read; the request's own LiteAbort rides along under REQUEST_ABORT
 * (the endpoint's context passes it to the adapters, src/context.ts).
 */
class FastRequest implements FastPathRequest {
  readonly method = 'POST' as const;
  readonly [REQUEST_ABORT]: LiteAbort;
  constructor(
    readonly headers: Headers,
    abort: LiteAbort,
    readonly url: string,
  ) {
    this[REQUEST_ABORT] = abort;
  }
  get signal(): AbortSignal {
    return this[REQUEST_ABORT].toAbortSignal();
  }
}

/** What plugins read of the fast path's request. */
export interface FastPathRequest {
  headers: Headers;
  signal: AbortSignal;
  method: 'POST';
  url: string;
}

function resultHookOf(p: object): FastPathResultHook | undefined {
  const h = (p as { [FAST_PATH_RESULT]?: unknown })[FAST_PATH_RESULT];
  return typeof h === 'function' ? (h as FastPathResultHook) : undefined;
}

function paramsHookOf(p: object): FastPathParamsHook | undefined {
  const h = (p as { [FAST_PATH_PARAMS]?: unknown })[FAST_PATH_PARAMS];
  return typeof h === 'function' ? (h as FastPathParamsHook) : undefined;
}

/** True when every yoga HTTP hook of every plugin has its fast-path equivalent. */
export function fastPathAllowed(plugins: readonly object[]): boolean {
  return plugins.every((p) =>
    YOGA_HTTP_HOOKS.every((h) => !(h in p) || (h === 'onExecutionResult' && resultHookOf(p) !== undefined) || (h === 'onParams' && paramsHookOf(p) !== undefined)),
  );
}

/** The fast path of one endpoint; `direct` says whether it runs the plugins without envelop's orchestrator (src/server/direct-pipeline.ts). */
export type FastPath = ((req: IncomingMessage, body: Buffer, abort: LiteAbort) => Promise<FastAnswer | undefined>) & { readonly direct: boolean };

export interface FastAnswer {
  status: number;
  contentType: string;
  body: string;
  /**
   * Response headers set by plugins (`extensions.http.headers`: RateLimit-*, Retry-After,
   * WWW-Authenticate), as they wrote them: names are case-insensitive (node's setHeader too).
   */
  headers?: Record<string, string>;
}

export interface FastPathParams {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

const ALLOWED_KEYS = new Set(['query', 'variables', 'operationName']);

function readParams(body: Buffer): FastPathParams | undefined {
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
  return p as unknown as FastPathParams;
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

/**
 * A read-only Headers view over node's header object: one small object per request, its methods
 * on the prototype (no copy, no closures). Names are looked up lower-cased, as node stores them.
 */
class HeadersView {
  constructor(private readonly h: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const v = this.h[name] ?? this.h[name.toLowerCase()];
    return v === undefined ? null : typeof v === 'string' ? v : v.join(', ');
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  *entries(): IterableIterator<[string, string]> {
    for (const k of Object.keys(this.h)) {
      const v = this.get(k);
      if (v !== null) yield [k, v];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }

  forEach(cb: (value: string, key: string, parent: Headers) => void, self?: unknown): void {
    for (const [k, v] of this.entries()) cb.call(self, v, k, this as unknown as Headers);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  getSetCookie(): string[] {
    return [];
  }

  append(): void {}
  delete(): void {}
  set(): void {}
}

export function createFastPath<TCtx extends object>(
  yoga: YogaServerInstance<Record<string, unknown>, TCtx>,
  logger: Logger,
  plugins: readonly object[] = [],
): FastPath {
  const envelop = yoga.getEnveloped;
  // Yoga's full plugin list (its own plugins and ours, in order) is a protected field; without it
  // the fast path keeps envelop's orchestrator.
  const all = (yoga as unknown as { plugins?: unknown }).plugins;
  const direct = Array.isArray(all) && directPipelineUsable(all) ? createDirectPipeline(all) : undefined;
  let directSchema: GraphQLSchema | undefined;
  const resultHooks = plugins.map(resultHookOf).filter((h): h is FastPathResultHook => Boolean(h));
  const paramsHooks = plugins.map(paramsHookOf).filter((h): h is FastPathParamsHook => Boolean(h));

  /**
   * Runs the FAST_PATH_PARAMS hooks in plugin order: the last result wins, FALL_BACK stops.
   * Synchronous unless a hook returns a promise (no promise, no tick for a cached token).
   */
  function runParamsHooks(init: FastPathInit, from = 0, refusal?: ExecutionResult): ParamsOutcome | Promise<ParamsOutcome> {
    for (let i = from; i < paramsHooks.length; i++) {
      const outcome = paramsHooks[i]!(init);
      if (isThenable(outcome)) return outcome.then((o) => (o === FALL_BACK ? FALL_BACK : runParamsHooks(init, i + 1, o || refusal)));
      if (outcome === FALL_BACK) return FALL_BACK;
      if (outcome) refusal = outcome;
    }
    return refusal;
  }

  const fastPath = async (req: IncomingMessage, body: Buffer, abort: LiteAbort): Promise<FastAnswer | undefined> => {
    const ct = req.headers['content-type'];
    if (!ct || !ct.startsWith('application/json')) return undefined;
    if (ct.length > 16 && !/^application\/json\s*;\s*charset=utf-8\s*$/i.test(ct)) return undefined;
    const mediaType = pickMediaType(req.headers.accept);
    if (!mediaType) return undefined;
    const params = readParams(body);
    if (!params) return undefined;

    const request = new FastRequest(new HeadersView(req.headers) as unknown as Headers, abort, req.url ?? '');
    const init: FastPathInit = { request, params, remoteAddress: req.socket.remoteAddress };
    if (paramsHooks.length) {
      let refusal = runParamsHooks(init);
      if (isThenable(refusal)) refusal = await refusal;
      if (refusal === FALL_BACK) return undefined;
      // Refused before parse (a bad credential, an untrusted document): answered like yoga
      // answers a result set in onParams.
      if (refusal) return answer(applyResultHooks(refusal, undefined), mediaType);
    }
    const context = init as unknown as Record<PropertyKey, unknown>;
    const enveloped = direct ? undefined : (envelop(init as never) as unknown as EnvelopedFns);
    const schema = enveloped ? enveloped.schema : (directSchema ??= envelop({}).schema as GraphQLSchema);
    // Request errors (nothing executed) are yoga's to answer: their status and shape depend on
    // the Accept header and on plugins in ways the fast path does not need to copy.
    let document: DocumentNode;
    try {
      document = enveloped ? enveloped.parse(params.query) : direct!.parse(params.query, context);
    } catch {
      return undefined;
    }
    if ((enveloped ? enveloped.validate(schema, document) : direct!.validate(schema, document, context)).length) return undefined;
    const op = getOperationAST(document, params.operationName ?? undefined);
    if (!op || op.operation === 'subscription') return undefined; // yoga explains unknown operations and streams subscriptions
    let contextValue: unknown;
    let r: ExecutionResult;
    try {
      contextValue = enveloped ? enveloped.contextFactory() : direct!.contextFactory(context);
      if (isThenable(contextValue)) contextValue = await contextValue;
      // ctx.signal for resolvers: a real AbortSignal, made on first read (the adapters use the LiteAbort).
      if (contextValue && typeof contextValue === 'object' && !('signal' in contextValue)) {
        Object.defineProperty(contextValue, 'signal', { get: () => abort.toAbortSignal(), enumerable: true, configurable: true });
      }
      const args = {
        schema,
        document,
        rootValue: {},
        contextValue,
        variableValues: params.variables ?? undefined,
        operationName: params.operationName ?? undefined,
      };
      let result = (enveloped ? enveloped.execute(args) : direct!.execute(args)) as ExecutionResult | AsyncIterable<unknown> | PromiseLike<ExecutionResult | AsyncIterable<unknown>>;
      if (isThenable(result)) result = await result;
      if (Symbol.asyncIterator in (result as object)) return undefined; // @defer/@stream: cannot happen after the check above
      r = result as ExecutionResult;
      // No data and an error that is neither a field error (path) nor a plugin's refusal
      // (`extensions.http`): a request error (variables) from before anything executed, which yoga explains.
      if ((r.data === undefined || r.data === null) && r.errors?.some((e) => !e.path && !e.extensions?.http)) return undefined;
    } catch (e) {
      // A plugin refused by throwing (a view's access rule), or failed: yoga answers `{ errors: [masked] }`.
      // Never handed to yoga: it would run the operation a second time.
      if ((e as Error)?.name === 'AbortError') throw e;
      r = { errors: [e as GraphQLError] };
    }
    return answer(applyResultHooks(r, contextValue), mediaType);
  };
  return Object.assign(fastPath, { direct: direct !== undefined });

  function applyResultHooks(r: ExecutionResult, contextValue: unknown): ExecutionResult {
    for (const hook of resultHooks) r = hook(r, contextValue);
    return r;
  }

  /** yoga's regular result processing (processRegularResult): status and headers from the errors' and result's `extensions.http`. */
  function answer(r: ExecutionResult, mediaType: string): FastAnswer {
    const contentType = mediaType === 'application/json' ? 'application/json; charset=utf-8' : 'application/graphql-response+json; charset=utf-8';
    const http = r.extensions?.http as HttpExtension | undefined;
    if (!r.errors?.length && !http) return { status: 200, contentType, body: JSON.stringify(r) };
    let headers: Record<string, string> | undefined;
    let status = http?.status;
    if (http?.headers) headers = http.headers;
    const out: Record<string, unknown> = { ...r };
    if (r.errors?.length) {
      const errors = r.errors.map((e) => {
        const masked = maskError(e, 'Unexpected error.') as GraphQLError;
        if (masked !== e) logger.error('resolver failed', { error: String((e as GraphQLError).originalError?.stack ?? (e as Error)?.stack ?? e), path: e.path?.join('.') });
        return masked;
      });
      const json = mediaType === 'application/json' && errors.some((e) => !e.extensions?.originalError || e.extensions.originalError instanceof GraphQLError);
      let unexpected = false;
      for (const e of errors) {
        const eh = e.extensions?.http as HttpExtension | undefined;
        if (eh) {
          if (eh.headers) headers = headers ? { ...headers, ...eh.headers } : eh.headers;
          if (json && eh.spec) continue;
          if (eh.status && (!status || eh.status > status)) status = eh.status;
        } else if (!isOriginalGraphQLError(e) || e.extensions?.unexpected) unexpected = true;
      }
      status ||= unexpected && !('data' in r) ? 500 : 200;
      out.errors = errors.map(publicJson);
    } else status ||= 200;
    if (http) {
      const { http: _http, ...rest } = r.extensions!;
      out.extensions = Object.keys(rest).length ? rest : undefined;
    }
    const text = JSON.stringify(out);
    return headers ? { status, contentType, body: text, headers } : { status, contentType, body: text };
  }
}

type ParamsOutcome = ExecutionResult | typeof FALL_BACK | undefined;

interface EnvelopedFns {
  parse: (source: string) => DocumentNode;
  validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
  contextFactory: () => unknown;
  execute: (args: ExecutionArgs) => unknown;
  schema: GraphQLSchema;
}

/** A promise, or envelop's fake promise for a value (whatwg-node promise helpers): anything with `then`. */
function isThenable<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof (v as { then?: unknown } | null | undefined)?.then === 'function';
}

interface HttpExtension {
  status?: number;
  headers?: Record<string, string>;
  spec?: boolean;
}

/** yoga's isOriginalGraphQLError: a GraphQLError all the way down its `originalError` chain. */
function isOriginalGraphQLError(e: unknown): boolean {
  if (!(e instanceof GraphQLError)) return false;
  return e.originalError == null ? true : isOriginalGraphQLError(e.originalError);
}

/**
 * What clients see of an error, as yoga serialises it (omitInternalsFromError): the error rebuilt
 * from its nodes, source and positions, so `locations` only when those give them (graphql-jit sets
 * `locations` on field errors without them); `extensions.http` and `extensions.unexpected` are internal.
 */
function publicJson(e: GraphQLError): unknown {
  const out = e.toJSON() as { locations?: unknown; path?: unknown; extensions?: Record<string, unknown> };
  if (out.locations !== undefined && !(e.source && e.positions)) delete out.locations;
  if (out.extensions && ('http' in out.extensions || 'unexpected' in out.extensions)) {
    const { http: _http, unexpected: _unexpected, ...rest } = out.extensions;
    if (Object.keys(rest).length) out.extensions = rest;
    else delete out.extensions;
  }
  return out;
}
