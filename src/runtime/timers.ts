// sendAfter / cancelTimer on the injectable clock (clock.ts), so tests can drive time.
import { getClock, startTimer, type Clock, type Timer } from './clock.js';
import { BadArgError } from './errors.js';
import { Pid, type Ref, makeRef } from './pid.js';
import { type Dest, lookup, send } from './registry.js';

interface Pending {
  readonly timer: Timer;
  readonly due: number;
  /** The clock it runs on: what is left is read there. */
  readonly clock: Clock;
  readonly dest: Dest;
}

const pending = new Map<Ref, Pending>();
/** Timers for each live pid, cancelled when it exits (Erlang's rule for a pid destination). */
const byPid = new Map<Pid, Set<Ref>>();

/**
 * Sends `msg` to `dest` after `ms` milliseconds (Erlang's `erlang:send_after/3`).
 * A name is resolved when the timer fires; an unknown name then drops the message.
 * A timer for a pid is cancelled when that process exits; for a dead pid none is started,
 * so it keeps nothing (Node included) waiting.
 */
export function sendAfter(ms: number, dest: Dest, msg: unknown): Ref {
  if (typeof ms !== 'number' || !(ms >= 0) || ms === Infinity) throw new BadArgError(`sendAfter: expected a finite time ≥ 0, got ${String(ms)}`);
  const ref = makeRef();
  if (dest instanceof Pid && lookup(dest) === undefined) return ref;
  const clock = getClock();
  const timer = startTimer(ms, () => {
    forget(ref, dest);
    try {
      send(dest, msg);
    } catch {
      // An unregistered name at expiry: the message is dropped, as Erlang does.
    }
  }, clock);
  pending.set(ref, { timer, due: clock.now() + ms, clock, dest });
  if (dest instanceof Pid) {
    let refs = byPid.get(dest);
    if (refs === undefined) byPid.set(dest, (refs = new Set()));
    refs.add(ref);
  }
  return ref;
}

function forget(ref: Ref, dest: Dest): void {
  pending.delete(ref);
  if (!(dest instanceof Pid)) return;
  const refs = byPid.get(dest);
  refs?.delete(ref);
  if (refs?.size === 0) byPid.delete(dest);
}

/** @internal cancels every timer that would send to `pid` (it exited) */
export function cancelTimersTo(pid: Pid): void {
  const refs = byPid.get(pid);
  if (refs === undefined) return;
  byPid.delete(pid);
  for (const ref of refs) {
    pending.get(ref)?.timer.cancel();
    pending.delete(ref);
  }
}

/** Whole milliseconds left, as Erlang reports them (never 0 while the timer is pending). */
function left(timer: Pending): number {
  return Math.max(0, Math.ceil(timer.due - timer.clock.now()));
}

/** Cancels a timer; returns the whole milliseconds it had left, or `false` if it already fired, was cancelled, or its pid is dead. */
export function cancelTimer(ref: Ref): number | false {
  const timer = pending.get(ref);
  if (timer === undefined) return false;
  forget(ref, timer.dest);
  timer.timer.cancel();
  return left(timer);
}

/** Milliseconds left on a timer, or `false` (fired, cancelled, or its pid is dead). */
export function readTimer(ref: Ref): number | false {
  const timer = pending.get(ref);
  return timer === undefined ? false : left(timer);
}
