import type { RetryOptions } from './options';

const BUCKETS = 10;

/**
 * Caps retries at `budgetRatio` of the calls seen over a sliding window (`budgetWindowMs`, in
 * 10 buckets) plus a reserve of `budgetMinRetriesPerSec` so low traffic can still retry: Finagle's
 * retry budget as Apollo used it (20% + 10/s); Envoy's is the same idea over concurrent retries.
 * Memory is constant.
 */
export class RetryBudget {
  private readonly calls = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);
  private readonly bucketMs: number;
  private current = 0;
  private currentStart = 0;

  constructor(private readonly options: Pick<RetryOptions, 'budgetRatio' | 'budgetMinRetriesPerSec' | 'budgetWindowMs'>) {
    this.bucketMs = Math.max(1, Math.ceil(options.budgetWindowMs / BUCKETS));
  }

  /** Counts one logical call (first attempts only). */
  recordCall(now: number): void {
    this.advance(now);
    this.calls[this.current]!++;
  }

  /** Takes one retry from the budget; false = over budget, do not retry. */
  tryRetry(now: number): boolean {
    this.advance(now);
    const calls = sum(this.calls);
    const retries = sum(this.retries);
    const allowed = Math.floor((this.options.budgetMinRetriesPerSec * this.options.budgetWindowMs) / 1000 + calls * this.options.budgetRatio);
    if (retries >= allowed) return false;
    this.retries[this.current]!++;
    return true;
  }

  /** Calls and retries currently in the window, for diagnostics and tests. */
  usage(now: number): { calls: number; retries: number } {
    this.advance(now);
    return { calls: sum(this.calls), retries: sum(this.retries) };
  }

  private advance(now: number): void {
    if (this.currentStart === 0) this.currentStart = now;
    let steps = Math.floor((now - this.currentStart) / this.bucketMs);
    if (steps <= 0) return;
    this.currentStart += steps * this.bucketMs;
    steps = Math.min(steps, BUCKETS);
    for (let i = 0; i < steps; i++) {
      this.current = (this.current + 1) % BUCKETS;
      this.calls[this.current] = 0;
      this.retries[this.current] = 0;
    }
  }
}

function sum(a: number[]): number {
  let s = 0;
  for (const x of a) s += x;
  return s;
}

/** Full-jitter exponential back-off: uniform in [0, min(maxMs, baseMs × 2^attempt)]. */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}
