import type { ErrorCode } from '../../errors/codes';
import { GatewayError } from '../../errors/gateway-error';

/** gRPC status numbers -> names (the wire contract; kept here so only client.ts imports grpc-js). */
export const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** The translation table: gRPC status -> gateway code. Anything not listed is UPSTREAM_ERROR. */
const STATUS_TO_CODE: Partial<Record<(typeof GRPC_STATUS_NAMES)[number], ErrorCode>> = {
  NOT_FOUND: 'UPSTREAM_NOT_FOUND',
  PERMISSION_DENIED: 'UPSTREAM_PERMISSION_DENIED',
  UNAUTHENTICATED: 'UPSTREAM_UNAUTHORIZED',
  UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  DEADLINE_EXCEEDED: 'UPSTREAM_TIMEOUT',
  FAILED_PRECONDITION: 'UPSTREAM_FAILED_PRECONDITION',
  INVALID_ARGUMENT: 'UPSTREAM_INVALID_ARGUMENT',
  OUT_OF_RANGE: 'UPSTREAM_INVALID_ARGUMENT',
};

export interface GrpcFailure {
  code?: number;
  details?: string;
  message?: string;
}

/**
 * A failed call -> GatewayError with `extensions.upstream = { source, operation, grpcStatus,
 * grpcCode, details }`. `midStream` marks a server stream that failed after delivering events.
 */
export function toGatewayError(err: GrpcFailure, source: string, operation: string, midStream = false): GatewayError {
  const grpcCode = typeof err.code === 'number' ? err.code : 2;
  const grpcStatus = GRPC_STATUS_NAMES[grpcCode] ?? 'UNKNOWN';
  const details = err.details ?? err.message;
  // grpc-js reports a response it could not decode as INTERNAL; that is the upstream's bad answer.
  const undecodable = grpcStatus === 'INTERNAL' && /^Response message parsing error/.test(details ?? '');
  const code: ErrorCode = midStream ? 'UPSTREAM_STREAM_ERROR' : undecodable ? 'UPSTREAM_BAD_RESPONSE' : (STATUS_TO_CODE[grpcStatus] ?? 'UPSTREAM_ERROR');
  return new GatewayError(code, {
    // No `cause`: yoga masks a GraphQLError whose originalError is not a GraphQLError.
    upstream: { source, operation, grpcStatus, grpcCode, details },
  });
}

/** A response that decoded but could not be mapped to the schema (e.g. a bad Timestamp). */
export function badResponse(cause: unknown, source: string, operation: string): GatewayError {
  return new GatewayError('UPSTREAM_BAD_RESPONSE', {
    message: `The upstream answer of ${operation} could not be mapped: ${(cause as Error)?.message ?? String(cause)}`,
    upstream: { source, operation },
  });
}
