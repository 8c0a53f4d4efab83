import { isIPv6 } from 'node:net';
import { Lru } from './lru';
import type { LockoutOptions } from './options';

/**
 * Per-address lockout after repeated invalid credentials (`auth.lockout`): `maxFailures` within
 * `windowMs` lock the address for `windowMs`. While locked, credentials from it are refused
 * without being verified (no brute force, no CPU spent on signatures). In memory, bounded: at
 * most `maxAddresses` entries, least recently used dropped first, so a flood of addresses cannot
 * grow memory. IPv6 addresses count per /64 (one host usually owns a whole /64).
 */
export class AuthLockout {
  private readonly entries: Lru<string, { failures: number; windowStart: number; lockedUntil: number }>;

  constructor(private readonly options: LockoutOptions) {
    this.entries = new Lru(options.maxAddresses);
  }

  /** Milliseconds until the address may present credentials again; 0 when it is not locked out. */
  retryAfterMs(address: string | undefined, now = Date.now()): number {
    if (address === undefined) return 0;
    const e = this.entries.get(lockoutKey(address));
    return e && e.lockedUntil > now ? e.lockedUntil - now : 0;
  }

  /** Counts one invalid credential; true when this failure locked the address out. */
  fail(address: string | undefined, now = Date.now()): boolean {
    if (address === undefined) return false;
    const key = lockoutKey(address);
    let e = this.entries.get(key);
    if (!e || now - e.windowStart >= this.options.windowMs) {
      e = { failures: 0, windowStart: now, lockedUntil: 0 };
      this.entries.set(key, e);
    }
    if (e.lockedUntil > now) return false;
    e.failures++;
    if (e.failures < this.options.maxFailures) return false;
    // Locked for a window; when it ends, the window has passed too and counting starts afresh.
    e.failures = 0;
    e.windowStart = now;
    e.lockedUntil = now + this.options.windowMs;
    return true;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** One lockout per `auth` config object: every endpoint (view) of a gateway shares it. */
const shared = new WeakMap<object, AuthLockout>();
export function lockoutFor(owner: object, options: LockoutOptions): AuthLockout {
  let l = shared.get(owner);
  if (!l) shared.set(owner, (l = new AuthLockout(options)));
  return l;
}

/** `::ffff:10.0.0.1` -> `10.0.0.1`; other IPv6 addresses -> their /64 prefix. */
export function lockoutKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const bare = address.split('%')[0]!;
  // An embedded IPv4 tail (`::1.2.3.4`) stands for two groups.
  const split = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const [head = '', tail = ''] = bare.split('::');
  const left = split(head);
  const right = bare.includes('::') ? split(tail) : [];
  const groups = bare.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
