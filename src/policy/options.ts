import { z } from 'zod';
import type { Identity } from './identity';

/**
 * Config sub-schemas of the policy layer: `auth`, `limits`, `cost`, `rateLimit`,
 * `trustedDocuments`. Defaults live here, once; `src/config/schema.ts` adds one line per key.
 */

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512'] as const;
export type JwtAlgorithm = (typeof ALGORITHMS)[number];
const isHmac = (a: string) => a.startsWith('HS');

/** A custom authorization check named by `@policy(policies: [["name"]])`. */
export type PolicyCheck = (identity: Identity, field: { typeName: string; fieldName: string }) => boolean;

/** Where an identity value comes from when forwarded upstream: `token`, `bearer`, `sub`, `clientId`, `claims.<path>`. */
const forwardValue = z.string().regex(/^(token|bearer|sub|clientId|claims\.[A-Za-z0-9_.:-]+)$/, "use 'token', 'bearer', 'sub', 'clientId' or 'claims.<path>'");

const jwtSchema = z
  .object({
    /** URL of the issuer's JSON Web Key Set (cached; an unknown `kid` refetches once per cooldown). */
    jwksUrl: z.url().optional(),
    /** A PEM public key (SPKI) instead of a JWKS. */
    publicKey: z.string().optional(),
    /** A shared secret for HS256/384/512 (at least 32 characters). */
    secret: z.string().min(32, 'an HMAC secret must be at least 32 characters').optional(),
    /** Required `iss`. */
    issuer: z.union([z.string(), z.array(z.string()).min(1)]),
    /** Required `aud` (one of). */
    audience: z.union([z.string(), z.array(z.string()).min(1)]),
    /** Accepted `alg` values. `none` is never accepted; HMAC and public-key algorithms never mix. @default ['RS256'] (['HS256'] with `secret`) */
    algorithms: z.array(z.enum(ALGORITHMS)).min(1).optional(),
    /** Allowed clock skew for exp/nbf/iat, in seconds. @default 30 */
    clockToleranceSec: z.number().int().nonnegative().default(30),
    /** JWKS fetch timeout. @default 5000 */
    jwksTimeoutMs: z.number().int().positive().default(5_000),
    /** Least time between two JWKS refetches caused by unknown `kid`s. @default 30000 */
    jwksCooldownMs: z.number().int().nonnegative().default(30_000),
    /** How long a fetched JWKS is used before it is fetched again. @default 600000 */
    jwksMaxAgeMs: z.number().int().positive().default(600_000),
    /**
     * When the JWKS endpoint cannot be reached after `jwksMaxAgeMs`, the keys fetched before keep
     * verifying tokens for this long more (stale-if-error); past it, AUTH_PROVIDER_UNAVAILABLE.
     * 0 = no grace. @default 3600000 (1 h)
     */
    jwksStaleGraceMs: z.number().int().nonnegative().default(3_600_000),
    /** Claim holding scopes: `scope` (space-separated string), `scp`, or a nested path `realm_access.roles`. @default 'scope' */
    scopesClaim: z.string().default('scope'),
    /** Claim holding roles (array or space-separated). @default 'roles' */
    rolesClaim: z.string().default('roles'),
  })
  .strict()
  .superRefine((j, ctx) => {
    const keys = [j.jwksUrl, j.publicKey, j.secret].filter(Boolean).length;
    if (keys !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'set exactly one of jwksUrl, publicKey or secret' });
    const algs = j.algorithms ?? [];
    if (j.secret && algs.some((a) => !isHmac(a))) ctx.addIssue({ code: 'custom', path: ['algorithms'], message: 'a shared secret only verifies HS256/HS384/HS512' });
    if (!j.secret && algs.some(isHmac)) ctx.addIssue({ code: 'custom', path: ['algorithms'], message: 'HS* algorithms need `secret`; with a public key or JWKS they would allow HS/RS confusion' });
  });

