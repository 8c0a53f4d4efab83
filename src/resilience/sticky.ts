import type { GatewayContext } from '../context';
import type { ResilienceOptions } from './options';

/** The caller's sticky-routing key for a source, or undefined (no stickiness / no key on this request). */
export function stickyKeyFor(sticky: ResilienceOptions['sticky'], ctx: Pick<GatewayContext, 'requestHeaders' | 'identity'>): string | undefined {
  if (!sticky) return undefined;
  if ('header' in sticky) return ctx.requestHeaders.get(sticky.header) ?? undefined;
  const id = ctx.identity;
  if (!id) return undefined;
  return id.sub ? `sub:${id.sub}` : id.clientId ? `client:${id.clientId}` : id.rateLimitKey;
}
