import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../adapters/types';
import type { GatewayContext } from '../context';
import type { ErrorCode } from '../errors/codes';
import { createApiKeyVerifier } from '../policy/api-keys';
import { anonymousIdentity, claimAt, type Identity } from '../policy/identity';
import { createJwtVerifier, TokenRejected } from '../policy/jwt';
import type { AuthOptions } from '../policy/options';
import { requestError, requestOf } from './request-error';

const BEARER = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i;
const MAX_TOKEN_CHARS = 8_192;
const WWW_AUTHENTICATE = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

/** Context key of a credential refusal on graphql-ws (a symbol: survives `{ ...context }`). */
const REFUSED = Symbol('switchyard.auth.refused');

/** The identity of the request being handled (HTTP: resolved in onParams, before parse and validation). */
export const identities = new WeakMap<Request, Identity>();

/**
 * Authentication: `Authorization: Bearer <JWT>` or the API-key header (HTTP), or the same keys in
 * graphql-ws `connectionParams`. No credentials = anonymous (401 when `auth.required`); invalid
 * credentials = 401 UNAUTHENTICATED with a generic message, the reason only in the log; JWKS
 * unreachable with no usable key = 503. Puts `identity` (and `upstreamHeaders` for
 * `auth.forward`) on the context.
 */
export function useAuth(options: AuthOptions, logger: Logger): Plugin {
  const jwt = options.jwt ? createJwtVerifier(options.jwt, options.tokenCacheSize) : undefined;
  const apiKeys = createApiKeyVerifier(options.apiKeys);
  const apiKeyHeader = options.apiKeyHeader.toLowerCase();
  const forward = Object.entries(options.forward);

  /** Synchronous when the token was verified before (the hot path stays free of promises). */
  function authenticate(authorization: string | null | undefined, apiKey: string | null | undefined, address: string | undefined): Identity | Promise<Identity> {
    if (authorization != null) {
      const m = authorization.length <= MAX_TOKEN_CHARS ? BEARER.exec(authorization) : null;
      if (!m || !jwt) throw refuse('AUTH_TOKEN_INVALID', m ? 'no auth.jwt configured for bearer tokens' : 'malformed Authorization header');
      return (
        jwt.cached(m[1]!) ??
        jwt.verify(m[1]!).catch((e: unknown) => {
          throw e instanceof TokenRejected ? refuse(e.reason, e.detail) : e;
        })
      );
    }
    if (apiKey != null) {
      const identity = apiKey.length <= MAX_TOKEN_CHARS ? apiKeys.verify(apiKey) : undefined;
      if (!identity) throw refuse('AUTH_TOKEN_INVALID', 'unknown API key');
      return identity;
    }
    if (options.required) throw refuse('UNAUTHENTICATED', 'no credentials and auth.required is set');
    return anonymousIdentity(address);
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
      const reject = (e: unknown) => setResult({ errors: [e as Error] } as never);
      try {
        const identity = authenticate(request.headers.get('authorization'), request.headers.get(apiKeyHeader), remoteAddress(context));
        if (!(identity instanceof Promise)) {
          identities.set(request, identity);
          return;
        }
        return identity.then((id) => void identities.set(request, id), reject);
      } catch (e) {
        reject(e);
        return undefined;
      }
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
  };

  /** graphql-ws: the credentials come in connection_init's payload (no Request, no onParams). */
  async function fromConnectionParams(context: unknown, extendContext: (e: never) => void): Promise<void> {
    const params = ((context as { connectionParams?: Record<string, unknown> }).connectionParams ?? {}) as Record<string, unknown>;
    const authorization = str(params.authorization ?? params.Authorization) ?? (str(params.token) ? `Bearer ${str(params.token)}` : undefined);
    let identity: Identity;
    try {
      identity = await authenticate(authorization, str(params[apiKeyHeader] ?? params.apiKey), undefined);
    } catch (e) {
      // Throwing here would make graphql-ws close the socket with "internal error"; refuse the
      // operation instead (onExecute/onSubscribe above), with the same error as over HTTP.
      extendContext({ [REFUSED]: e } as never);
      return;
    }
    extendContext({ identity, ...(forward.length ? { upstreamHeaders: upstreamHeaders(identity) } : {}) } satisfies Partial<GatewayContext> as never);
  }
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
