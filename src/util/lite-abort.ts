/**
 * A minimal abort signal for one upstream attempt. Node's AbortController/AbortSignal (an
 * EventTarget) costs several microseconds to create and to listen on; the gateway makes one per
 * upstream attempt, which showed as ~4% of a small request's CPU. This covers what the attempt's
 * consumers use: `aborted`, `reason`, `addEventListener('abort', fn, { once })`,
 * `removeEventListener`, `throwIfAborted()` (undici accepts any object with addEventListener).
 *
 * The HTTP front also makes one per request; `ctx.signal` stays a real AbortSignal for resolvers
 * (made on first read, see src/context.ts `requestSignal`), while the adapters listen on this one.
 */
import { setMaxListeners } from 'node:events';

type Listener = (this: unknown, ev: { type: 'abort' }) => void;

export class LiteAbort {
  aborted = false;
  reason: unknown = undefined;
  onabort: Listener | null = null;
  #listeners: Listener[] | null = null;
  #real: AbortController | null = null;

  /**
   * A real AbortSignal that follows this one, made on first use (for code that needs the real
   * thing: fetch(), AbortSignal.any(), yoga's Request). Its max-listeners warning is off: every
   * upstream call of a request may listen on it.
   */
  toAbortSignal(): AbortSignal {
    if (this.#real === null) {
      const ac = (this.#real = new AbortController());
      setMaxListeners(0, ac.signal);
      if (this.aborted) ac.abort(this.reason);
      else this.addEventListener('abort', () => ac.abort(this.reason));
    }
    return this.#real.signal;
  }

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
