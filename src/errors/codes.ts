/**
 * The one registry of error codes. Every `extensions.code` the gateway produces is declared here,
 * with what it means for a client and how to fix it; `test/unit/error-codes.test.ts` checks that
 * every code used in `src/` is registered and documented in the README.
 */
export interface ErrorCodeInfo {
  /** Default message shown to clients. */
  readonly message: string;
  /** HTTP status when the error fails the whole request (field errors keep 200). */
  readonly httpStatus: number;
  /** Whether the message may carry upstream detail (false = generic message only). */
  readonly exposeDetail: boolean;
  readonly description: string;
  readonly fix: string;
}

export const ERROR_CODES = {
  // --- configuration and start-up (reported by `switchyard check` / `serve`) ---
  CONFIG_INVALID: {
    message: 'The configuration is invalid.',
    httpStatus: 500,
    exposeDetail: true,
    description: 'A key of switchyard.config.ts is missing, has the wrong type or an unknown name.',
    fix: 'Correct the key named in the message; `switchyard check` lists every problem at once.',
  },
  CONFIG_ENV_MISSING: {
    message: 'An environment variable used by the configuration is not set.',
    httpStatus: 500,
    exposeDetail: true,
    description: 'A `${VAR}` reference in the configuration names a variable that is not set and has no default.',
    fix: 'Export the variable, or give a default with `${VAR:-default}`.',
  },
  SPEC_INVALID: {
    message: 'An upstream contract (OpenAPI, proto or WSDL) could not be imported.',
    httpStatus: 500,
    exposeDetail: true,
    description: 'The spec file is unreadable, not valid YAML/JSON/XML/proto, or uses a construct the importer refuses.',
    fix: 'Check the file named in the message; run `switchyard import` on it to see every problem.',
  },
  SCHEMA_BUILD_FAILED: {
    message: 'The gateway schema could not be built.',
    httpStatus: 500,
    exposeDetail: true,
    description: 'The source schemas and the hand-written SDL do not compose (name clash, unknown type, invalid SDL).',
    fix: 'Read the listed conflicts; rename with a source `typePrefix` or fix the SDL file named.',
  },
  SCHEMA_DRIFT: {
    message: 'A committed schema file differs from the schema built from the current specs.',
    httpStatus: 500,
    exposeDetail: true,
    description: 'schemas/<source>/generated.graphql is not what the importer produces from the current spec.',
    fix: 'Run `switchyard import` for that source and commit the new file after reviewing the diff.',
  },
  SCHEMA_BREAKING_CHANGE: {
    message: 'A client view would break a field its committed SDL has.',
    httpStatus: 500,
    exposeDetail: true,
    description: 'switchyard check compared schemas/views/<view>.graphql with the built view: a field or type was removed, a type changed, or a required argument appeared.',
    fix: 'Keep (or deprecate) the field; if the break is intended, commit the new SDL with switchyard print-schema --client <view>.',
  },
  // --- request level ---
  BAD_REQUEST: {
    message: 'The request is malformed.',
    httpStatus: 400,
    exposeDetail: true,
    description: 'The HTTP request is not a valid GraphQL-over-HTTP request.',
    fix: 'Send JSON `{"query": ...}` with content-type application/json, or a GET with ?query=.',
  },
  REQUEST_TOO_LARGE: {
    message: 'The request body is larger than the gateway accepts.',
    httpStatus: 413,
    exposeDetail: true,
    description: 'The body exceeded `server.bodyLimitBytes` (default 2 MB).',
    fix: 'Send a smaller document (persisted operations help), or raise server.bodyLimitBytes.',
  },
  SHUTTING_DOWN: {
    message: 'The gateway is shutting down.',
    httpStatus: 503,
    exposeDetail: false,
    description: 'A new request arrived after SIGTERM/SIGINT; in-flight requests still finish.',
    fix: 'Retry against another instance; load balancers should stop routing once /readyz fails.',
  },
  NOT_FOUND: {
    message: 'No such endpoint.',
    httpStatus: 404,
    exposeDetail: false,
    description: 'The path is not a GraphQL endpoint, /healthz or /readyz.',
    fix: 'Send GraphQL requests to /graphql.',
  },
  INTERNAL_SERVER_ERROR: {
    message: 'Unexpected error.',
    httpStatus: 500,
    exposeDetail: false,
    description: 'A bug or an unexpected failure; the full error is logged, never returned.',
    fix: 'Look up the request id in the gateway log and report it.',
  },
  // --- auth, limits, cost and rate limits (src/policy, src/plugins) ---
  UNAUTHENTICATED: {
    message: 'Authentication is required or the credentials are invalid.',
    httpStatus: 401,
    exposeDetail: false,
    description: 'Request level (401 + WWW-Authenticate): a bearer token or API key was sent and did not verify, or `auth.required` is set and none was sent. Field level (null + error at path): the field needs an authenticated caller (@authenticated, @requiresScopes, @policy). The reason is logged, never returned.',
    fix: 'Send a valid, unexpired token from the configured issuer for the configured audience (or a valid API key); the gateway log names the exact reason.',
  },
  FORBIDDEN: {
    message: 'The caller may not access this field.',
    httpStatus: 403,
    exposeDetail: false,
    description: 'Field level: the caller is authenticated but lacks the scopes (@requiresScopes) or fails the named check (@policy). The field is null, the rest of the query answers, no upstream call is made for it.',
    fix: 'Request a token with the required scopes, or remove the field from the query.',
  },
  AUTH_TOKEN_INVALID: {
    message: 'The token is invalid.',
    httpStatus: 401,
    exposeDetail: false,
    description: 'Logged reason behind an UNAUTHENTICATED answer: bad signature, algorithm not allowed (including `none` and HS/RS confusion), wrong issuer or audience, not yet valid, malformed header, unknown kid, unknown API key. Clients see UNAUTHENTICATED.',
    fix: 'Read the `detail` of the "auth: credentials refused" log line.',
  },
  AUTH_TOKEN_EXPIRED: {
    message: 'The token has expired.',
    httpStatus: 401,
    exposeDetail: false,
    description: 'Logged reason behind an UNAUTHENTICATED answer: `exp` is past (beyond auth.jwt.clockToleranceSec). Clients see UNAUTHENTICATED.',
    fix: 'The client refreshes its token.',
  },
  AUTH_PROVIDER_UNAVAILABLE: {
    message: 'The identity provider is unavailable.',
    httpStatus: 503,
    exposeDetail: false,
    description: 'The JWKS endpoint could not be fetched (down, timeout, invalid answer) and no cached key verifies the token (keys fetched before count for auth.jwt.jwksMaxAgeMs plus auth.jwt.jwksStaleGraceMs). Not the client\'s fault: 503 with Retry-After.',
    fix: 'Check auth.jwt.jwksUrl and the identity provider; keys already fetched keep working for auth.jwt.jwksMaxAgeMs + auth.jwt.jwksStaleGraceMs (1 h by default).',
  },
  AUTH_LOCKED_OUT: {
    message: 'Too many invalid credentials from this address; try again later.',
    httpStatus: 429,
    exposeDetail: false,
    description: 'auth.lockout: this client address sent auth.lockout.maxFailures invalid credentials (bad signature, unknown API key, malformed token...) within auth.lockout.windowMs, so its credentials are refused without being verified until the lockout ends. extensions.retryAfter and the Retry-After header say when. Anonymous requests and other addresses are unaffected.',
    fix: 'Fix the client\'s credentials and wait extensions.retryAfter seconds. Behind a shared proxy or NAT all clients share one address: raise auth.lockout.maxFailures or set auth.lockout: false.',
  },
  MAX_DEPTH_LIMIT: {
    message: 'The query is nested too deeply.',
    httpStatus: 400,
    exposeDetail: true,
    description: 'Field nesting (fragments expanded) is deeper than limits.maxDepth (default 10). Nothing was executed.',
    fix: 'Flatten the query, or raise limits.maxDepth.',
  },
  MAX_ALIASES_LIMIT: {
    message: 'The query uses too many aliases.',
    httpStatus: 400,
    exposeDetail: true,
    description: 'The document has more aliased fields than limits.maxAliases (default 15; `__typename` aliases are free). Nothing was executed.',
    fix: 'Use fewer aliases (batch with list arguments instead), or raise limits.maxAliases.',
  },
  MAX_TOKENS_LIMIT: {
    message: 'The document is too long.',
    httpStatus: 400,
    exposeDetail: true,
    description: 'The document has more lexical tokens than limits.maxTokens (default 5000); parsing stopped there.',
    fix: 'Send a smaller document (trusted documents help), or raise limits.maxTokens.',
  },
  MAX_DIRECTIVES_LIMIT: {
    message: 'The query uses too many directives.',
    httpStatus: 400,
    exposeDetail: true,
    description: 'The document uses more directives than limits.maxDirectives (default 50). Nothing was executed.',
    fix: 'Remove repeated directives, or raise limits.maxDirectives.',
  },
  COST_LIMIT_EXCEEDED: {
    message: 'The query is estimated to be too expensive.',
    httpStatus: 400,
    exposeDetail: true,
    description: 'The static cost estimate (extensions.cost.estimated) is above cost.maxCost (extensions.cost.max). Refused before any upstream call; the budget is not charged.',
    fix: 'Ask for fewer items (lower `first`/`limit` arguments) or fewer nested lists, or raise cost.maxCost.',
  },
  RATE_LIMITED: {
    message: 'The cost budget of this client is exhausted.',
    httpStatus: 429,
    exposeDetail: true,
    description: 'The client\'s budget (rateLimit.budget points per rateLimit.windowMs, keyed by JWT sub, API key client id or address) holds fewer points than the estimate. extensions.retryAfter and the Retry-After header say when it will.',
    fix: 'Wait extensions.retryAfter seconds, or send cheaper queries; RateLimit-Remaining shows what is left.',
  },
  RATE_LIMIT_UNAVAILABLE: {
    message: 'The rate-limit store is unavailable.',
    httpStatus: 503,
    exposeDetail: false,
    description: 'rateLimit.redis could not be reached within rateLimit.timeoutMs and rateLimit.onStoreError is \'closed\'. (With \'open\', requests go through and the outage is logged.)',
    fix: 'Check the Redis named in rateLimit.redis.',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    message: 'No trusted document has this id.',
    httpStatus: 400,
    exposeDetail: true,
    description: 'The request named a document (`documentId` or extensions.persistedQuery.sha256Hash) that the trustedDocuments manifest does not contain.',
    fix: 'Deploy the client\'s manifest to the gateway (trustedDocuments.manifest) before the client.',
  },
  PERSISTED_QUERY_NOT_IN_LIST: {
    message: 'Only trusted documents may run.',
    httpStatus: 400,
    exposeDetail: true,
    description: 'A free-form query whose sha256 is not in the trustedDocuments manifest, while trustedDocuments.allowArbitrary is false.',
    fix: 'Send the document id instead, or add the document to the manifest.',
  },
  // --- upstream calls (field level: the rest of the query still answers) ---
  UPSTREAM_HTTP_ERROR: {
    message: 'The upstream service answered with an error.',
    httpStatus: 502,
    exposeDetail: true,
    description: 'A REST upstream answered with a non-2xx status other than 401/403/404.',
    fix: 'See extensions.upstream.status and extensions.upstream.problem; check the upstream service.',
  },
  UPSTREAM_NOT_FOUND: {
    message: 'The upstream service has no such entity.',
    httpStatus: 404,
    exposeDetail: true,
    description: 'A lookup of one entity answered 404 (REST) or NOT_FOUND (gRPC); the field is null.',
    fix: 'Usually nothing: the entity does not exist. Check the id you passed.',
  },
  UPSTREAM_UNAUTHORIZED: {
    message: 'The upstream service refused the credentials.',
    httpStatus: 401,
    exposeDetail: false,
    description: 'A REST upstream answered 401 (gRPC UNAUTHENTICATED).',
    fix: 'Check the credentials the source sends (config headers, forwarded identity).',
  },
  UPSTREAM_FORBIDDEN: {
    message: 'The upstream service refused the operation.',
    httpStatus: 403,
    exposeDetail: false,
    description: 'A REST upstream answered 403.',
    fix: 'The caller (or the gateway\'s service account) lacks a permission at the upstream.',
  },
  UPSTREAM_TIMEOUT: {
    message: 'The upstream service did not answer in time.',
    httpStatus: 504,
    exposeDetail: true,
    description: 'The per-source timeout (`timeoutMs`) passed before the upstream answered, or gRPC DEADLINE_EXCEEDED.',
    fix: 'Raise the source\'s timeoutMs if the upstream is slow by design; otherwise check the upstream.',
  },
  UPSTREAM_UNREACHABLE: {
    message: 'The upstream service could not be reached.',
    httpStatus: 502,
    exposeDetail: true,
    description: 'Connection refused, reset, DNS failure or TLS failure before an answer arrived.',
    fix: 'Check the source url/address in the config and that the upstream is running.',
  },
  UPSTREAM_BAD_RESPONSE: {
    message: 'The upstream service answered with something the gateway cannot read.',
    httpStatus: 502,
    exposeDetail: true,
    description: 'Invalid JSON/XML, a body too large, a DOCTYPE or entity in XML, or a shape that contradicts the spec.',
    fix: 'Compare the upstream\'s answer with its spec; re-import the spec if the upstream changed.',
  },
  UPSTREAM_REDIRECT_REFUSED: {
    message: 'The upstream service answered with a redirect, which the gateway does not follow.',
    httpStatus: 502,
    exposeDetail: true,
    description: 'Redirects are never followed (SSRF protection).',
    fix: 'Point the source url at the final location.',
  },
  UPSTREAM_PERMISSION_DENIED: {
    message: 'The upstream service denied the operation.',
    httpStatus: 403,
    exposeDetail: false,
    description: 'gRPC PERMISSION_DENIED.',
    fix: 'The caller (or the gateway\'s credentials) lacks a permission at the upstream.',
  },
  UPSTREAM_UNAVAILABLE: {
    message: 'The upstream service is unavailable.',
    httpStatus: 503,
    exposeDetail: true,
    description: 'gRPC UNAVAILABLE: the service is down or overloaded.',
    fix: 'Retry later; check the upstream.',
  },
  UPSTREAM_CIRCUIT_OPEN: {
    message: 'The upstream service is failing; the gateway did not call it.',
    httpStatus: 503,
    exposeDetail: true,
    description: 'The circuit breaker of every instance of the source is open (>= 50% failures over the last 20 calls, or 5 failures in a row, by default): the field fails at once without a network call until a half-open probe succeeds (after resilience.circuitBreaker.openMs, 30 s by default).',
    fix: 'Check the upstream named in extensions.upstream.source (its errors are in the gateway log); the field answers again once the upstream recovers.',
  },
  UPSTREAM_OVERLOADED: {
    message: 'Too many calls are waiting for the upstream service.',
    httpStatus: 503,
    exposeDetail: true,
    description: 'The source already has resilience.maxInFlight calls in flight (100 by default) and resilience.maxQueued waiting (1024): the call is refused at once instead of queueing without bound.',
    fix: 'Retry later; if the upstream can take more, raise resilience.maxInFlight / maxQueued for the source.',
  },
  UPSTREAM_FAILED_PRECONDITION: {
    message: 'The upstream service refused the operation in the current state.',
    httpStatus: 400,
    exposeDetail: true,
    description: 'gRPC FAILED_PRECONDITION.',
    fix: 'Read extensions.upstream.details for what the upstream expected.',
  },
  UPSTREAM_INVALID_ARGUMENT: {
    message: 'The upstream service rejected the arguments.',
    httpStatus: 400,
    exposeDetail: true,
    description: 'gRPC INVALID_ARGUMENT or OUT_OF_RANGE.',
    fix: 'Check the arguments passed to the field.',
  },
  UPSTREAM_ERROR: {
    message: 'The upstream service failed.',
    httpStatus: 502,
    exposeDetail: true,
    description: 'Any other gRPC status (INTERNAL, UNKNOWN, ABORTED, RESOURCE_EXHAUSTED, ...).',
    fix: 'See extensions.upstream.grpcStatus; check the upstream service.',
  },
  UPSTREAM_SOAP_FAULT: {
    message: 'The SOAP service answered with a Fault.',
    httpStatus: 502,
    exposeDetail: true,
    description: 'A SOAP Fault; extensions carry faultcode, faultstring and detail.',
    fix: 'Read extensions.upstream.faultstring; check the arguments or the SOAP service.',
  },
  UPSTREAM_STREAM_ERROR: {
    message: 'The upstream stream failed.',
    httpStatus: 502,
    exposeDetail: true,
    description: 'A server-streaming call backing a subscription failed midway; the subscription ends.',
    fix: 'Resubscribe; check the upstream service.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}
