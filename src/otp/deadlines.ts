// Call timeouts without a timer per call. A setTimeout plus a clearTimeout costs about a
// microsecond, a fifth of a whole call round trip. Calls made with the same timeout expire
// in the order they were made, so one timer per (clock, timeout) serves them all, re-armed
// for the oldest call still waiting. A call is waiting while its caller holds the monitor
// the call is tagged with (call.ts); nothing has to be cancelled when it ends.
import { type Clock, getClock, type TimerHandle } from '../runtime/clock.js';
import type { Ref } from '../runtime/pid.js';
import type { Process } from '../runtime/process.js';

/** What a timed-out caller finds in its mailbox, tagged like a reply: `[tag, CALL_TIMEOUT]`. */
export const CALL_TIMEOUT: unique symbol = Symbol('erlgun/call-timeout');

interface Pending {
  readonly caller: Process;
  readonly tag: Ref;
  readonly due: number;
}

const MIN_SWEEP = 64;

class Deadlines {
  /** Entries `#head` to `#tail` are queued; the array keeps its length (setting `length = 0` on every call reallocated it). */
  #queue: (Pending | undefined)[] = [];
  #head = 0;
  #tail = 0;
  #timer: TimerHandle | undefined = undefined;
  /** Past this many queued entries, the finished ones are swept out (one call stuck at the head must not hold every later one). */
  #sweepAt = MIN_SWEEP;
  readonly #clock: Clock;
  readonly #ms: number;

  constructor(clock: Clock, ms: number) {
    this.#clock = clock;
    this.#ms = ms;
  }

  add(caller: Process, tag: Ref): void {
    this.#dropFinished();
    if (this.#tail - this.#head >= this.#sweepAt) this.#sweep();
    this.#queue[this.#tail++] = { caller, tag, due: this.#clock.now() + this.#ms };
    if (this.#timer === undefined) this.#arm(this.#ms);
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const now = this.#clock.now();
    while (this.#head < this.#tail) {
      const p = this.#queue[this.#head]!;
      if (waiting(p)) {
        if (p.due > now) {
          this.#arm(p.due - now);
          return;
        }
        p.caller.deliver([p.tag, CALL_TIMEOUT]);
      }
      this.#queue[this.#head++] = undefined;
    }
    this.#queue = [];
    this.#head = this.#tail = 0;
  };

  #arm(ms: number): void {
    const timer = (this.#timer = this.#clock.setTimeout(this.#fire, ms));
    // Only a timeout waits on this timer, and a call can be answered only by something else
    // that keeps Node running: the timer alone must not keep a finished script alive.
    (timer as { unref?: () => void }).unref?.();
  }

  #dropFinished(): void {
    while (this.#head < this.#tail && !waiting(this.#queue[this.#head]!)) this.#queue[this.#head++] = undefined;
    if (this.#head === this.#tail) this.#head = this.#tail = 0;
  }

  #sweep(): void {
    const live = this.#queue.slice(this.#head, this.#tail).filter((p) => p !== undefined && waiting(p));
    this.#queue = live;
    this.#head = 0;
    this.#tail = live.length;
    this.#sweepAt = Math.max(MIN_SWEEP, live.length * 2);
  }
}

function waiting(p: Pending): boolean {
  return p.caller.monitors?.has(p.tag) === true;
}

const byClock = new WeakMap<Clock, Map<number, Deadlines>>();
let lastClock: Clock | undefined;
let lastMs = -1;
let last: Deadlines | undefined;

/** Arms the timeout of a call tagged `tag` made by `caller`: after `ms`, it gets `[tag, CALL_TIMEOUT]` if still waiting. */
export function callTimeout(caller: Process, tag: Ref, ms: number): void {
  if (ms === Infinity) return;
  // Erlang's `after 0`: the reply is not there yet, so the call times out.
  if (ms === 0) {
    caller.deliver([tag, CALL_TIMEOUT]);
    return;
  }
  const clock = getClock();
  if (clock !== lastClock || ms !== lastMs) {
    let table = byClock.get(clock);
    if (table === undefined) byClock.set(clock, (table = new Map()));
    last = table.get(ms);
    if (last === undefined) table.set(ms, (last = new Deadlines(clock, ms)));
    lastClock = clock;
    lastMs = ms;
  }
  last!.add(caller, tag);
}
