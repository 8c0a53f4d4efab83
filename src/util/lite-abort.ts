/**
 * A minimal abort signal for one upstream attempt. Node's AbortController/AbortSignal (an
 * EventTarget) costs several microseconds to create and to listen on; the gateway makes one per
 * upstream attempt, which showed as ~4% of a small request's CPU. This covers what the attempt's
 * consumers use: `aborted`, `reason`, `addEventListener('abort', fn, { once })`,
 * `removeEventListener`, `throwIfAborted()` (undici accepts any object with addEventListener).
 *
 * It never leaves the adapters: the request-level `ctx.signal` stays a real AbortSignal, so
 * resolvers can hand it to fetch().
 */
type Listener = (this: unknown, ev: { type: 'abort' }) => void;

export class LiteAbort {
  aborted = false;
  reason: unknown = undefined;
  onabort: Listener | null = null;
  #listeners: Listener[] | null = null;

  /** `this` typed as an AbortSignal for the consumers' signatures (structurally what they use). */
  get signal(): AbortSignal {
    return this as unknown as AbortSignal;
  }

  addEventListener(type: string, fn: Listener | null | undefined): void {
    if (type !== 'abort' || typeof fn !== 'function' || this.aborted) return;
    (this.#listeners ??= []).push(fn);
  }

  removeEventListener(type: string, fn: Listener | null | undefined): void {
    const l = this.#listeners;
    if (type !== 'abort' || !l) return;
    const i = l.indexOf(fn as Listener);
    if (i !== -1) l.splice(i, 1);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    const l = this.#listeners;
    this.#listeners = null;
    const ev = { type: 'abort' as const };
    if (this.onabort) this.onabort.call(this, ev);
    if (l) for (const fn of l) fn.call(this, ev);
  }
}
