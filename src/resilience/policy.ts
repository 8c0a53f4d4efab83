import type { Logger } from '../adapters/types';
import { GatewayError, type UpstreamErrorDetail } from '../errors/gateway-error';
import { pickLeastInFlight, pickRoundRobin, pickSticky } from './balancer';
import type { BreakerPermit } from './circuit-breaker';
import { classifyError, type AttemptOutcome } from './classify';
import { startHealthChecks, type HealthProbe } from './health';
import { UpstreamInstance, type Instance, type InstanceSnapshot } from './instance';
import { ConcurrencyLimiter } from './limiter';
import type { InstanceSpec, ResilienceOptions } from './options';
import { RetryBudget, backoffDelayMs } from './retry-budget';
import { LiteAbort } from '../util/lite-abort';

export interface UpstreamPolicyOptions {
  instances: readonly InstanceSpec[];
  resilience: ResilienceOptions;
  /** Default per-attempt timeout (the source's `timeoutMs`). */
  timeoutMs: number;
  /** Active health check for this protocol; used when `resilience.healthCheck.enabled`. */
  probe?: HealthProbe;
  /** Failure / retry classification of an attempt's error. @default classifyError */
  classify?: (error: unknown) => AttemptOutcome;
  /** Clock and randomness, for tests. */
  now?: () => number;
  random?: () => number;
}

/** What an attempt gets besides the instance and signal. */
export interface AttemptInfo {
  /** 0 for the first attempt. */
  attempt: number;
  /** Absolute time (ms since epoch) this attempt must finish by: a gRPC deadline, an HTTP timeout. */
  deadline: number;
}

export interface ExecuteOptions {
  /** Safe to repeat (GET/HEAD/PUT/DELETE, queries, or marked in config). Only these are retried. */
  idempotent: boolean;
  /** The caller's signal (client gone, request deadline): aborts the attempt in flight. */
  signal: AbortSignal;
  /** Upstream operation label for errors and logs (`GET /items/{id}`). */
  operation: string;
  /** Sticky routing key (user id, header value); absent = balance normally. */
  stickyKey?: string;
  /** Per-attempt timeout of this operation. @default the policy's timeoutMs */
  timeoutMs?: number;
  /** Absolute deadline of the whole request, when the caller knows it. */
  deadline?: number;
}

export interface UpstreamPolicy {
  /** Runs `call` on a chosen instance with timeout, retries, breaker, limits and cancellation. */
  execute<T>(call: (instance: Instance, signal: AbortSignal, info: AttemptInfo) => Promise<T>, opts: ExecuteOptions): Promise<T>;
  /** Picks an instance without the call machinery (long-lived streams). */
  choose(stickyKey?: string): Instance;
  /** Readiness: true while one instance is healthy (or `readiness: 'always'`). */
  healthy(): boolean;
  readonly instances: readonly Instance[];
  snapshot(): { inFlight: number; queued: number; instances: InstanceSnapshot[] };
  dispose(): void;
}

/**
 * The one traffic-management mechanism of every adapter: instance choice (weighted round-robin,
 * least-in-flight, sticky), active health checks, outlier ejection, a circuit breaker per instance,
 * per-attempt timeouts under a request deadline, budgeted retries of idempotent calls with
 * full-jitter back-off, and a concurrency limit with a bounded queue.
 */
