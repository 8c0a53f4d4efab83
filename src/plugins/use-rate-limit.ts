import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../adapters/types';
import type { GatewayContext } from '../context';
import type { RateLimitOptions } from '../policy/options';
import { MemoryRateLimitStore, type BucketSpec, type RateLimitStore, type TakeResult } from '../policy/rate-limit-store';
import { RedisRateLimitStore } from '../policy/redis-rate-limit-store';
import { remoteAddress } from './use-auth';
import { requestError, requestOf } from './request-error';
import { withExtension } from './result';

export function createRateLimitStore(options: RateLimitOptions): RateLimitStore {
  return options.redis ? new RedisRateLimitStore(options.redis, options.keyPrefix, options.timeoutMs) : new MemoryRateLimitStore(options.maxKeys);
}

/**
 * Per-client cost budget (token bucket of `budget` points per `windowMs`), keyed by JWT subject,
 * API-key client id, or address for anonymous callers. Before execution the estimate is taken
 * from the bucket (refused with 429 RATE_LIMITED + Retry-After when it does not fit); after
 * execution the difference to the actual cost is refunded. Responses carry `RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset` (through `extensions.http.headers`, which yoga and the
 * fast path turn into response headers). A store failure follows `onStoreError`, is logged
 * (once per outage) and never crashes a request.
 */
export function useRateLimit(options: RateLimitOptions, logger: Logger, store: RateLimitStore = createRateLimitStore(options)): Plugin & { store: RateLimitStore } {
  const bucket: BucketSpec = { capacity: options.budget, windowMs: options.windowMs };
  let storeDown = false;
  const limit = String(options.budget);
  // Lower-case names: what yoga's Headers send, and what the fast path writes as is.
  const rateLimitHeaders = (outcome: TakeResult): Record<string, string> => ({
    'ratelimit-limit': limit,
    'ratelimit-remaining': String(outcome.remaining),
    'ratelimit-reset': String(Math.ceil(outcome.resetMs / 1000)),
  });

  const keyOf = (ctx: GatewayContext & { request?: Request }): string => {
    const identity = ctx.identity;
    if (identity && identity.kind !== 'anonymous') return identity.rateLimitKey;
    const request = requestOf(ctx);
    if (options.trustForwardedFor) {
      // The right-most address is the one your proxy saw; the ones before it are whatever the
      // client wrote (rotating them must not buy a fresh budget).
      const list = request?.headers.get('x-forwarded-for');
      const xff = list ? list.slice(list.lastIndexOf(',') + 1).trim() : undefined;
      if (xff) return `ip:${xff}`;
    }
    return identity?.rateLimitKey ?? `ip:${remoteAddress(ctx) ?? 'unknown'}`;
  };

  const failed = (e: unknown): 'unavailable' => {
    if (!storeDown) logger.warn(`rate limit: store unavailable, failing ${options.onStoreError}`, { error: String((e as Error)?.message ?? e) });
    storeDown = true;
    return 'unavailable';
  };
  const succeeded = (r: TakeResult): TakeResult => {
    if (storeDown) logger.info('rate limit: store is back');
    storeDown = false;
    return r;
  };
  /** Synchronous with the memory store: no promise on the hot path. */
  const take = (key: string, cost: number): TakeResult | 'unavailable' | Promise<TakeResult | 'unavailable'> => {
    try {
      const r = store.take(key, cost, bucket);
      return r instanceof Promise ? r.then(succeeded, failed) : succeeded(r);
    } catch (e) {
      return failed(e);
    }
  };

  return {
    store,
    onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as unknown as GatewayContext & { request?: Request };
      const account = ctx.cost;
      const estimated = account?.estimated ?? 1;
      const key = keyOf(ctx);
      const decide = (outcome: TakeResult | 'unavailable') => {
        if (outcome === 'unavailable') {
          if (options.onStoreError === 'closed') setResultAndStopExecution({ errors: [requestError('RATE_LIMIT_UNAVAILABLE', {}, { 'Retry-After': '1' })] });
          return undefined;
        }
        if (!outcome.allowed) {
          const retryAfter = Math.ceil((Number.isFinite(outcome.retryAfterMs) ? outcome.retryAfterMs : options.windowMs) / 1000);
          setResultAndStopExecution({
            errors: [requestError('RATE_LIMITED', { retryAfter, cost: { estimated, remaining: outcome.remaining } }, { 'Retry-After': String(retryAfter), ...rateLimitHeaders(outcome) })],
          });
          return undefined;
        }
        if (account) account.remaining = outcome.remaining;
        return {
          // Headers go through `extensions.http`, which yoga applies to the response and strips from the body.
          onExecuteDone({ result, setResult }: { result: unknown; setResult: (r: never) => void }) {
            if (!result || typeof result !== 'object' || (!('data' in result) && !('errors' in result))) return undefined;
            const r = result as { extensions?: Record<string, unknown> };
            const finish = (last: TakeResult) => {
              if (account) account.remaining = last.remaining;
              const headers = rateLimitHeaders(last);
              const http = r.extensions?.http as { headers?: Record<string, string> } | undefined;
              setResult(withExtension(r, 'http', http ? Object.assign({}, http, { headers: Object.assign({}, http.headers, headers) }) : { headers }) as never);
            };
            const actual = account?.actual;
            if (actual === undefined || actual >= estimated) return finish(outcome);
            const refund = take(key, actual - estimated);
            if (refund instanceof Promise) return refund.then((x) => finish(x === 'unavailable' ? outcome : x));
            return finish(refund === 'unavailable' ? outcome : refund);
          },
        };
      };
      const outcome = take(key, estimated);
      return outcome instanceof Promise ? outcome.then(decide) : decide(outcome);
    },
  };
}
