import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../adapters/types';
import type { GatewayContext } from '../context';
import type { ErrorCode } from '../errors/codes';
import { createApiKeyVerifier } from '../policy/api-keys';
import { anonymousIdentity, claimAt, type Identity } from '../policy/identity';
import { createJwtVerifier, TokenRejected } from '../policy/jwt';
import { lockoutFor } from '../policy/lockout';
import type { AuthOptions } from '../policy/options';
import { requestError, requestOf } from './request-error';
import { FALL_BACK, FAST_PATH_PARAMS, type FastPathInit, type FastPathParamsOutcome } from '../server/fast-path';

const BEARER = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i;
const MAX_TOKEN_CHARS = 8_192;
const WWW_AUTHENTICATE = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

/** Context key of a credential refusal on graphql-ws (a symbol: survives `{ ...context }`). */
const REFUSED = Symbol('switchyard.auth.refused');

/**
 * graphql-ws connection_init: the auth plugin offers, under this key, a function that
 * authenticates a socket once, at connect time (src/server/endpoint.ts closes it on refusal).
 */
export const CONNECTION_AUTH = Symbol.for('switchyard.auth.connection');
/**
 * Authenticates graphql-ws `connectionParams` from `address`; `socket` is an object that lives as
 * long as the socket (graphql-ws `ctx.extra`): its operations reuse the identity until
 * `expiresAtMs` (a JWT's `exp` plus the clock tolerance). Throws the same GatewayError as HTTP:
 * UNAUTHENTICATED, AUTH_PROVIDER_UNAVAILABLE or AUTH_LOCKED_OUT.
 */
export type ConnectionAuth = (connectionParams: Readonly<Record<string, unknown>> | undefined, address: string | undefined, socket: object) => Promise<{ identity: Identity; expiresAtMs?: number }>;

/** The identity of the request being handled (HTTP: resolved in onParams, before parse and validation). */
export const identities = new WeakMap<Request, Identity>();

/**
 * Authentication: `Authorization: Bearer <JWT>` or the API-key header (HTTP), or the same keys in
 * graphql-ws `connectionParams`. No credentials = anonymous (401 when `auth.required`); invalid
 * credentials = 401 UNAUTHENTICATED with a generic message, the reason only in the log; JWKS
 * unreachable with no usable key = 503. Puts `identity` (and `upstreamHeaders` for
 * `auth.forward`) on the context.
 */
