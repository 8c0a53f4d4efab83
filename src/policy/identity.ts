/** Who is calling: resolved once per request by the auth plugin, read by field rules and adapters. */
export interface Identity {
  kind: 'jwt' | 'apiKey' | 'anonymous';
  /** JWT `sub`. */
  sub?: string;
  /** API key client id, or the JWT `azp`/`client_id` claim. */
  clientId?: string;
  scopes: ReadonlySet<string>;
  roles: ReadonlySet<string>;
  /** Verified JWT claims (empty for API keys and anonymous callers). */
  claims: Readonly<Record<string, unknown>>;
  /** The verified bearer token, for sources configured to forward it. */
  token?: string;
  /** Bucket of the per-client budget: `sub:<sub>`, `key:<clientId>` or `ip:<address>`. */
  rateLimitKey: string;
}

const EMPTY: ReadonlySet<string> = new Set();

export function anonymousIdentity(address = 'unknown'): Identity {
  return { kind: 'anonymous', scopes: EMPTY, roles: EMPTY, claims: {}, rateLimitKey: `ip:${address}` };
}

/** Reads a claim by dotted path (`realm_access.roles`); a key containing dots is tried whole first. */
export function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (path in claims) return claims[path];
  let v: unknown = claims;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** A space-separated string (`scope`) or an array of strings (`scp`, `roles`) as a set. */
export function stringSet(value: unknown): ReadonlySet<string> {
  if (typeof value === 'string') return new Set(value.split(' ').filter(Boolean));
  if (Array.isArray(value)) return new Set(value.filter((x): x is string => typeof x === 'string'));
  return EMPTY;
}