const apiKeySchema = z
  .object({
    /** sha256 of the key, lower-case hex (`printf %s "$KEY" | sha256sum`). The key itself is never configured. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest (64 lower-case hex characters)'),
    clientId: z.string().min(1),
    scopes: z.array(z.string()).default([]),
    roles: z.array(z.string()).default([]),
  })
  .strict();

/** Per-address lockout after repeated invalid credentials (`auth.lockout`). */
export const lockoutOptionsSchema = z
  .object({
    /** Invalid credentials (bad signature, unknown key, malformed token...) from one address before it is locked out. @default 10 */
    maxFailures: z.number().int().positive().default(10),
    /** Window the failures are counted in, and how long a lockout lasts. @default 60000 */
    windowMs: z.number().int().positive().default(60_000),
    /** Most addresses tracked in memory (least recently used go first). @default 10000 */
    maxAddresses: z.number().int().positive().default(10_000),
  })
  .strict();

export const authOptionsSchema = z
  .object({
    /** Refuse every request without valid credentials (401). Otherwise callers without credentials are anonymous and field rules decide. @default false */
    required: z.boolean().default(false),
    jwt: jwtSchema.optional(),
    /** Header carrying an API key. @default 'x-api-key' */
    apiKeyHeader: z.string().default('x-api-key'),
    apiKeys: z.array(apiKeySchema).default([]),
    /** Named checks for `@policy`. */
    policies: z.record(z.string(), z.custom<PolicyCheck>((v) => typeof v === 'function', 'a function (identity, field) => boolean')).default({}),
    /**
     * Identity forwarded to upstreams, per source: header name -> value (`token`, `bearer`, `sub`,
     * `clientId`, `claims.<path>`). A configured header is always replaced (a client cannot set it).
     * @example { users: { 'x-user-id': 'claims.sub', authorization: 'bearer' } }
     */
    forward: z.record(z.string(), z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/), forwardValue)).default({}),
    /** Most verified tokens kept (each until its `exp`). @default 10000 */
    tokenCacheSize: z.number().int().nonnegative().default(10_000),
    /**
     * After `maxFailures` invalid credentials within `windowMs` from one client address, that
     * address's credentialed requests get 429 AUTH_LOCKED_OUT (with Retry-After) without being
     * verified, for `windowMs` from the failure that locked it. `false` switches it off.
     * @default { maxFailures: 10, windowMs: 60000, maxAddresses: 10000 }
     */
    lockout: z.union([z.literal(false), lockoutOptionsSchema]).default(() => lockoutOptionsSchema.parse({})),
  })
  .strict();

export const limitsOptionsSchema = z
  .object({
    /** Switch every operation limit off (benchmarks, trusted-documents-only deployments). @default true */
    enabled: z.boolean().default(true),
    /** Deepest field nesting. @default 10 */
    maxDepth: z.number().int().positive().default(10),
    /** Most aliases per document (`__typename` aliases are free). @default 15 */
    maxAliases: z.number().int().nonnegative().default(15),
    /** Most lexical tokens; parsing stops beyond it. @default 5000 */
    maxTokens: z.number().int().positive().default(5_000),
    /** Most directive uses per document. @default 50 */
    maxDirectives: z.number().int().nonnegative().default(50),
    /** Allow `__schema`/`__type` (GraphiQL needs it). Switch off in production. @default true */
    introspection: z.boolean().default(true),
    /** Hide "Did you mean ...?" suggestions from anonymous callers. @default true */
    hideSuggestionsForAnonymous: z.boolean().default(true),
  })
  .strict();

export const costOptionsSchema = z
  .object({
    /** Switch cost analysis off (then `rateLimit` charges 1 point per operation). @default true */
    enabled: z.boolean().default(true),
    /** Refuse operations whose estimated cost exceeds this (COST_LIMIT_EXCEEDED). @default 5000 */
    maxCost: z.number().int().positive().default(5_000),
    /** List size assumed when a list field has no slicing argument nor `@listSize(assumedSize:)`. @default 10 */
    defaultListSize: z.number().int().nonnegative().default(10),
    /** Report `extensions.cost = { estimated, actual, max, remaining }` in responses. @default true when `rateLimit` is set, else false */
    exposeInResponse: z.boolean().optional(),
  })
  .strict();

export const rateLimitOptionsSchema = z
  .object({
    /** Cost points a client may spend per window (token bucket capacity). */
    budget: z.number().int().positive(),
    /** Time for an empty bucket to refill completely. @default 60000 */
    windowMs: z.number().int().positive().default(60_000),
    /** Redis URL shared by several gateway instances. Default: in memory. */
    redis: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
    /** @default 'switchyard:rl:' */
    keyPrefix: z.string().default('switchyard:rl:'),
    /** Most buckets kept in memory (least recently used go first). @default 100000 */
    maxKeys: z.number().int().positive().default(100_000),
    /** How long one Redis call may take. @default 50 */
    timeoutMs: z.number().int().positive().default(50),
    /** When the store cannot be reached: let requests through ('open') or refuse them ('closed'). @default 'open' */
    onStoreError: z.enum(['open', 'closed']).default('open'),
    /** Key anonymous callers by the last `x-forwarded-for` address, the one your proxy appended (only behind one proxy you trust). @default false */
    trustForwardedFor: z.boolean().default(false),
  })
  .strict();

export const trustedDocumentsOptionsSchema = z
  .object({
    /** JSON file: `{ "<sha256 or id>": "query ..." }`, relative to the config. */
    manifest: z.string(),
    /** Also run documents that are not in the manifest. @default false */
    allowArbitrary: z.boolean().default(false),
  })
  .strict();

export type AuthOptions = z.output<typeof authOptionsSchema>;
export type JwtOptions = NonNullable<AuthOptions['jwt']>;
export type LockoutOptions = z.output<typeof lockoutOptionsSchema>;
export type LimitsOptions = z.output<typeof limitsOptionsSchema>;
export type CostOptions = z.output<typeof costOptionsSchema>;
export type RateLimitOptions = z.output<typeof rateLimitOptionsSchema>;
export type TrustedDocumentsOptions = z.output<typeof trustedDocumentsOptionsSchema>;
