import { createLocalJWKSet, importSPKI, jwtVerify, errors as joseErrors, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, type CryptoKey } from 'jose';
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

/** Where the verifier reports JWKS outages (stale keys in use, recovery). */
export interface JwksLog {
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
}

export function createJwtVerifier(
  options: Omit<JwtOptions, 'jwksStaleGraceMs'> & { jwksStaleGraceMs?: number },
  cacheSize = 10_000,
  log?: JwksLog,
): JwtVerifier {
  const algorithms = options.algorithms ?? (options.secret ? ['HS256'] : ['RS256']);
  let key: Promise<CryptoKey | Uint8Array> | JWTVerifyGetKey;
  if (options.jwksUrl) {
    key = remoteJwks(
      new URL(options.jwksUrl),
      {
        timeoutMs: options.jwksTimeoutMs,
        cooldownMs: options.jwksCooldownMs,
        maxAgeMs: options.jwksMaxAgeMs,
        staleGraceMs: options.jwksStaleGraceMs ?? 3_600_000,
      },
      log,
    );
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
  if (e instanceof TokenRejected) return e;
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

export interface RemoteJwksOptions {
  timeoutMs: number;
  /** Least time between two fetches caused by an unknown `kid`, or after a failed fetch. */
  cooldownMs: number;
  maxAgeMs: number;
  /** How long past `maxAgeMs` the last fetched keys stay usable while the endpoint fails. */
  staleGraceMs: number;
}

/** Largest JWKS document read (a key set is a few KB). */
const MAX_JWKS_BYTES = 1024 * 1024;

/**
 * A remote JSON Web Key Set, cached for `maxAgeMs` and refetched (once per cooldown) for an unknown
 * `kid`, like jose's createRemoteJWKSet, plus stale-if-error: when the refetch after `maxAgeMs`
 * fails, the keys fetched before keep verifying until `maxAgeMs + staleGraceMs` after that last
 * successful fetch (a failed attempt is retried at most once per cooldown, so an outage costs one
 * waiting request per cooldown, not every request). Past the grace, or with no keys ever fetched,
 * a failed fetch is AUTH_PROVIDER_UNAVAILABLE.
 */
export function remoteJwks(url: URL, o: RemoteJwksOptions, log?: JwksLog): JWTVerifyGetKey {
  let local: JWTVerifyGetKey | undefined;
  let fetchedAt = -Infinity;
  let attemptedAt = -Infinity;
  let failedAt = -Infinity;
  let stale = false;
  let pending: Promise<void> | undefined;

  const refresh = (): Promise<void> =>
    (pending ??= (async () => {
      attemptedAt = Date.now();
      try {
        const set = createLocalJWKSet(await fetchJwks(url, o.timeoutMs));
        local = set as JWTVerifyGetKey;
        fetchedAt = Date.now();
        if (stale) log?.info('auth: JWKS endpoint reachable again', { jwksUrl: url.href });
        stale = false;
      } catch (e) {
        failedAt = Date.now();
        throw e instanceof TokenRejected ? e : new TokenRejected('AUTH_PROVIDER_UNAVAILABLE', `JWKS fetch failed: ${String((e as Error)?.message ?? e)}`);
      } finally {
        pending = undefined;
      }
    })());

  return async (header, token) => {
    const now = Date.now();
    const age = now - fetchedAt;
    if (!local || age > o.maxAgeMs + o.staleGraceMs) {
      // Nothing usable: the fetch must succeed.
      await refresh();
    } else if (age >= o.maxAgeMs && !pending && now - failedAt >= o.cooldownMs) {
      // Past max age: refetch. Requests arriving meanwhile use the keys at hand (still in grace).
      try {
        await refresh();
      } catch (e) {
        if (!stale) log?.warn('auth: JWKS endpoint unreachable, verifying with the keys fetched before', { jwksUrl: url.href, ageMs: age, graceLeftMs: o.maxAgeMs + o.staleGraceMs - age, detail: (e as Error).message });
        stale = true;
      }
    }
    try {
      return await local!(header, token);
    } catch (e) {
      // Unknown kid: the issuer may have rotated its keys; refetch at most once per cooldown.
      if ((e as { code?: string })?.code !== 'ERR_JWKS_NO_MATCHING_KEY' || Date.now() - attemptedAt < o.cooldownMs) throw e;
      await refresh();
      return local!(header, token);
    }
  };
}

async function fetchJwks(url: URL, timeoutMs: number): Promise<JSONWebKeySet> {
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { method: 'GET', redirect: 'manual', signal, headers: { accept: 'application/json, application/jwk-set+json' } });
  } catch (e) {
    throw new TokenRejected('AUTH_PROVIDER_UNAVAILABLE', signal.aborted ? `JWKS fetch timed out after ${timeoutMs} ms` : `JWKS fetch failed: ${String((e as Error)?.cause ?? (e as Error)?.message ?? e)}`);
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new TokenRejected('AUTH_PROVIDER_UNAVAILABLE', `JWKS endpoint answered HTTP ${res.status}`);
  }
  let text: string;
  try {
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > MAX_JWKS_BYTES) throw new Error(`JWKS larger than ${MAX_JWKS_BYTES} bytes`);
    text = await res.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error(`JWKS larger than ${MAX_JWKS_BYTES} bytes`);
  } catch (e) {
    await res.body?.cancel().catch(() => undefined);
    throw new TokenRejected('AUTH_PROVIDER_UNAVAILABLE', signal.aborted ? `JWKS fetch timed out after ${timeoutMs} ms` : `JWKS unreadable: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TokenRejected('AUTH_PROVIDER_UNAVAILABLE', 'JWKS is not JSON');
  }
  const keys = (json as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || !keys.every((k) => k !== null && typeof k === 'object' && !Array.isArray(k))) {
    throw new TokenRejected('AUTH_PROVIDER_UNAVAILABLE', 'JWKS has no "keys" array of objects');
  }
  return json as JSONWebKeySet;
}
