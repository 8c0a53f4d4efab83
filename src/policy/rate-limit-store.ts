import { Lru } from './lru';

/** A token bucket: holds up to `capacity` points and refills `capacity` every `windowMs`. */
export interface BucketSpec {
  capacity: number;
  windowMs: number;
}

export interface TakeResult {
  /** Whether `cost` points were taken (a refund, cost < 0, is always allowed). */
  allowed: boolean;
  /** Points left after this call (whole points). */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
  /** Milliseconds until `cost` points would be available (0 when allowed). */
  retryAfterMs: number;
}

/**
 * Where budgets live. `take` is atomic per key: concurrent callers (in this process or, for a
 * shared store, in other gateway instances) never spend the same points twice. A negative cost
 * refunds points (never beyond capacity). Implementations reject when the store is unreachable.
 */
export interface RateLimitStore {
  /** Synchronous for in-process stores, so the hot path needs no promise. */
  take(key: string, cost: number, bucket: BucketSpec): TakeResult | Promise<TakeResult>;
  close(): Promise<void>;
}

/** Pure token-bucket arithmetic shared by the stores (the Redis Lua script mirrors it). */
export function refill(tokens: number, lastMs: number, nowMs: number, bucket: BucketSpec): number {
  const rate = bucket.capacity / bucket.windowMs;
  return Math.min(bucket.capacity, tokens + Math.max(0, nowMs - lastMs) * rate);
}

export function takeFrom(tokens: number, cost: number, bucket: BucketSpec): { tokens: number; result: TakeResult } {
  const rate = bucket.capacity / bucket.windowMs;
  const allowed = cost <= 0 || cost <= tokens;
  const after = allowed ? Math.min(bucket.capacity, tokens - cost) : tokens;
  return {
    tokens: after,
    result: {
      allowed,
      remaining: Math.floor(after),
      resetMs: Math.ceil((bucket.capacity - after) / rate),
      retryAfterMs: allowed ? 0 : cost > bucket.capacity ? Infinity : Math.ceil((cost - tokens) / rate),
    },
  };
}

/**
 * In-process buckets, bounded: at most `maxKeys` (least recently used dropped — a dropped bucket
 * comes back full, which is also what it would be once its window passed).
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly buckets: Lru<string, { tokens: number; lastMs: number }>;

  constructor(
    maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new Lru(maxKeys);
  }

  take(key: string, cost: number, bucket: BucketSpec): TakeResult {
    const nowMs = this.now();
    const b = this.buckets.get(key); // marks it recently used
    const tokens = b ? refill(b.tokens, b.lastMs, nowMs, bucket) : bucket.capacity;
    const { tokens: after, result } = takeFrom(tokens, cost, bucket);
    if (b) {
      b.tokens = after;
      b.lastMs = nowMs;
    } else this.buckets.set(key, { tokens: after, lastMs: nowMs });
    return result;
  }

  async close(): Promise<void> {}

  get size(): number {
    return this.buckets.size;
  }
}
