/**
 * Instance selection, pure apart from the round-robin counters it keeps on the instances.
 * - round-robin: smooth weighted round-robin (nginx): exact shares, evenly interleaved;
 * - least-in-flight: fewest calls in flight per unit of weight, ties broken round-robin;
 * - sticky: weighted rendezvous hashing on a caller key, so a caller keeps its instance while it
 *   is available, only callers of a removed instance move, and weights still set the shares.
 */

export interface Balanceable {
  /** Stable id (the target): sticky hashing depends on it, not on list order. */
  readonly id: string;
  readonly weight: number;
  inFlight: number;
  /** Smooth weighted round-robin state. */
  currentWeight: number;
}

export function pickRoundRobin<T extends Balanceable>(candidates: readonly T[]): T | undefined {
  let total = 0;
  let best: T | undefined;
  for (const c of candidates) {
    c.currentWeight += c.weight;
    total += c.weight;
    if (!best || c.currentWeight > best.currentWeight) best = c;
  }
  if (best) best.currentWeight -= total;
  return best;
}

let leastRotor = 0;

export function pickLeastInFlight<T extends Balanceable>(candidates: readonly T[]): T | undefined {
  const n = candidates.length;
  if (n === 0) return undefined;
  const start = leastRotor++ % n;
  let best: T | undefined;
  let bestLoad = Infinity;
  for (let k = 0; k < n; k++) {
    const c = candidates[(start + k) % n]!;
    const load = c.weight > 0 ? (c.inFlight + 1) / c.weight : Infinity;
    if (load < bestLoad) {
      best = c;
      bestLoad = load;
    }
  }
  return best ?? candidates[start];
}

/** Weighted rendezvous (highest random weight): score = -weight / ln(u), u = hash(key, id) in (0, 1). */
export function pickSticky<T extends Balanceable>(candidates: readonly T[], key: string): T | undefined {
  let best: T | undefined;
  let bestScore = -Infinity;
  for (const c of candidates) {
    if (c.weight <= 0) continue;
    const u = (hash32(`${key}\u0000${c.id}`) + 0.5) / 4294967296;
    const score = -c.weight / Math.log(u);
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best ?? candidates[0];
}

/** FNV-1a with a murmur3 finaliser: cheap, well spread, stable across processes. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
