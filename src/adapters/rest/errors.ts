import { GatewayError, type UpstreamErrorDetail } from '../../errors/gateway-error';
import type { ErrorCode } from '../../errors/codes';

/** HTTP status of a non-2xx answer -> gateway code. The upstream status never becomes ours. */
export function codeForStatus(status: number, entityLookup: boolean): ErrorCode {
  if (status === 404 && entityLookup) return 'UPSTREAM_NOT_FOUND';
  if (status === 401) return 'UPSTREAM_UNAUTHORIZED';
  if (status === 403) return 'UPSTREAM_FORBIDDEN';
  if (status === 408 || status === 504) return 'UPSTREAM_TIMEOUT';
  if (status >= 300 && status < 400) return 'UPSTREAM_REDIRECT_REFUSED';
  return 'UPSTREAM_HTTP_ERROR';
}

const PROBLEM_KEYS = ['type', 'title', 'status', 'detail', 'instance'] as const;

/** Keeps the RFC 7807 members of a problem+json body (bounded), never the raw upstream body. */
export function pickProblem(body: unknown): Record<string, unknown> | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of PROBLEM_KEYS) {
    const v = (body as Record<string, unknown>)[k];
    if (typeof v === 'string') out[k] = v.slice(0, 500);
    else if (typeof v === 'number') out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

export function httpError(status: number, entityLookup: boolean, upstream: UpstreamErrorDetail): GatewayError {
  const code = codeForStatus(status, entityLookup);
  const message =
    code === 'UPSTREAM_HTTP_ERROR'
      ? `${upstream.source}: ${upstream.operation} answered HTTP ${status}${upstream.problem?.title ? ` (${String(upstream.problem.title)})` : ''}`
      : undefined;
  return new GatewayError(code, { message, upstream: { ...upstream, status } });
}

interface ErrorWithCode {
  code?: string;
  name?: string;
  cause?: unknown;
}

/** undici / network failures -> gateway codes. */
export function transportError(e: unknown, timedOut: boolean, upstream: UpstreamErrorDetail): GatewayError {
  if (e instanceof GatewayError) return e;
  if (timedOut) return new GatewayError('UPSTREAM_TIMEOUT', { upstream, message: `${upstream.source}: ${upstream.operation} did not answer in time` });
  const err = e as ErrorWithCode;
  const code = err?.code ?? (err?.cause as ErrorWithCode | undefined)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new GatewayError('UPSTREAM_TIMEOUT', { upstream, message: `${upstream.source}: ${upstream.operation} did not answer in time` });
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new GatewayError('UPSTREAM_BAD_RESPONSE', { upstream, message: `${upstream.source}: ${upstream.operation} answered with a body larger than maxResponseBytes` });
  }
  return new GatewayError('UPSTREAM_UNREACHABLE', {
    upstream,
    message: `${upstream.source}: ${upstream.operation} could not be reached${code ? ` (${code})` : ''}`,
  });
}
