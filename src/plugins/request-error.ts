import { ERROR_CODES, type ErrorCode } from '../errors/codes';
import { GatewayError } from '../errors/gateway-error';

/**
 * A request-level refusal: a GatewayError carrying the registry's HTTP status (and headers) in
 * `extensions.http`, which yoga turns into the response status and strips from the body.
 */
export function requestError(code: ErrorCode, extensions: Record<string, unknown> = {}, headers?: Record<string, string>, message?: string): GatewayError {
  return new GatewayError(code, {
    ...(message ? { message } : {}),
    extensions: { ...extensions, http: { status: ERROR_CODES[code].httpStatus, ...(headers ? { headers } : {}) } },
  });
}

/** The Request behind a yoga context (absent for graphql-ws). */
export function requestOf(context: unknown): Request | undefined {
  const r = (context as { request?: unknown } | undefined)?.request;
  return r && typeof (r as Request).headers?.get === 'function' ? (r as Request) : undefined;
}