export function useAuth(options: AuthOptions, logger: Logger): Plugin & { [CONNECTION_AUTH]: ConnectionAuth } {
  const jwt = options.jwt ? createJwtVerifier(options.jwt, options.tokenCacheSize, logger) : undefined;
  // Shared by every endpoint (view) built from this `auth` object.
  const lockout = options.lockout ? lockoutFor(options, options.lockout) : undefined;
  /** graphql-ws sockets authenticated at connect time, keyed by the socket's `extra` object. */
  const sockets = new WeakMap<object, { identity: Identity; expiresAtMs?: number; upstreamHeaders?: Record<string, Record<string, string>> }>();
  const apiKeys = createApiKeyVerifier(options.apiKeys);
  const apiKeyHeader = options.apiKeyHeader.toLowerCase();
  const forward = Object.entries(options.forward);

  /** Synchronous when the token was verified before (the hot path stays free of promises). */
  function authenticate(authorization: string | null | undefined, apiKey: string | null | undefined, address: string | undefined): Identity | Promise<Identity> {
    // auth.lockout: an address that sent too many invalid credentials is refused before any
    // verification (no brute force, no CPU spent on signatures). Anonymous requests still pass.
    if (lockout && (authorization != null || apiKey != null)) {
      const waitMs = lockout.retryAfterMs(address);
      if (waitMs > 0) throw lockedOut(waitMs);
    }
    if (authorization != null) {
      const m = authorization.length <= MAX_TOKEN_CHARS ? BEARER.exec(authorization) : null;
      if (!m || !jwt) throw failed(address, 'AUTH_TOKEN_INVALID', m ? 'no auth.jwt configured for bearer tokens' : 'malformed Authorization header');
      return (
        jwt.cached(m[1]!) ??
        jwt.verify(m[1]!).catch((e: unknown) => {
          throw e instanceof TokenRejected ? failed(address, e.reason, e.detail) : e;
        })
      );
    }
    if (apiKey != null) {
      const identity = apiKey.length <= MAX_TOKEN_CHARS ? apiKeys.verify(apiKey) : undefined;
      if (!identity) throw failed(address, 'AUTH_TOKEN_INVALID', 'unknown API key');
      return identity;
    }
    if (options.required) throw refuse('UNAUTHENTICATED', 'no credentials and auth.required is set');
    return anonymousIdentity(address);
  }

  /** A refused credential: invalid ones (not expired ones, not provider outages) count toward the address's lockout. */
  function failed(address: string | undefined, reason: ErrorCode, detail: string) {
    if (reason === 'AUTH_TOKEN_INVALID' && lockout?.fail(address) && options.lockout) {
      logger.warn('auth: address locked out after repeated invalid credentials', { address, maxFailures: options.lockout.maxFailures, windowMs: options.lockout.windowMs });
    }
    return refuse(reason, detail);
  }

  function lockedOut(waitMs: number) {
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    return requestError('AUTH_LOCKED_OUT', { retryAfter }, { 'Retry-After': String(retryAfter) });
  }

  function refuse(reason: ErrorCode, detail: string) {
    if (reason === 'AUTH_PROVIDER_UNAVAILABLE') {
      logger.warn('auth: identity provider unavailable', { reason, detail });
      return requestError('AUTH_PROVIDER_UNAVAILABLE', {}, { 'Retry-After': '5' });
    }
    logger.info('auth: credentials refused', { reason, detail });
    return requestError('UNAUTHENTICATED', {}, WWW_AUTHENTICATE);
  }

  function upstreamHeaders(identity: Identity): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [source, headers] of forward) {
      const h: Record<string, string> = {};
      for (const [name, from] of Object.entries(headers)) h[name.toLowerCase()] = forwardValue(identity, from);
      out[source] = h;
    }
    return out;
  }

  return {
    onParams({ request, context, setResult }) {
      const refusal = identify(request, remoteAddress(context));
      if (refusal instanceof Promise) return refusal.then((r) => void (r && setResult(r as never)));
      if (refusal) setResult(refusal as never);
      return undefined;
    },
    // The same for the fast path (src/server/fast-path.ts): it answers the refusal as yoga would,
    // or hands an unexpected failure (not a GraphQLError) to yoga.
    [FAST_PATH_PARAMS]: (init: FastPathInit): FastPathParamsOutcome | Promise<FastPathParamsOutcome> => {
      const refusal = identify(init.request as unknown as Request, init.remoteAddress);
      return refusal instanceof Promise ? refusal.then(fastOutcome) : fastOutcome(refusal);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const refused = (args.contextValue as unknown as Record<symbol, unknown>)[REFUSED];
      if (refused) setResultAndStopExecution({ errors: [refused as Error] } as never);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = (args.contextValue as unknown as Record<symbol, unknown>)[REFUSED];
      if (refused) setResultAndStopExecution({ errors: [refused as Error] } as never);
    },
    onContextBuilding({ context, extendContext }) {
      const request = requestOf(context);
      const identity = request ? identities.get(request) : undefined;
      if (identity) {
        extendContext({ identity, ...(forward.length ? { upstreamHeaders: upstreamHeaders(identity) } : {}) } satisfies Partial<GatewayContext> as never);
        return;
      }
      return fromConnectionParams(context, extendContext);
    },
    [CONNECTION_AUTH]: connect,
  } as Plugin & { [CONNECTION_AUTH]: ConnectionAuth };

  /** graphql-ws `connectionParams`: `authorization` / `Authorization` / `token`, or the API-key header name / `apiKey`. */
  function credentialsOf(params: Readonly<Record<string, unknown>>) {
    const authorization = str(params.authorization ?? params.Authorization) ?? (str(params.token) ? `Bearer ${str(params.token)}` : undefined);
    return { authorization, apiKey: str(params[apiKeyHeader] ?? params.apiKey) };
  }

  /** graphql-ws connection_init (see CONNECTION_AUTH): once per socket; every operation reuses the result. */
  async function connect(connectionParams: Readonly<Record<string, unknown>> | undefined, address: string | undefined, socket: object) {
    const { authorization, apiKey } = credentialsOf(connectionParams ?? {});
    const identity = await authenticate(authorization, apiKey, address);
    const exp = identity.kind === 'jwt' ? identity.claims.exp : undefined;
    const expiresAtMs = typeof exp === 'number' ? (exp + (options.jwt?.clockToleranceSec ?? 0)) * 1000 : undefined;
    sockets.set(socket, { identity, ...(expiresAtMs !== undefined ? { expiresAtMs } : {}), ...(forward.length ? { upstreamHeaders: upstreamHeaders(identity) } : {}) });
    return { identity, ...(expiresAtMs !== undefined ? { expiresAtMs } : {}) };
  }

  /**
   * HTTP: resolves the identity of `request` into `identities` (read by onContextBuilding), or
   * returns the refusal to answer. Synchronous for a cached token, an API key or no credentials.
   */
  function identify(request: Request, address: string | undefined): ExecutionResult | undefined | Promise<ExecutionResult | undefined> {
    try {
      const identity = authenticate(request.headers.get('authorization'), request.headers.get(apiKeyHeader), address);
      if (!(identity instanceof Promise)) {
        identities.set(request, identity);
        return undefined;
      }
      return identity.then((id) => void identities.set(request, id), refusalOf);
    } catch (e) {
      return refusalOf(e);
    }
  }

  /** graphql-ws: the credentials come in connection_init's payload (no Request, no onParams). */
  async function fromConnectionParams(context: unknown, extendContext: (e: never) => void): Promise<void> {
    const extra = (context as { extra?: unknown }).extra;
    const session = extra !== null && typeof extra === 'object' ? sockets.get(extra) : undefined;
    if (session) {
      // Authenticated at connect time. The socket is closed when its token expires (endpoint.ts);
      // an operation that races the close is refused here.
      if (session.expiresAtMs !== undefined && Date.now() >= session.expiresAtMs) {
        extendContext({ [REFUSED]: refuse('AUTH_TOKEN_EXPIRED', 'the token of this graphql-ws connection expired') } as never);
        return;
      }
      extendContext({ identity: session.identity, ...(session.upstreamHeaders ? { upstreamHeaders: session.upstreamHeaders } : {}) } satisfies Partial<GatewayContext> as never);
      return;
    }
    const params = ((context as { connectionParams?: Record<string, unknown> }).connectionParams ?? {}) as Record<string, unknown>;
    const { authorization, apiKey } = credentialsOf(params);
    let identity: Identity;
    try {
      identity = await authenticate(authorization, apiKey, remoteAddress(context));
    } catch (e) {
      // Throwing here would make graphql-ws close the socket with "internal error"; refuse the
      // operation instead (onExecute/onSubscribe above), with the same error as over HTTP.
      extendContext({ [REFUSED]: e } as never);
      return;
    }
    extendContext({ identity, ...(forward.length ? { upstreamHeaders: upstreamHeaders(identity) } : {}) } satisfies Partial<GatewayContext> as never);
  }
}

function refusalOf(e: unknown): ExecutionResult {
  return { errors: [e as GraphQLError] };
}

function fastOutcome(refusal: ExecutionResult | undefined): FastPathParamsOutcome {
  return refusal === undefined || refusal.errors![0] instanceof GraphQLError ? refusal : FALL_BACK;
}

function forwardValue(identity: Identity, from: string): string {
  if (from === 'token') return identity.token ?? '';
  if (from === 'bearer') return identity.token ? `Bearer ${identity.token}` : '';
  if (from === 'sub') return identity.sub ?? '';
  if (from === 'clientId') return identity.clientId ?? '';
  const v = claimAt(identity.claims, from.slice('claims.'.length));
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\r\n]/.test(s) ? '' : s;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The client address, when the HTTP front passes it in the server context (`remoteAddress`). */
export function remoteAddress(context: unknown): string | undefined {
  const a = (context as { remoteAddress?: unknown } | undefined)?.remoteAddress;
  return typeof a === 'string' ? a : undefined;
}
