import { describe, expect, it } from 'vitest';
import { Lru } from '../../src/policy/lru';

/** src/policy/lru.ts: bounded, and an entry used since it was stored outlives one that was not. */
describe('Lru (second-chance eviction)', () => {
  it('never holds more than max entries', () => {
    const lru = new Lru<number, number>(100);
    for (let i = 0; i < 10_000; i++) {
      lru.set(i, i);
      if (i % 3 === 0) lru.get(i - 50);
    }
    expect(lru.size).toBe(100);
  });

  it('evicts an entry not used since it was stored before one that was used', () => {
    const lru = new Lru<string, number>(3);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3);
    expect(lru.get('a')).toBe(1); // a is used: it gets a second chance
    lru.set('d', 4); // evicts b, the oldest unused
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.get('d')]).toEqual([1, 3, 4]);
  });

  it('a hot key survives a stream of one-off keys', () => {
    const lru = new Lru<string, number>(10);
    lru.set('hot', 0);
    for (let i = 0; i < 1_000; i++) {
      expect(lru.get('hot')).toBe(0);
      lru.set(`once-${i}`, i);
    }
  });

  it('set on a present key replaces its value; delete removes it; max 0 stores nothing', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('a', 2);
    expect(lru.get('a')).toBe(2);
    expect(lru.size).toBe(1);
    lru.delete('a');
    expect(lru.get('a')).toBeUndefined();
    const none = new Lru<string, number>(0);
    none.set('x', 1);
    expect(none.size).toBe(0);
  });
});
