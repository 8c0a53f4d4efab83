import type { Logger } from '../adapters/types';
import type { Balanceable } from './balancer';
import { CircuitBreaker } from './circuit-breaker';
import type { InstanceSpec, ResilienceOptions } from './options';

/** One upstream instance as callers see it. */
export interface Instance {
  readonly id: string;
  /** URL (REST/SOAP) or host:port (gRPC). */
  readonly target: string;
  readonly weight: number;
  readonly tag: string | undefined;
  readonly index: number;
}

/** Diagnostics of one instance (`policy.snapshot()`). */
export interface InstanceSnapshot {
  target: string;
  tag?: string;
  weight: number;
  inFlight: number;
  healthy: boolean;
  ejected: boolean;
  breaker: 'closed' | 'open' | 'half-open';
}

/**
 * The state the policy keeps per instance: active health (checks), passive outlier ejection
 * (consecutive failures → out for a back-off that doubles per ejection), and its circuit breaker.
 */
export class UpstreamInstance implements Instance, Balanceable {
  readonly id: string;
  readonly target: string;
  readonly weight: number;
  readonly tag: string | undefined;
  inFlight = 0;
  currentWeight = 0;
  readonly breaker: CircuitBreaker;
  /** Active health: optimistic until a check says otherwise. */
  checkHealthy = true;
  checkPasses = 0;
  checkFailures = 0;
  private consecutiveFailures = 0;
  private ejectedUntil = 0;
  private ejections = 0;

  constructor(
    spec: InstanceSpec,
    readonly index: number,
    private readonly options: ResilienceOptions,
    private readonly log: Logger,
    private readonly source: string,
  ) {
    this.id = spec.target;
    this.target = spec.target;
    this.weight = spec.weight;
    this.tag = spec.tag;
    this.breaker = new CircuitBreaker(options.circuitBreaker, (from, to) => {
      const level = to === 'open' ? 'warn' : 'info';
      this.log[level]('upstream circuit breaker', { source, instance: this.target, from, to, failureRate: this.breaker.failureRate() });
    });
  }

  isEjected(now: number): boolean {
    return now < this.ejectedUntil;
  }

  /** In rotation: healthy by checks, not ejected, breaker lets a call through. */
  isAvailable(now: number): boolean {
    return this.checkHealthy && !this.isEjected(now) && this.breaker.canPass(now);
  }

  /** For readiness: may take calls now or soon (half-open counts). */
  isHealthy(now: number): boolean {
    return this.checkHealthy && !this.isEjected(now) && this.breaker.state(now) !== 'open';
  }

  onSuccess(now: number): void {
    this.consecutiveFailures = 0;
    if (this.ejections && now > this.ejectedUntil + this.options.outlierDetection.maxEjectionMs) this.ejections = 0;
  }

  /** Counts a failure; returns true when it ejected the instance. `mayEject` enforces maxEjectedPercent. */
  onFailure(now: number, mayEject: () => boolean): boolean {
    const o = this.options.outlierDetection;
    if (!o.enabled) return false;
    if (++this.consecutiveFailures < o.consecutiveFailures || this.isEjected(now) || !mayEject()) return false;
    const ms = Math.min(o.maxEjectionMs, o.baseEjectionMs * 2 ** this.ejections);
    this.ejections++;
    this.consecutiveFailures = 0;
    this.ejectedUntil = now + ms;
    this.log.warn('upstream instance ejected', { source: this.source, instance: this.target, ejectionMs: ms });
    return true;
  }

  snapshot(now: number): InstanceSnapshot {
    return {
      target: this.target,
      ...(this.tag ? { tag: this.tag } : {}),
      weight: this.weight,
      inFlight: this.inFlight,
      healthy: this.checkHealthy,
      ejected: this.isEjected(now),
      breaker: this.breaker.state(now),
    };
  }
}
