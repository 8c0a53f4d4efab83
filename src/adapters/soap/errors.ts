import { GatewayError } from '../../errors/gateway-error';
import type { SoapFault } from './decode';

/** SOAP failures -> gateway error codes (the one translation table of this adapter). */

export interface CallSite {
  source: string;
  operation: string;
}

export function faultError(site: CallSite, fault: SoapFault, status: number): GatewayError {
  return new GatewayError('UPSTREAM_SOAP_FAULT', {
    message: `SOAP Fault from ${site.source}.${site.operation}: ${fault.faultstring || fault.faultcode || 'no faultstring'}`,
    upstream: { ...site, status, faultcode: fault.faultcode, faultstring: fault.faultstring, detail: fault.detail },
  });
}

export function badResponse(site: CallSite, reason: string, status?: number, cause?: unknown): GatewayError {
  return new GatewayError('UPSTREAM_BAD_RESPONSE', {
    message: `${site.source}.${site.operation} answered with something the gateway cannot read: ${reason}`,
    upstream: { ...site, status },
    cause,
  });
}

export function httpError(site: CallSite, status: number): GatewayError {
  if (status >= 300 && status < 400) {
    return new GatewayError('UPSTREAM_REDIRECT_REFUSED', { upstream: { ...site, status } });
  }
  return new GatewayError('UPSTREAM_HTTP_ERROR', {
    message: `${site.source}.${site.operation} answered HTTP ${status} without a SOAP Fault`,
    upstream: { ...site, status },
  });
}

export function timeoutError(site: CallSite, timeoutMs: number): GatewayError {
  return new GatewayError('UPSTREAM_TIMEOUT', {
    message: `${site.source}.${site.operation} did not answer within ${timeoutMs} ms`,
    upstream: { ...site },
  });
}

export function unreachableError(site: CallSite, cause: unknown): GatewayError {
  const code = (cause as { code?: string })?.code;
  return new GatewayError('UPSTREAM_UNREACHABLE', {
    message: `${site.source} could not be reached${code ? ` (${code})` : ''}`,
    upstream: { ...site },
    cause,
  });
}
