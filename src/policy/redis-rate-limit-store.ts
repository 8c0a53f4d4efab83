import { Redis } from 'ioredis';
import type { BucketSpec, RateLimitStore, TakeResult } from './rate-limit-store';

/**
 * The bucket update as one Lua script, so it is atomic across every gateway sharing the Redis.
 * Time is Redis' own clock (TIME), so instances with skewed clocks still agree.
 * KEYS[1] bucket; ARGV: capacity, windowMs, cost. Returns {allowed, tokens-as-string}.
 */
const TAKE_LUA = `
local capacity = tonumber(ARGV[1])
local rate = capacity / tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil then tokens = capacity; ts = now end
if now > ts then tokens = math.min(capacity, tokens + (now - ts) * rate) end
local allowed = 0
if cost <= 0 or cost <= tokens then
  tokens = math.min(capacity, tokens - cost)
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return {allowed, tostring(tokens)}
`;

type WithTake = Redis & { switchyardTake(key: string, capacity: number, windowMs: number, cost: number): Promise<[number, string]> };

/** Buckets in Redis, shared by several gateway instances. Every call has a short timeout. */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: WithTake;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {
    const redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    // Errors surface on the calls (and are logged by the plugin); never as an unhandled 'error' event.
    redis.on('error', () => undefined);
    redis.defineCommand('switchyardTake', { numberOfKeys: 1, lua: TAKE_LUA });
    this.redis = redis as WithTake;
  }

  async take(key: string, cost: number, bucket: BucketSpec): Promise<TakeResult> {
    if (this.redis.status !== 'ready') await this.ready();
    const [allowed, tokensText] = await this.withTimeout(this.redis.switchyardTake(this.prefix + key, bucket.capacity, bucket.windowMs, cost));
    const tokens = Number(tokensText);
    const rate = bucket.capacity / bucket.windowMs;
    const ok = allowed === 1;
    return {
      allowed: ok,
      remaining: Math.floor(tokens),
      resetMs: Math.ceil((bucket.capacity - tokens) / rate),
      retryAfterMs: ok ? 0 : cost > bucket.capacity ? Infinity : Math.ceil((cost - tokens) / rate),
    };
  }

  /** Waits (at most timeoutMs) for a connection in progress; rejects when there is none. */
  private ready(): Promise<void> {
    const status = this.redis.status;
    if (status !== 'connecting' && status !== 'connect' && status !== 'wait') return Promise.reject(new Error(`redis is ${status}`));
    return this.withTimeout(new Promise<void>((resolve) => this.redis.once('ready', () => resolve())));
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      p.then(
        (v) => (clearTimeout(t), resolve(v)),
        (e) => (clearTimeout(t), reject(e)),
      );
    });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
