// sendAfter / cancelTimer on the injectable clock (clock.ts), so tests can drive time.
import { getClock, type TimerHandle } from './clock.js';
import { BadArgError } from './errors.js';
import { type Ref, makeRef } from './pid.js';
import { type Dest, send } from './registry.js';

interface Timer {
  readonly handle: TimerHandle;
  readonly due: number;
}

const timers = new Map<Ref, Timer>();

/**
 * Sends `msg` to `dest` after `ms` milliseconds (Erlang's `erlang:send_after/3`).
 * A name is resolved when the timer fires; an unknown name or dead pid then drops the message.
 */
export function sendAfter(ms: number, dest: Dest, msg: unknown): Ref {
  if (typeof ms !== 'number' || !(ms >= 0) || ms === Infinity) throw new BadArgError(`sendAfter: expected a finite time ≥ 0, got ${String(ms)}`);
  const clock = getClock();
  const ref = makeRef();
  const handle = clock.setTimeout(() => {
    timers.delete(ref);
    try {
      send(dest, msg);
    } catch {
      // An unregistered name at expiry: the message is dropped, as Erlang does.
    }
  }, ms);
  timers.set(ref, { handle, due: clock.now() + ms });
  return ref;
}

/** Cancels a timer; returns the milliseconds it had left, or `false` if it already fired or was cancelled. */
export function cancelTimer(ref: Ref): number | false {
  const timer = timers.get(ref);
  if (timer === undefined) return false;
  timers.delete(ref);
  const clock = getClock();
  clock.clearTimeout(timer.handle);
  return Math.max(0, timer.due - clock.now());
}

/** Milliseconds left on a timer, or `false`. */
export function readTimer(ref: Ref): number | false {
  const timer = timers.get(ref);
  return timer === undefined ? false : Math.max(0, timer.due - getClock().now());
}
