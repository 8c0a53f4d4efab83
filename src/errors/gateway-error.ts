import { GraphQLError } from 'graphql';
import { ERROR_CODES, type ErrorCode } from './codes';

/** Structured detail about the upstream call that failed, shown under `extensions.upstream`. */
export interface UpstreamErrorDetail {
  source: string;
  operation: string;
  /** HTTP status of a REST/SOAP upstream. */
  status?: number;
  /** gRPC status name and number. */
  grpcStatus?: string;
  grpcCode?: number;
  details?: string;
  /** RFC 7807 problem+json body, when the upstream sent one. */
  problem?: Record<string, unknown>;
  faultcode?: string;
  faultstring?: string;
  detail?: unknown;
}

export interface GatewayErrorOptions {
  message?: string;
  upstream?: UpstreamErrorDetail;
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A user-facing error: always a GraphQLError with `extensions.code` from the registry, so yoga's
 * masking lets it through. Anything that is not a GatewayError is masked as INTERNAL_SERVER_ERROR.
 */
export class GatewayError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, options: GatewayErrorOptions = {}) {
    const info = ERROR_CODES[code];
    super(options.message ?? info.message, {
      extensions: {
        code,
        ...(options.upstream ? { upstream: stripUndefined(options.upstream) } : {}),
        ...options.extensions,
      },
    });
    this.code = code;
    // Kept for logs only. Never `originalError`: yoga masks a GraphQLError whose originalError is
    // not itself a GraphQLError, which would hide the code from the client.
    if (options.cause !== undefined) Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false });
  }
}

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}

/** A start-up problem (config, spec, schema): names where it is and how to fix it. */
export interface Problem {
  code: ErrorCode;
  /** File the problem is in, when known. */
  file?: string;
  /** Config key path (`sources[0].url`) or spec location (`#/paths/~1users/get`). */
  key?: string;
  message: string;
  fix?: string;
}

/** Thrown when start-up cannot continue; carries every problem found, not just the first. */
export class StartupError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'StartupError';
    this.problems = problems;
  }
}

export function formatProblem(p: Problem): string {
  const where = [p.file, p.key].filter(Boolean).join(' ');
  const fix = p.fix ?? ERROR_CODES[p.code].fix;
  return `${p.code}${where ? ` at ${where}` : ''}: ${p.message}${fix ? `\n  fix: ${fix}` : ''}`;
}
