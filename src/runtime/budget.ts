// Erlang's reductions. Processes hand each other control on microtasks, and Node runs
// microtasks to exhaustion before any timer, socket read or other callback: two processes
// playing ping-pong would starve the rest of the program. So every wake-up spends one unit
// of a budget; once it is spent, wake-ups wait for one `setImmediate`, the event loop turns
// (timers fire, sockets are read), and the budget is refilled. One yield per budget, not per
// message: a `setImmediate` costs more than delivering a message.
import { nextTurn } from './microtask.js';

/** Wake-ups between two yields to the event loop: well under a millisecond of work. */
const BUDGET = 1000;

let left = BUDGET;
let deferred: (() => void)[] = [];
let yielding = false;

/** Spends one unit; false when the budget is spent and the caller must `defer` what it would do now. */
export function spend(): boolean {
  if (--left > 0) return true;
  if (!yielding) {
    yielding = true;
    nextTurn(refill);
  }
  return false;
}

/** Runs `work` after the event loop has turned (only after `spend` returned false). */
export function defer(work: () => void): void {
  deferred.push(work);
}

function refill(): void {
  yielding = false;
  left = BUDGET;
  const work = deferred;
  deferred = [];
  for (const w of work) w();
}
