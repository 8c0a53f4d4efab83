import { createRemoteJWKSet, importSPKI, jwtVerify, errors as joseErrors, type JWTPayload, type JWTVerifyGetKey, type CryptoKey } from 'jose';
import type { ErrorCode } from '../errors/codes';
import { claimAt, stringSet, type Identity } from './identity';
import { Lru } from './lru';
import type { JwtOptions } from './options';

/** Why a token was refused: logged, never shown to the client (who sees UNAUTHENTICATED). */
export class TokenRejected extends Error {
  constructor(
    readonly reason: ErrorCode,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'TokenRejected';
  }
}

/** jose error code -> our code. The table is the only place jose errors are interpreted. */
const JOSE_ERRORS: Record<string, ErrorCode> = {
  ERR_JWT_EXPIRED: 'AUTH_TOKEN_EXPIRED',
  ERR_JWKS_TIMEOUT: 'AUTH_PROVIDER_UNAVAILABLE',
  ERR_JOSE_GENERIC: 'AUTH_PROVIDER_UNAVAILABLE',
  ERR_JWKS_INVALID: 'AUTH_PROVIDER_UNAVAILABLE',
};

export interface JwtVerifier {
  /** Verifies a compact JWT; resolves to the identity or throws TokenRejected. Cached per token until `exp`. */
  verify(token: string): Promise<Identity>;
  /** The identity of a token verified before and not expired since, synchronously (the hot path). */
  cached(token: string): Identity | undefined;
}

export function createJwtVerifier(options: JwtOptions, cacheSize = 10_000): JwtVerifier {
  const algorithms = options.algorithms ?? (options.secret ? ['HS256'] : ['RS256']);
  let key: Promise<CryptoKey | Uint8Array> | JWTVerifyGetKey;
  if (options.jwksUrl) {
    key = createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: options.jwksTimeoutMs,
      cooldownDuration: options.jwksCooldownMs,
      cacheMaxAge: options.jwksMaxAgeMs,
    });
  } else if (options.publicKey) {
    key = importSPKI(options.publicKey, algorithms[0]!);
  } else {
    key = Promise.resolve(new TextEncoder().encode(options.secret!));
  }
  const cache = new Lru<string, { identity: Identity; expiresAtMs: number }>(cacheSize);
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: [...algorithms],
    clockTolerance: options.clockToleranceSec,
    requiredClaims: ['exp'],
  };

  const cached = (token: string): Identity | undefined => {
    const hit = cache.get(token);
    if (!hit) return undefined;
    if (hit.expiresAtMs > Date.now()) return hit.identity;
    cache.delete(token);
    return undefined;
  };
  return {
    cached,
    async verify(token) {
      const hit = cached(token);
      if (hit) return hit;
      let payload: JWTPayload;
      try {
        const k = typeof key === 'function' ? key : await key;
        ({ payload } = await jwtVerify(token, k as never, verifyOptions));
      } catch (e) {
        throw toRejection(e);
      }
      const identity = identityFromClaims(payload, token, options);
      cache.set(token, { identity, expiresAtMs: payload.exp! * 1000 + options.clockToleranceSec * 1000 });
      return identity;
    },
  };
}

function toRejection(e: unknown): TokenRejected {
  const code = (e as { code?: string })?.code;
  if (e instanceof joseErrors.JOSEError) {
    // A fetch failure of the JWKS surfaces as a plain error or ERR_JWKS_TIMEOUT: the provider, not the token.
    return new TokenRejected(JOSE_ERRORS[code ?? ''] ?? 'AUTH_TOKEN_INVALID', `${code}: ${e.message}`);
  }
  if (e instanceof TypeError || (e as Error)?.name === 'AbortError') return new TokenRejected('AUTH_PROVIDER_UNAVAILABLE', String((e as Error).message));
  return new TokenRejected('AUTH_TOKEN_INVALID', String((e as Error)?.message ?? e));
}

export function identityFromClaims(payload: JWTPayload, token: string, options: Pick<JwtOptions, 'scopesClaim' | 'rolesClaim'>): Identity {
  const clientId = typeof payload.azp === 'string' ? payload.azp : typeof payload.client_id === 'string' ? payload.client_id : undefined;
  return {
    kind: 'jwt',
    sub: payload.sub,
    clientId,
    scopes: stringSet(claimAt(payload, options.scopesClaim)),
    roles: stringSet(claimAt(payload, options.rolesClaim)),
    claims: payload,
    token,
    rateLimitKey: payload.sub ? `sub:${payload.sub}` : `client:${clientId ?? 'unknown'}`,
  };
}
