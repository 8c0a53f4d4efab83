/**
 * A concurrency limit with a bounded FIFO queue: `maxInFlight` calls run, `maxQueued` wait, and
 * the next one is refused at once (load shedding instead of unbounded memory). A waiter whose
 * signal aborts leaves the queue.
 */
export class ConcurrencyLimiter {
  private inFlightCount = 0;
  // A Set keeps insertion order and deletes in O(1) when a waiter aborts.
  private readonly waiters = new Set<{ grant: () => void }>();

  constructor(
    private readonly maxInFlight: number,
    private readonly maxQueued: number,
  ) {}

  get inFlight(): number {
    return this.inFlightCount;
  }

  get queued(): number {
    return this.waiters.size;
  }

  /**
   * Resolves when a slot is held (call `release()` once after). Returns `false` synchronously-
   * wrapped when the queue is full; rejects with the signal's reason when it aborts while waiting.
   */
  acquire(signal: AbortSignal): Promise<boolean> | boolean {
    if (this.inFlightCount < this.maxInFlight && this.waiters.size === 0) {
      this.inFlightCount++;
      return true;
    }
    if (this.waiters.size >= this.maxQueued) return false;
    return new Promise<boolean>((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(true);
        },
      };
      const onAbort = () => {
        this.waiters.delete(waiter);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  release(): void {
    const first = this.waiters.values().next();
    if (!first.done) {
      this.waiters.delete(first.value);
      first.value.grant(); // the slot passes straight to the waiter
    } else this.inFlightCount = Math.max(0, this.inFlightCount - 1);
  }
}
