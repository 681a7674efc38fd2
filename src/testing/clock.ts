// A simulated clock for deterministic `after`, `sendAfter`, retry and keepalive timing:
// time moves only when the test says so (xstate's SimulatedClock idea).
import { type Clock, type TimerHandle, setClock } from '../runtime/clock.js';

interface SimTimer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

export interface SimulatedClockOptions {
  /** The random source of timing jitter, e.g. `() => 0` for the shortest waits. @default Math.random */
  random?: () => number;
}

export class SimulatedClock implements Clock {
  readonly random: () => number;
  #now = 0;
  #seq = 0;
  #timers: SimTimer[] = [];
  #previous: Clock | undefined;

  constructor(opts: SimulatedClockOptions = {}) {
    this.random = opts.random ?? Math.random;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: ++this.#seq, due: this.#now + Math.max(0, ms), callback };
    this.#timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id?: number }).id;
    this.#timers = this.#timers.filter((t) => t.id !== id);
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order. After each one it lets
   * processes run (a macrotask turn), so timers they set in reaction fire at the right time.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await settle();
      const next = this.#nextDue();
      if (next === undefined || next.due > end) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.due;
      next.callback();
    }
    this.#now = end;
    await settle();
  }

  /** Makes this the runtime's clock until `uninstall()`. Returns the clock. */
  install(): this {
    this.#previous = setClock(this);
    return this;
  }

  uninstall(): void {
    setClock(this.#previous);
    this.#previous = undefined;
  }

  #nextDue(): SimTimer | undefined {
    let best: SimTimer | undefined;
    for (const t of this.#timers) if (best === undefined || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
