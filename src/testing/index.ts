// Mailbox assertions with ExUnit's semantics (assert_receive & co., 100 ms default).
// They throw node:assert's AssertionError, so node:test, vitest, jest and mocha all report them.
// They wait in real time even when a SimulatedClock is installed: the clock drives the code
// under test, while the assertion waits for the real world (sockets) to answer.
import { AssertionError } from 'node:assert';
import { on, receiveOn, TIMEOUT } from '../runtime/receive.js';
import { realClock } from '../runtime/clock.js';
import { processInfo } from '../runtime/info.js';
import { matches } from '../runtime/pattern.js';
import { self } from '../runtime/scheduler.js';
import type { Matched } from '../runtime/pattern-types.js';
import { formatMailbox, formatPattern } from './format.js';

export { SimulatedClock } from './clock.js';
export { runProcess as inProcess } from '../runtime/scheduler.js';
export { formatMailbox, formatPattern } from './format.js';

/** ExUnit's default wait for assertReceive / refuteReceive. */
export const DEFAULT_TIMEOUT = 100;

/**
 * Waits up to `timeoutMs` for a message matching `pattern`, takes the first one (the
 * rest keep their order) and returns it, narrowed by the pattern.
 * @example const [, , , frame] = await assertReceive(['gun_ws', conn, ref, _]);
 */
export async function assertReceive<const P>(pattern: P, timeoutMs: number = DEFAULT_TIMEOUT): Promise<Matched<P>> {
  const got = await receiveOn(realClock, [on(pattern, (m) => m)], timeoutMs);
  if (got === TIMEOUT) {
    const wait = timeoutMs === 0 ? 'Assertion failed, no matching message in the mailbox' : `Assertion failed, no matching message after ${timeoutMs}ms`;
    fail(`${wait}\nPattern: ${formatPattern(pattern)}\n${formatMailbox(mailbox())}`, pattern, 'assertReceive');
  }
  return got as Matched<P>;
}

/** Like `assertReceive`, without waiting: the message must already be in the mailbox. */
export function assertReceived<const P>(pattern: P): Promise<Matched<P>> {
  return assertReceive(pattern, 0);
}

/** Fails if a message matching `pattern` arrives within `timeoutMs` (that message is taken). */
export async function refuteReceive(pattern: unknown, timeoutMs: number = DEFAULT_TIMEOUT): Promise<void> {
  const got = await receiveOn(realClock, [on(pattern, (m) => m)], timeoutMs);
  if (got !== TIMEOUT) {
    fail(`Assertion failed, unexpectedly received a message matching the pattern\nPattern: ${formatPattern(pattern)}\nMessage: ${formatPattern(got)}\n${formatMailbox(mailbox())}`, pattern, 'refuteReceive');
  }
}

/** Fails if a message matching `pattern` is already in the mailbox. */
export function refuteReceived(pattern: unknown): Promise<void> {
  return refuteReceive(pattern, 0);
}

/**
 * ExUnit's `assert pattern = expr`: fails unless `value` matches `pattern`, printing both;
 * returns `value` narrowed by the pattern.
 * @example const [, , status] = assertMatch(['gun_response', conn, 200, _], msg);
 */
export function assertMatch<const P>(pattern: P, value: unknown): Matched<P> {
  if (!matches(pattern, value)) {
    fail(`Assertion failed, match (=) failed\nPattern: ${formatPattern(pattern)}\nValue:   ${formatPattern(value)}`, pattern, 'assertMatch', value);
  }
  return value;
}

function mailbox(): readonly unknown[] {
  return processInfo(self())?.messages ?? [];
}

function fail(message: string, expected: unknown, operator: string, actual?: unknown): never {
  throw new AssertionError({ message, expected, actual, operator });
}
