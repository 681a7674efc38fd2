// sendAfter / cancelTimer on the injectable clock (clock.ts), so tests can drive time.
import { type Clock, getClock, type TimerHandle } from './clock.js';
import { BadArgError } from './errors.js';
import { Pid, type Ref, makeRef } from './pid.js';
import { type Dest, lookup, send } from './registry.js';

interface Timer {
  readonly handle: TimerHandle;
  readonly due: number;
  /** The clock it runs on: cancelling after setClock must clear it there. */
  readonly clock: Clock;
  readonly dest: Dest;
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
  timers.set(ref, { handle, due: clock.now() + ms, clock, dest });
  return ref;
}

/**
 * The timer behind `ref` if it can still fire. As in Erlang, a timer for a pid is cancelled
 * when that process dies; here that happens when it is next looked at (or when it fires).
 */
function liveTimer(ref: Ref): Timer | undefined {
  const timer = timers.get(ref);
  if (timer === undefined) return undefined;
  if (timer.dest instanceof Pid && lookup(timer.dest) === undefined) {
    timers.delete(ref);
    timer.clock.clearTimeout(timer.handle);
    return undefined;
  }
  return timer;
}

/** Whole milliseconds left, as Erlang reports them (never 0 while the timer is pending). */
function left(timer: Timer): number {
  return Math.max(0, Math.ceil(timer.due - timer.clock.now()));
}

/** Cancels a timer; returns the whole milliseconds it had left, or `false` if it already fired, was cancelled, or its pid is dead. */
export function cancelTimer(ref: Ref): number | false {
  const timer = liveTimer(ref);
  if (timer === undefined) return false;
  timers.delete(ref);
  timer.clock.clearTimeout(timer.handle);
  return left(timer);
}

/** Milliseconds left on a timer, or `false` (fired, cancelled, or its pid is dead). */
export function readTimer(ref: Ref): number | false {
  const timer = liveTimer(ref);
  return timer === undefined ? false : left(timer);
}
