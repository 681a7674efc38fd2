// Erlang's reductions. Processes hand each other control on microtasks, and Node runs
// microtasks to exhaustion before any timer, socket read or other callback: two processes
// playing ping-pong would starve the rest of the program. So each switch from one process
// to another spends one unit of a budget. When a budget is spent, a `setImmediate` is armed
// that notes the event loop turned; if a whole second budget is spent before it fires,
// nothing else has run for that long, and switches wait for it: the event loop turns
// (timers fire, sockets are read).
// A process that drains its own mailbox spends nothing: yielding in the middle of a socket
// read's messages let the next reads pile up behind it (a Websocket stream taken with one
// `await receive` per message ran at a quarter of its speed). And one `setImmediate` per
// message would cost more than the message.
import { nextTurn } from './microtask.js';

/** Switches per budget: a fraction of a millisecond of work, even on a loaded machine. */
const BUDGET = 500;

let left = BUDGET;
/** The process that spent last: running on is not a switch. */
let last: object | undefined;
/** A `setImmediate(turned)` is pending: the event loop has not turned since it was armed. */
let armed = false;
let yielding = false;
let deferred: (() => void)[] = [];

/** `proc` is about to run: false while the runtime yields, and the caller must `defer` what it would do now. */
export function spend(proc: object): boolean {
  if (yielding) return false;
  if (proc === last) return true;
  last = proc;
  if (--left > 0) return true;
  left = BUDGET;
  if (!armed) {
    armed = true;
    nextTurn(turned);
    return true;
  }
  yielding = true;
  return false;
}

/** Runs `work` after the event loop has turned (only after `spend` returned false). */
export function defer(work: () => void): void {
  deferred.push(work);
}

function turned(): void {
  armed = false;
  if (!yielding) return;
  yielding = false;
  const work = deferred;
  deferred = [];
  for (const w of work) w();
}
