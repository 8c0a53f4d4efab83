import { createHash } from 'node:crypto';
import type { GatewayContext } from '../context';
import type { GatewayResolver, Logger, ResolverMap } from '../adapters/types';
import { MemoryCacheStore, RedisCacheStore, type CacheStore } from './cache-store';

export interface CacheOptions {
  /** `'<source>.<field>'` (or `'<source>.*'`) -> time to live in ms. Only listed queries are cached. */
  ttlMs: Record<string, number>;
  redis?: string;
  keyPrefix: string;
  maxEntries: number;
  timeoutMs: number;
}

export function createCacheStore(options: CacheOptions, logger: Logger): CacheStore {
  return options.redis ? new RedisCacheStore(options.redis, options.keyPrefix, options.timeoutMs, logger) : new MemoryCacheStore(options.maxEntries);
}

/** JSON with sorted keys, so `{a,b}` and `{b,a}` make the same cache key. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(',')}}`;
}

/**
 * Wraps a source's Query resolvers with the cross-request cache. The key holds everything that
 * changes the answer: source, field, arguments, and the values of the headers the source
 * forwards upstream (the caller's identity) — one caller's data is never served to another.
 * Errors are never cached; a store failure means "call the upstream".
 */
export function withCache(
  source: string,
  resolvers: ResolverMap,
  options: CacheOptions,
  store: CacheStore,
  identityHeaders: readonly string[],
): ResolverMap {
  const query = resolvers.Query;
  if (!query || typeof query !== 'object' || 'serialize' in query) return resolvers;
  const wrapped: Record<string, unknown> = { ...query };
  for (const [field, fn] of Object.entries(query)) {
    if (typeof fn !== 'function') continue;
    const ttl = options.ttlMs[`${source}.${field}`] ?? options.ttlMs[`${source}.Query.${field}`] ?? options.ttlMs[`${source}.*`];
    if (!ttl) continue;
    const resolve = fn as GatewayResolver;
    wrapped[field] = async (parent: unknown, args: Record<string, unknown>, ctx: GatewayContext, info: never) => {
      // The caller as the upstream sees it: forwarded headers, and identity headers set by auth.forward.
      const fromAuth = ctx.upstreamHeaders?.[source];
      const identity = identityHeaders.map((h) => ctx.requestHeaders.get(h) ?? '').join('\n') + (fromAuth ? `\n${stableStringify(fromAuth)}` : '');
      const key = `${source}:${field}:${createHash('sha256').update(stableStringify(args)).update('\0').update(identity).digest('base64url')}`;
      const hit = await store.get(key);
      if (hit !== undefined) {
        try {
          return JSON.parse(hit);
        } catch {
          // a corrupt entry is a miss
        }
      }
      const value = await resolve(parent, args, ctx, info);
      void store.set(key, JSON.stringify(value), ttl);
      return value;
    };
  }
  return { ...resolvers, Query: wrapped as ResolverMap['Query'] };
}
