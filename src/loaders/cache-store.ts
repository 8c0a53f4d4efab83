import { Redis } from 'ioredis';
import type { Logger } from '../adapters/types';

/**
 * Where cached upstream answers live. Implementations never throw: a store that fails answers
 * "miss" and the gateway calls the upstream (a cache outage never fails a request).
 */
export interface CacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Bounded in-memory LRU with per-entry expiry (a Map keeps insertion order: re-insert on hit). */
export class MemoryCacheStore implements CacheStore {
  private readonly entries = new Map<string, { value: string; expires: number }>();
  constructor(private readonly maxEntries = 10_000) {}

  async get(key: string): Promise<string | undefined> {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: Date.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

/**
 * Redis-backed store shared by several gateway instances. Every operation has a short timeout;
 * while Redis is down, gets miss and sets are dropped (logged once per outage).
 */
export class RedisCacheStore implements CacheStore {
  private readonly redis: Redis;
  private down = false;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.redis = new Redis(url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    this.redis.on('error', (e: Error) => this.markDown(e));
    this.redis.on('ready', () => {
      if (this.down) logger.info('cache: redis is back');
      this.down = false;
    });
  }

  private markDown(e: unknown): void {
    if (!this.down) this.logger.warn('cache: redis unavailable, calling upstreams directly', { error: String((e as Error)?.message ?? e) });
    this.down = true;
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e) => {
          clearTimeout(t);
          reject(e);
        },
      );
    });
  }

  async get(key: string): Promise<string | undefined> {
    if (this.redis.status !== 'ready') return undefined;
    try {
      return (await this.withTimeout(this.redis.get(this.prefix + key))) ?? undefined;
    } catch (e) {
      this.markDown(e);
      return undefined;
    }
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (this.redis.status !== 'ready') return;
    try {
      await this.withTimeout(this.redis.set(this.prefix + key, value, 'PX', ttlMs));
    } catch (e) {
      this.markDown(e);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
