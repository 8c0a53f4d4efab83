import { createHash, timingSafeEqual } from 'node:crypto';
import type { Identity } from './identity';
import type { AuthOptions } from './options';

export interface ApiKeyVerifier {
  /** The identity of a presented key, or undefined. Compares against every configured hash in constant time. */
  verify(presented: string): Identity | undefined;
}

export function createApiKeyVerifier(keys: AuthOptions['apiKeys']): ApiKeyVerifier {
  const entries = keys.map((k) => ({
    digest: Buffer.from(k.sha256, 'hex'),
    identity: {
      kind: 'apiKey',
      clientId: k.clientId,
      scopes: new Set(k.scopes),
      roles: new Set(k.roles),
      claims: {},
      rateLimitKey: `key:${k.clientId}`,
    } satisfies Identity,
  }));
  return {
    verify(presented) {
      const digest = createHash('sha256').update(presented, 'utf8').digest();
      let found: Identity | undefined;
      // No early exit: the time taken does not say which (or whether a) key matched.
      for (const e of entries) if (timingSafeEqual(digest, e.digest) && !found) found = e.identity;
      return found;
    },
  };
}

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}
