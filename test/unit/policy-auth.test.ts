import { describe, expect, it } from 'vitest';
import { buildSchema, graphql, type GraphQLObjectType } from 'graphql';
import { SignJWT } from 'jose';
import { POLICY_DIRECTIVES_SDL } from '../../src/policy/directives';
import { applyFieldAuthorization } from '../../src/policy/field-auth';
import { createJwtVerifier, TokenRejected } from '../../src/policy/jwt';
import { anonymousIdentity, type Identity } from '../../src/policy/identity';
import { StartupError } from '../../src/errors/gateway-error';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const options = {
  secret: SECRET,
  issuer: 'iss',
  audience: 'aud',
  clockToleranceSec: 30,
  jwksTimeoutMs: 5_000,
  jwksCooldownMs: 30_000,
  jwksMaxAgeMs: 600_000,
  scopesClaim: 'scope',
  rolesClaim: 'roles',
};
const now = () => Math.floor(Date.now() / 1000);
const sign = (exp: number, claims: Record<string, unknown> = {}) =>
  new SignJWT({ sub: 's', ...claims }).setProtectedHeader({ alg: 'HS256' }).setIssuer('iss').setAudience('aud').setExpirationTime(exp).sign(new TextEncoder().encode(SECRET));

describe('JWT verification: clock tolerance boundaries (30 s)', () => {
  const verifier = createJwtVerifier(options);
  it.each([
    [-1, true],
    [-25, true],
    [-35, false],
    [-120, false],
  ])('exp = now %i s → accepted: %s', async (offset, accepted) => {
    const result = verifier.verify(await sign(now() + offset));
    if (accepted) await expect(result).resolves.toMatchObject({ kind: 'jwt', sub: 's' });
    else await expect(result).rejects.toMatchObject({ reason: 'AUTH_TOKEN_EXPIRED' });
  });

  it('a cached token stops being accepted once it expires (plus tolerance)', async () => {
    const token = await sign(now() - 29);
    await expect(verifier.verify(token)).resolves.toBeTruthy();
    await new Promise((r) => setTimeout(r, 1_100));
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'AUTH_TOKEN_EXPIRED' });
  });

  it('an unsecured (alg: none) token is refused', async () => {
    await expect(verifier.verify('eyJhbGciOiJub25lIn0.eyJzdWIiOiJzIn0.')).rejects.toBeInstanceOf(TokenRejected);
  });
});

describe('field authorization is compiled at build time', () => {
  const schema = buildSchema(
    POLICY_DIRECTIVES_SDL +
      `type Query { open: String secret: String @authenticated scoped: String @requiresScopes(scopes: [["a", "b"], ["c"]]) vault: Vault checked: String @policy(policies: [["p"]]) }
       type Vault @authenticated { content: String }`,
  );
  applyFieldAuthorization(schema, { p: (id: Identity) => id.sub === 'ok' });
  const query = schema.getType('Query') as GraphQLObjectType;

  it('unprotected fields keep their (default) resolver; protected ones are wrapped', () => {
    expect(query.getFields().open!.resolve).toBeUndefined();
    expect(query.getFields().secret!.resolve).toBeTypeOf('function');
    expect(query.getFields().vault!.resolve).toBeTypeOf('function'); // returns a protected type
    expect((schema.getType('Vault') as GraphQLObjectType).getFields().content!.resolve).toBeTypeOf('function');
  });

  const run = (identity: Identity | undefined) =>
    graphql({ schema, source: '{ open secret scoped checked vault { content } }', rootValue: { open: 'o', secret: 's', scoped: 'x', checked: 'c', vault: { content: 'v' } }, contextValue: { identity } });
  const user = (scopes: string[], sub = 'u'): Identity => ({ kind: 'jwt', sub, scopes: new Set(scopes), roles: new Set(), claims: {}, rateLimitKey: 'sub:u' });

  it('anonymous: UNAUTHENTICATED on every protected field; authenticated: FORBIDDEN where scopes/policies miss', async () => {
    const anon = await run(anonymousIdentity());
    expect(anon.data).toEqual({ open: 'o', secret: null, scoped: null, checked: null, vault: null });
    expect(anon.errors!.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    const partial = await run(user(['a']));
    expect(partial.data).toEqual({ open: 'o', secret: 's', scoped: null, checked: null, vault: { content: 'v' } });
    expect(partial.errors!.map((e) => [e.path!.join('.'), e.extensions.code])).toEqual([
      ['scoped', 'FORBIDDEN'],
      ['checked', 'FORBIDDEN'],
    ]);
    expect((await run(user(['c'], 'ok'))).errors).toBeUndefined();
    expect((await run(user(['b', 'a'], 'ok'))).errors).toBeUndefined();
  });

  it('a @policy naming an undefined check stops start-up', () => {
    const s = buildSchema(POLICY_DIRECTIVES_SDL + 'type Query { x: String @policy(policies: [["missing"]]) }');
    expect(() => applyFieldAuthorization(s, {})).toThrow(StartupError);
  });
});
