import { describe, expect, it } from 'vitest';
import { MemoryCacheStore } from '../../src/loaders/cache-store';
import { stableStringify } from '../../src/loaders/cache';

describe('MemoryCacheStore', () => {
  it('evicts the least recently used entry past maxEntries', async () => {
    const s = new MemoryCacheStore(2);
    await s.set('a', '1', 10_000);
    await s.set('b', '2', 10_000);
    expect(await s.get('a')).toBe('1'); // a is now the most recent
    await s.set('c', '3', 10_000);
    expect(await s.get('b')).toBeUndefined();
    expect(await s.get('a')).toBe('1');
    expect(await s.get('c')).toBe('3');
    expect(s.size).toBe(2);
  });
  it('expires entries after their TTL', async () => {
    const s = new MemoryCacheStore(10);
    await s.set('a', '1', 20);
    await new Promise((r) => setTimeout(r, 30));
    expect(await s.get('a')).toBeUndefined();
    expect(s.size).toBe(0);
  });
});

describe('stableStringify', () => {
  it('ignores key order and undefined members', () => {
    expect(stableStringify({ b: 1, a: [{ y: 2, x: 1 }], c: undefined })).toBe(stableStringify({ a: [{ x: 1, y: 2 }], b: 1 }));
    expect(stableStringify({ a: 1 })).not.toBe(stableStringify({ a: '1' }));
  });
});
