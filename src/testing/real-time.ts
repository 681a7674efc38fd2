// The clock the assertions wait on. Fake timers (vi.useFakeTimers, jest's) replace the global
// timer functions, and the default clock reads those at call time, so a frozen fake clock would
// freeze assertReceive too. node:timers' functions, copied when this module loads, stay real
// (a copy, because fake-timers may also patch the node:timers module object later).
import * as timers from 'node:timers';
import type { Clock, TimerHandle } from '../runtime/clock.js';

const setRealTimeout = timers.setTimeout;
const clearRealTimeout = timers.clearTimeout;
const realNow = performance.now.bind(performance);

export const realTime: Clock = {
  now: realNow,
  setTimeout: (callback, ms): TimerHandle => setRealTimeout(callback, Math.min(ms, 2 ** 31 - 1)),
  clearTimeout: (handle) => clearRealTimeout(handle as NodeJS.Timeout),
};