export function createUpstreamPolicy(sourceName: string, options: UpstreamPolicyOptions, logger: Logger): UpstreamPolicy {
  const res = options.resilience;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const classify = options.classify ?? classifyError;
  if (options.instances.length === 0) throw new Error(`source ${sourceName}: no upstream instance`);
  const instances = options.instances.map((s, i) => new UpstreamInstance(s, i, res, logger, sourceName));
  const limiter = new ConcurrencyLimiter(res.maxInFlight, res.maxQueued);
  const budget = new RetryBudget(res.retry);
  const maxEjected = Math.floor((instances.length * res.outlierDetection.maxEjectedPercent) / 100);
  const stopChecks = res.healthCheck.enabled && options.probe ? startHealthChecks(instances, options.probe, res.healthCheck, logger, sourceName) : undefined;
  let disposed = false;

  const mayEject = () => instances.filter((i) => i.isEjected(now())).length < maxEjected;

  const select = (t: number, stickyKey: string | undefined, tried: ReadonlySet<UpstreamInstance>): UpstreamInstance | undefined => {
    let candidates = instances.filter((i) => i.isAvailable(t));
    // Panic mode (Envoy): when checks or ejection removed everyone, ignore them rather than fail.
    if (candidates.length === 0) candidates = instances.filter((i) => i.breaker.canPass(t));
    if (candidates.length === 0) return undefined;
    if (tried.size) {
      const fresh = candidates.filter((i) => !tried.has(i));
      if (fresh.length) candidates = fresh;
    }
    if (stickyKey !== undefined && !tried.size) return pickSticky(candidates, stickyKey);
    return res.loadBalancing === 'least-in-flight' ? pickLeastInFlight(candidates) : pickRoundRobin(candidates);
  };

  const circuitOpen = (upstream: UpstreamErrorDetail) =>
    new GatewayError('UPSTREAM_CIRCUIT_OPEN', {
      upstream,
      message: `${sourceName}: ${upstream.operation} not called: the circuit breaker is open for every instance`,
    });

  async function execute<T>(call: (instance: Instance, signal: AbortSignal, info: AttemptInfo) => Promise<T>, opts: ExecuteOptions): Promise<T> {
    const upstream: UpstreamErrorDetail = { source: sourceName, operation: opts.operation };
    if (disposed) throw new GatewayError('UPSTREAM_UNREACHABLE', { upstream, message: `${sourceName} is shut down` });
    if (opts.signal.aborted) throw cancelled(opts.signal, upstream);
    const start = now();
    const deadline = Math.min(opts.deadline ?? Infinity, start + res.deadlineMs);
    // Fail fast before queueing when no instance can take the call.
    if (!instances.some((i) => i.breaker.canPass(start))) throw circuitOpen(upstream);

    const slot = limiter.acquire(opts.signal);
    if (slot === false) {
      throw new GatewayError('UPSTREAM_OVERLOADED', {
        upstream,
        message: `${sourceName}: ${opts.operation} not called: ${res.maxInFlight} calls in flight and ${res.maxQueued} queued`,
      });
    }
    if (slot !== true) {
      try {
        await slot;
      } catch {
        throw cancelled(opts.signal, upstream);
      }
    }
    try {
      budget.recordCall(now());
      const tried = new Set<UpstreamInstance>();
      const attemptTimeout = opts.timeoutMs ?? options.timeoutMs;
      for (let attempt = 0; ; attempt++) {
        const t = now();
        if (t >= deadline) throw timeoutError(upstream, 'the request deadline passed');
        const inst = select(t, opts.stickyKey, tried);
        const permit: BreakerPermit | null = inst ? inst.breaker.tryAcquire(t) : null;
        if (!inst || !permit) throw circuitOpen(upstream);
        tried.add(inst);
        const timeout = Math.min(attemptTimeout, deadline - t);
        // Not an AbortController: one per attempt is measurable (src/util/lite-abort.ts).
        const attemptAbort = new LiteAbort();
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          attemptAbort.abort(timeoutError(upstream, `no answer within ${timeout} ms`));
        }, timeout);
        const onCallerAbort = () => attemptAbort.abort(opts.signal.reason);
        opts.signal.addEventListener('abort', onCallerAbort, { once: true });
        inst.inFlight++;
        let error: unknown;
        try {
          const value = await call(inst, attemptAbort.signal, { attempt, deadline: t + timeout });
          inst.breaker.record(permit, false, now());
          inst.onSuccess(now());
          return value;
        } catch (e) {
          error = e;
        } finally {
          inst.inFlight--;
          clearTimeout(timer);
          opts.signal.removeEventListener('abort', onCallerAbort);
        }
        // The client went away: no outcome, no retry, nobody waits for the answer.
        if (opts.signal.aborted && !timedOut) {
          inst.breaker.release(permit);
          throw cancelled(opts.signal, upstream, error);
        }
        if (timedOut && !(error instanceof GatewayError && error.code === 'UPSTREAM_TIMEOUT')) {
          error = timeoutError(upstream, `no answer within ${timeout} ms`, instanceNote(inst));
        }
        const outcome = classify(error);
        const t2 = now();
        inst.breaker.record(permit, outcome.failure, t2);
        if (outcome.failure) inst.onFailure(t2, mayEject);
        else inst.onSuccess(t2);
        if (!outcome.retryable || !opts.idempotent || attempt >= res.retry.maxRetries) throw error;
        if (outcome.elsewhereOnly && !instances.some((i) => !tried.has(i) && i.isAvailable(t2))) throw error;
        const delay = backoffDelayMs(attempt, res.retry.baseDelayMs, res.retry.maxDelayMs, random);
        // Only retry when the back-off leaves time for another attempt inside the deadline.
        if (t2 + delay >= deadline - 1) throw error;
        if (!instances.some((i) => i.breaker.canPass(t2))) throw error;
        if (!budget.tryRetry(t2)) {
          logger.debug('upstream retry refused by the retry budget', { source: sourceName, operation: opts.operation });
          throw error;
        }
        logger.debug('upstream retry', { source: sourceName, operation: opts.operation, attempt: attempt + 1, instance: inst.target, delayMs: delay });
        if (delay > 0) {
          await sleep(delay, opts.signal).catch(() => {
            throw cancelled(opts.signal, upstream, error);
          });
        }
      }
    } finally {
      limiter.release();
    }
  }

  return {
    execute,
    choose(stickyKey) {
      const inst = select(now(), stickyKey, new Set());
      if (!inst) throw circuitOpen({ source: sourceName, operation: 'stream' });
      return inst;
    },
    healthy() {
      if (res.readiness === 'always') return !disposed;
      const t = now();
      return !disposed && instances.some((i) => i.isHealthy(t));
    },
    instances,
    snapshot() {
      const t = now();
      return { inFlight: limiter.inFlight, queued: limiter.queued, instances: instances.map((i) => i.snapshot(t)) };
    },
    dispose() {
      disposed = true;
      stopChecks?.();
    },
  };
}

function instanceNote(inst: UpstreamInstance): string {
  return inst.tag ? `${inst.target} (${inst.tag})` : inst.target;
}

function timeoutError(upstream: UpstreamErrorDetail, why: string, instance?: string): GatewayError {
  return new GatewayError('UPSTREAM_TIMEOUT', {
    upstream,
    message: `${upstream.source}: ${upstream.operation} did not answer in time (${why}${instance ? `; ${instance}` : ''})`,
  });
}

/** The caller's signal aborted: the answer is no longer wanted. */
function cancelled(signal: AbortSignal, upstream: UpstreamErrorDetail, cause?: unknown): GatewayError {
  if (cause instanceof GatewayError) return cause; // the protocol's own account (gRPC CANCELLED, ...)
  const reason = signal.reason;
  if (reason instanceof GatewayError) return reason;
  return new GatewayError('UPSTREAM_TIMEOUT', {
    upstream,
    message: `${upstream.source}: ${upstream.operation} cancelled: the request was aborted`,
    cause: cause ?? reason,
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
