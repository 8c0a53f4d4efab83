import type { CircuitBreakerOptions } from './options';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What `tryAcquire` hands out: a normal call, or one of the trial calls of a half-open breaker. */
export type BreakerPermit = 'call' | 'probe';

/**
 * A circuit breaker for one upstream instance. Pure: the caller passes the clock, so tests drive
 * it without timers. Closed → open on `failureRateThreshold` over the last `windowSize` calls
 * (once `minCalls` are in) or `consecutiveFailures` in a row; open → half-open after `openMs`;
 * half-open lets `halfOpenProbes` trial calls through: all succeed → closed, one fails → open.
 */
export class CircuitBreaker {
  private stateValue: BreakerState = 'closed';
  private readonly outcomes: boolean[] = []; // ring of the last windowSize calls, true = failure
  private next = 0;
  private failures = 0;
  private consecutive = 0;
  private openedAt = 0;
  private probesInFlight = 0;
  private probeSuccesses = 0;

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly onChange: (from: BreakerState, to: BreakerState) => void = () => undefined,
  ) {}

  /** The state at `now` (an open breaker whose time is up reads as half-open). */
  state(now: number): BreakerState {
    if (this.stateValue === 'open' && now - this.openedAt >= this.options.openMs) this.transition('half-open');
    return this.stateValue;
  }

  /** Whether a call could go through now (no side effect beyond the open → half-open timer). */
  canPass(now: number): boolean {
    if (!this.options.enabled) return true;
    const s = this.state(now);
    return s === 'closed' || (s === 'half-open' && this.probesInFlight < this.options.halfOpenProbes);
  }

  /** Takes a permit, or null when the breaker refuses the call. */
  tryAcquire(now: number): BreakerPermit | null {
    if (!this.canPass(now)) return null;
    if (this.stateValue === 'half-open') {
      this.probesInFlight++;
      return 'probe';
    }
    return 'call';
  }

  /** Records the outcome of a call made with `permit`. */
  record(permit: BreakerPermit, failed: boolean, now: number): void {
    if (!this.options.enabled) return;
    if (permit === 'probe') {
      this.probesInFlight = Math.max(0, this.probesInFlight - 1);
      if (this.stateValue !== 'half-open') return;
      if (failed) return this.open(now);
      if (++this.probeSuccesses >= this.options.halfOpenProbes) this.close();
      return;
    }
    if (this.stateValue !== 'closed') return; // a late answer from before the breaker opened
    this.push(failed);
    this.consecutive = failed ? this.consecutive + 1 : 0;
    const count = this.outcomes.length;
    if (
      failed &&
      (this.consecutive >= this.options.consecutiveFailures ||
        (count >= this.options.minCalls && this.failures / count >= this.options.failureRateThreshold))
    ) {
      this.open(now);
    }
  }

  /** A call that ended without an outcome (the client went away): frees a probe slot. */
  release(permit: BreakerPermit): void {
    if (permit === 'probe') this.probesInFlight = Math.max(0, this.probesInFlight - 1);
  }

  /** Failure share over the window, for diagnostics. */
  failureRate(): number {
    return this.outcomes.length ? this.failures / this.outcomes.length : 0;
  }

  private push(failed: boolean): void {
    const size = this.options.windowSize;
    if (this.outcomes.length < size) this.outcomes.push(failed);
    else {
      if (this.outcomes[this.next]) this.failures--;
      this.outcomes[this.next] = failed;
      this.next = (this.next + 1) % size;
    }
    if (failed) this.failures++;
  }

  private open(now: number): void {
    this.openedAt = now;
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    this.transition('open');
  }

  private close(): void {
    this.outcomes.length = 0;
    this.next = 0;
    this.failures = 0;
    this.consecutive = 0;
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    this.transition('closed');
  }

  private transition(to: BreakerState): void {
    const from = this.stateValue;
    if (from === to) return;
    this.stateValue = to;
    if (to === 'half-open') {
      this.probesInFlight = 0;
      this.probeSuccesses = 0;
    }
    this.onChange(from, to);
  }
}
