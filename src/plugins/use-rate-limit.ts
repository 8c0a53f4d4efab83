import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../adapters/types';
import type { GatewayContext } from '../context';
import type { RateLimitOptions } from '../policy/options';
import { MemoryRateLimitStore, type BucketSpec, type RateLimitStore, type TakeResult } from '../policy/rate-limit-store';
import { RedisRateLimitStore } from '../policy/redis-rate-limit-store';
import { remoteAddress } from './use-auth';
import { requestError, requestOf } from './request-error';

export function createRateLimitStore(options: RateLimitOptions): RateLimitStore {
  return options.redis ? new RedisRateLimitStore(options.redis, options.keyPrefix, options.timeoutMs) : new MemoryRateLimitStore(options.maxKeys);
}

/**
 * Per-client cost budget (token bucket of `budget` points per `windowMs`), keyed by JWT subject,
 * API-key client id, or address for anonymous callers. Before execution the estimate is taken
 * from the bucket (refused with 429 RATE_LIMITED + Retry-After when it does not fit); after
 * execution the difference to the actual cost is refunded. Responses carry `RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset`. A store failure follows `onStoreError`, is logged
 * (once per outage) and never crashes a request.
 */
export function useRateLimit(options: RateLimitOptions, logger: Logger, store: RateLimitStore = createRateLimitStore(options)): Plugin & { store: RateLimitStore } {
  const bucket: BucketSpec = { capacity: options.budget, windowMs: options.windowMs };
  let storeDown = false;
  const rateLimitHeaders = (outcome: TakeResult): Record<string, string> => ({
    'RateLimit-Limit': String(options.budget),
    'RateLimit-Remaining': String(outcome.remaining),
    'RateLimit-Reset': String(Math.ceil(outcome.resetMs / 1000)),
  });

  const keyOf = (ctx: GatewayContext & { request?: Request }): string => {
    const identity = ctx.identity;
    if (identity && identity.kind !== 'anonymous') return identity.rateLimitKey;
    const request = requestOf(ctx);
    if (options.trustForwardedFor) {
      const xff = request?.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
      if (xff) return `ip:${xff}`;
    }
    return identity?.rateLimitKey ?? `ip:${remoteAddress(ctx) ?? 'unknown'}`;
  };

  const take = async (key: string, cost: number): Promise<TakeResult | 'unavailable'> => {
    try {
      const r = await store.take(key, cost, bucket);
      if (storeDown) logger.info('rate limit: store is back');
      storeDown = false;
      return r;
    } catch (e) {
      if (!storeDown) logger.warn(`rate limit: store unavailable, failing ${options.onStoreError}`, { error: String((e as Error)?.message ?? e) });
      storeDown = true;
      return 'unavailable';
    }
  };

  return {
    store,
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as unknown as GatewayContext & { request?: Request };
      const account = ctx.cost;
      const estimated = account?.estimated ?? 1;
      const key = keyOf(ctx);
      const outcome = await take(key, estimated);
      if (outcome === 'unavailable') {
        if (options.onStoreError === 'closed') setResultAndStopExecution({ errors: [requestError('RATE_LIMIT_UNAVAILABLE', {}, { 'Retry-After': '1' })] });
        return;
      }
      if (!outcome.allowed) {
        const retryAfter = Math.ceil((Number.isFinite(outcome.retryAfterMs) ? outcome.retryAfterMs : options.windowMs) / 1000);
        setResultAndStopExecution({
          errors: [requestError('RATE_LIMITED', { retryAfter, cost: { estimated, remaining: outcome.remaining } }, { 'Retry-After': String(retryAfter), ...rateLimitHeaders(outcome) })],
        });
        return;
      }
      if (account) account.remaining = outcome.remaining;
      return {
        // Headers go through `extensions.http` (yoga applies and strips it): an onResponse hook
        // would put every response of the server on yoga's slower hook path.
        async onExecuteDone({ result, setResult }) {
          if (!('data' in result) && !('errors' in result)) return;
          let last = outcome;
          const actual = account?.actual;
          if (actual !== undefined && actual < estimated) {
            const refund = await take(key, actual - estimated);
            if (refund !== 'unavailable') last = refund;
          }
          if (account) account.remaining = last.remaining;
          const http = (result.extensions?.http ?? {}) as { headers?: Record<string, string> };
          setResult({ ...result, extensions: { ...result.extensions, http: { ...http, headers: { ...http.headers, ...rateLimitHeaders(last) } } } });
        },
      };
    },
  };
}
