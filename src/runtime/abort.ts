// AbortSignal for waits: an abort wakes the caller's waiting receive with `signal.reason`, the
// way a kill wakes it with an ExitError (process.ts's abortWait). The mailbox is left as it was.
import { current } from './scheduler.js';

/** Options of `receive`, `gun.await`, `gun.awaitBody`, `gun.awaitUp` and `messages`. */
export interface WaitOptions {
  /** Stops the wait: the call rejects with `signal.reason` (an `AbortError` unless given). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Runs `wait` (one receive of the calling process) so that `signal` can end it. Rejects at once
 * if the signal has already aborted.
 */
export async function abortable<T>(signal: AbortSignal | undefined, wait: () => Promise<T>): Promise<T> {
  if (signal === undefined) return wait();
  signal.throwIfAborted();
  const proc = current();
  const onAbort = (): void => proc.abortWait(() => signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await wait();
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
