import type { Logger } from '../adapters/types';
import type { UpstreamInstance } from './instance';
import type { HealthCheckOptions } from './options';

/** A protocol's active check of one instance: resolves when healthy, rejects otherwise. */
export type HealthProbe = (instance: UpstreamInstance, signal: AbortSignal) => Promise<void>;

/**
 * Runs `probe` against every instance each `intervalMs` (first round at once), with a timeout per
 * check, and flips `checkHealthy` after `unhealthyThreshold` failures / `healthyThreshold` passes
 * in a row. Timers are unref'd; `stop()` aborts checks in flight.
 */
export function startHealthChecks(instances: readonly UpstreamInstance[], probe: HealthProbe, options: HealthCheckOptions, log: Logger, source: string): () => void {
  const stopAll = new AbortController();
  let running = false;
  const round = async () => {
    if (running || stopAll.signal.aborted) return;
    running = true;
    try {
      await Promise.all(instances.map((inst) => checkOne(inst)));
    } finally {
      running = false;
    }
  };
  const checkOne = async (inst: UpstreamInstance) => {
    const signal = AbortSignal.any([stopAll.signal, AbortSignal.timeout(options.timeoutMs)]);
    let ok: boolean;
    let reason: string | undefined;
    try {
      await probe(inst, signal);
      ok = true;
    } catch (e) {
      ok = false;
      reason = (e as Error)?.message ?? String(e);
    }
    if (stopAll.signal.aborted) return;
    if (ok) {
      inst.checkFailures = 0;
      if (!inst.checkHealthy && ++inst.checkPasses >= options.healthyThreshold) {
        inst.checkHealthy = true;
        log.info('upstream instance healthy', { source, instance: inst.target });
      }
    } else {
      inst.checkPasses = 0;
      if (inst.checkHealthy && ++inst.checkFailures >= options.unhealthyThreshold) {
        inst.checkHealthy = false;
        log.warn('upstream instance unhealthy', { source, instance: inst.target, reason });
      }
    }
  };
  const timer = setInterval(() => void round(), options.intervalMs);
  timer.unref();
  const first = setTimeout(() => void round(), 0);
  first.unref();
  return () => {
    stopAll.abort();
    clearInterval(timer);
    clearTimeout(first);
  };
}
