import { describe, expect, it } from 'vitest';
import { AuthLockout, lockoutKey } from '../../src/policy/lockout';
import { validateConfig } from '../../src/config/load';
import { StartupError } from '../../src/errors/gateway-error';
import { identityHeader } from '../../src/adapters/soap/encode';
import { wsTrustedDocuments } from '../../src/server/ws-trusted-documents';
import { sha256Hex } from '../../src/policy/api-keys';
import { GatewayError } from '../../src/errors/gateway-error';

const base = { baseDir: '/tmp', configFile: '/tmp/switchyard.config.ts', env: {} };

describe('AuthLockout', () => {
  it('locks after maxFailures within windowMs, for windowMs; then counts afresh', () => {
    const l = new AuthLockout({ maxFailures: 3, windowMs: 1_000, maxAddresses: 10 });
    expect(l.fail('10.0.0.1', 0)).toBe(false);
    expect(l.fail('10.0.0.1', 100)).toBe(false);
    expect(l.retryAfterMs('10.0.0.1', 100)).toBe(0);
    expect(l.fail('10.0.0.1', 200)).toBe(true);
    expect(l.retryAfterMs('10.0.0.1', 200)).toBe(1_000);
    expect(l.retryAfterMs('10.0.0.1', 900)).toBe(300);
    expect(l.retryAfterMs('10.0.0.2', 900)).toBe(0);
    // Failures while locked do not extend the lockout.
    expect(l.fail('10.0.0.1', 500)).toBe(false);
    expect(l.retryAfterMs('10.0.0.1', 1_200)).toBe(0);
    expect(l.fail('10.0.0.1', 1_200)).toBe(false);
  });

  it('failures spread over more than windowMs never lock', () => {
    const l = new AuthLockout({ maxFailures: 3, windowMs: 1_000, maxAddresses: 10 });
    for (let t = 0; t < 10_000; t += 600) expect(l.fail('a', t)).toBe(false);
  });

  it('no address (the front passed none): never counted, never locked', () => {
    const l = new AuthLockout({ maxFailures: 1, windowMs: 1_000, maxAddresses: 10 });
    expect(l.fail(undefined)).toBe(false);
    expect(l.retryAfterMs(undefined)).toBe(0);
    expect(l.size).toBe(0);
  });

  it('is bounded: a flood of addresses keeps at most maxAddresses entries', () => {
    const l = new AuthLockout({ maxFailures: 2, windowMs: 60_000, maxAddresses: 100 });
    for (let i = 0; i < 50_000; i++) l.fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(l.size).toBe(100);
  });

  it('keys IPv4-mapped addresses as IPv4 and IPv6 addresses by /64', () => {
    expect(lockoutKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(lockoutKey('10.1.2.3')).toBe('10.1.2.3');
    expect(lockoutKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(lockoutKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(lockoutKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(lockoutKey('::1')).toBe('0:0:0:0::/64');
    expect(lockoutKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(lockoutKey('1::2:3:4:5:1.2.3.4')).toBe('1:0:2:3::/64');
  });
});

describe('auth config: lockout, JWKS grace, SOAP forward names', () => {
  const rest = { kind: 'rest', name: 'users', spec: './users.yaml' };
  const soap = { kind: 'soap', name: 'inventory', wsdl: './inventory.wsdl' };

  it('defaults: lockout 10 failures / 60 s / 10000 addresses; JWKS stale grace 1 h', () => {
    const cfg = validateConfig({ sources: [rest], auth: { jwt: { jwksUrl: 'https://idp.test/jwks.json', issuer: 'i', audience: 'a' } } }, base);
    expect(cfg.auth!.lockout).toEqual({ maxFailures: 10, windowMs: 60_000, maxAddresses: 10_000 });
    expect(cfg.auth!.jwt!.jwksStaleGraceMs).toBe(3_600_000);
    expect(validateConfig({ sources: [rest], auth: { lockout: false } }, base).auth!.lockout).toBe(false);
    expect(validateConfig({ sources: [rest], auth: { lockout: { maxFailures: 5 } } }, base).auth!.lockout).toEqual({ maxFailures: 5, windowMs: 60_000, maxAddresses: 10_000 });
  });

  it('refuses bad lockout values and forward names that are no XML names for SOAP sources', () => {
    const problems = (raw: unknown) => {
      try {
        validateConfig(raw, base);
      } catch (e) {
        expect(e).toBeInstanceOf(StartupError);
        return (e as StartupError).problems.map((p) => p.key);
      }
      return [];
    };
    expect(problems({ sources: [rest], auth: { lockout: { maxFailures: 0 } } })).toEqual(['auth.lockout.maxFailures']);
    expect(problems({ sources: [rest], auth: { lockout: true } })).toEqual(['auth.lockout']);
    expect(problems({ sources: [rest], auth: { jwt: { jwksUrl: 'https://idp.test/j', issuer: 'i', audience: 'a', jwksStaleGraceMs: -1 } } })).toEqual(['auth.jwt.jwksStaleGraceMs']);
    // `x~id` is a valid HTTP header name (fine for REST), not an XML element name.
    expect(problems({ sources: [rest, soap], auth: { forward: { users: { 'x~id': 'sub' }, inventory: { 'x-user-id': 'sub', 'x~id': 'sub' } } } })).toEqual(['auth.forward.inventory.x~id']);
  });
});

describe('SOAP identity header', () => {
  it('one namespaced element per non-empty value, XML-escaped; nothing for no values', () => {
    expect(identityHeader({ 'x-user-id': 'a<b>&"\'', 'x-tenant': '' }, undefined)).toBe(
      '<sy:Identity xmlns:sy="urn:switchyard:identity"><sy:x-user-id>a&lt;b&gt;&amp;&quot;&apos;</sy:x-user-id></sy:Identity>',
    );
    expect(identityHeader({ 'x-user-id': '' }, undefined)).toBe('');
    expect(identityHeader(undefined, undefined)).toBe('');
    expect(identityHeader({ user: 'u1' }, { element: 'Caller', namespace: 'urn:corp:"auth"' })).toBe('<sy:Caller xmlns:sy="urn:corp:&quot;auth&quot;"><sy:user>u1</sy:user></sy:Caller>');
    // Control characters XML cannot carry are replaced, never written raw.
    expect(identityHeader({ user: 'a\u0001b' }, undefined)).toContain('<sy:user>a\ufffdb</sy:user>');
  });
});

describe('trusted documents over graphql-ws (payload rules)', () => {
  const text = 'query Q { a }';
  const docs = { byId: new Map([['q', text], [sha256Hex(text), text]]), hashes: new Set([sha256Hex(text)]) };
  const strict = wsTrustedDocuments({ manifest: 'm.json', allowArbitrary: false }, docs);
  const loose = wsTrustedDocuments({ manifest: 'm.json', allowArbitrary: true }, docs);
  const code = (r: unknown) => (r instanceof GatewayError ? r.code : 'ok');

  it('swaps an id for its document, refuses unknown ids and free-form text', () => {
    expect(strict({ query: '', documentId: 'q', variables: { x: 1 } })).toEqual({ query: text, variables: { x: 1 } });
    expect(strict({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(text) } } })).toMatchObject({ query: text });
    expect(code(strict({ query: '', documentId: 'nope' }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(code(strict({ query: '{ a }' }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(strict({ query: text })).toEqual({ query: text });
    expect(loose({ query: '{ a }' })).toEqual({ query: '{ a }' });
    expect(code(loose({ query: '', documentId: 'nope' }))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
