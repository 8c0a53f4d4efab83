import { isGatewayError } from '../errors/gateway-error';

/** How a failed attempt counts: against the instance (breaker, ejection), and whether it may be retried. */
export interface AttemptOutcome {
  /** Counts as an instance failure (breaker, outlier ejection). */
  failure: boolean;
  /** Safe to try again (on another instance) when the call is idempotent. */
  retryable: boolean;
  /** Retry only on an instance not tried yet (a timeout: the same instance would likely hang again). */
  elsewhereOnly?: boolean;
}

const RETRYABLE_HTTP = new Set([502, 503, 504]);

/**
 * Default classification of the gateway codes adapters produce. Connection failures, gRPC
 * UNAVAILABLE and HTTP 502/503/504 are retryable, timeouts only on another instance; other 5xx and unreadable answers count
 * against the instance but are not retried; 4xx-class answers are the caller's business and count
 * as successes (the instance answered).
 */
export function classifyError(e: unknown): AttemptOutcome {
  if (!isGatewayError(e)) return { failure: true, retryable: false };
  switch (e.code) {
    case 'UPSTREAM_UNREACHABLE':
    case 'UPSTREAM_UNAVAILABLE':
      return { failure: true, retryable: true };
    case 'UPSTREAM_TIMEOUT':
      return { failure: true, retryable: true, elsewhereOnly: true };
    case 'UPSTREAM_HTTP_ERROR': {
      const status = (e.extensions.upstream as { status?: number } | undefined)?.status ?? 500;
      if (RETRYABLE_HTTP.has(status)) return { failure: true, retryable: true };
      return { failure: status >= 500, retryable: false };
    }
    case 'UPSTREAM_ERROR':
    case 'UPSTREAM_BAD_RESPONSE':
      return { failure: true, retryable: false };
    default:
      return { failure: false, retryable: false };
  }
}
