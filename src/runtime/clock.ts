/** The time source behind `after`, `sendAfter` and Gun's retry/keepalive timers. Tests swap in a SimulatedClock. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** The random source of timing jitter (reconnect backoff), in [0, 1). @default Math.random */
  random?(): number;
}

/** Whatever the clock's setTimeout returned; only ever handed back to its clearTimeout. */
export type TimerHandle = object | number;

/** Real time, whatever clock is installed: test assertions wait on it (ExUnit waits in real time). */
const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, Math.min(ms, 2 ** 31 - 1)),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

let clock: Clock = realClock;

/**
 * A timer bound to the clock it was set on: `cancel` clears it there, whatever clock is
 * current by then (cancelled on the wrong clock, a real 16 s timer outlived its test).
 */
export class Timer {
  readonly #clock: Clock;
  readonly #handle: TimerHandle;

  constructor(clock: Clock, handle: TimerHandle) {
    this.#clock = clock;
    this.#handle = handle;
  }

  cancel(): void {
    this.#clock.clearTimeout(this.#handle);
  }
}

/** Calls `callback` after `ms` on `clock` (the current one by default). */
export function startTimer(ms: number, callback: () => void, clock: Clock = getClock()): Timer {
  return new Timer(clock, clock.setTimeout(callback, ms));
}

/** The clock in use. */
export function getClock(): Clock {
  return clock;
}

/** Replaces the clock (no argument: back to real time). Returns the previous clock. */
export function setClock(next?: Clock): Clock {
  const previous = clock;
  clock = next ?? realClock;
  return previous;
}
