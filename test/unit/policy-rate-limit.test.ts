import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../src/policy/rate-limit-store';
import { createApiKeyVerifier, sha256Hex } from '../../src/policy/api-keys';
import { claimAt, stringSet } from '../../src/policy/identity';
import { identityFromClaims } from '../../src/policy/jwt';

describe('token bucket (memory store)', () => {
  const bucket = { capacity: 100, windowMs: 10_000 };

  it('takes until empty, refuses with a retry time, refills with time', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore(10, () => now);
    expect(await store.take('a', 60, bucket)).toMatchObject({ allowed: true, remaining: 40, resetMs: 6_000 });
    expect(await store.take('a', 50, bucket)).toMatchObject({ allowed: false, remaining: 40, retryAfterMs: 1_000 });
    now = 1_000;
    expect(await store.take('a', 50, bucket)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await store.take('b', 100, bucket)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('refunds (negative cost) never beyond capacity', async () => {
    const store = new MemoryRateLimitStore(10, () => 0);
    await store.take('a', 30, bucket);
    expect(await store.take('a', -20, bucket)).toMatchObject({ allowed: true, remaining: 90 });
    expect(await store.take('a', -500, bucket)).toMatchObject({ remaining: 100 });
  });

  it('is bounded: least recently used buckets go first', async () => {
    const store = new MemoryRateLimitStore(3, () => 0);
    for (const k of ['a', 'b', 'c', 'd', 'e']) await store.take(k, 1, bucket);
    expect(store.size).toBe(3);
  });
});

describe('API keys', () => {
  const verifier = createApiKeyVerifier([
    { sha256: sha256Hex('key-one-secret'), clientId: 'one', scopes: ['a'], roles: [] },
    { sha256: sha256Hex('key-two-secret'), clientId: 'two', scopes: [], roles: [] },
  ]);
  it('maps a key to its client id and scopes; near misses are refused', () => {
    expect(verifier.verify('key-two-secret')?.clientId).toBe('two');
    expect([...verifier.verify('key-one-secret')!.scopes]).toEqual(['a']);
    expect(verifier.verify('key-one-secreT')).toBeUndefined();
    expect(verifier.verify('')).toBeUndefined();
  });
});

describe('scopes and roles from claims', () => {
  it('space-separated scope, scp arrays, nested paths', () => {
    expect([...stringSet('a b  c')]).toEqual(['a', 'b', 'c']);
    expect([...stringSet(['x', 1, 'y'])]).toEqual(['x', 'y']);
    expect(claimAt({ realm_access: { roles: ['r'] } }, 'realm_access.roles')).toEqual(['r']);
    expect(claimAt({ 'https://x.io/roles': ['r'] }, 'https://x.io/roles')).toEqual(['r']);
    const id = identityFromClaims({ sub: 'u1', scp: ['s1'], realm: { roles: 'admin ops' } }, 't', { scopesClaim: 'scp', rolesClaim: 'realm.roles' });
    expect([...id.scopes]).toEqual(['s1']);
    expect([...id.roles]).toEqual(['admin', 'ops']);
    expect(id.rateLimitKey).toBe('sub:u1');
  });
});
