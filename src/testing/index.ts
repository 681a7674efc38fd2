// Mailbox assertions with ExUnit's semantics (assert_receive & co., 100 ms default).
// They throw node:assert's AssertionError, so node:test, vitest, jest and mocha all report them.
// They wait in real time even when a SimulatedClock or a runner's fake timers are installed:
// those drive the code under test, while the assertion waits for the real world (sockets) to answer.
import { AssertionError } from 'node:assert';
import { on, receiveOn, TIMEOUT } from '../runtime/receive.js';
import { processInfo } from '../runtime/info.js';
import { matches } from '../runtime/pattern.js';
import { self } from '../runtime/scheduler.js';
import { BadArgError } from '../runtime/errors.js';
import type { Matched, ValidPattern } from '../runtime/pattern-types.js';
import { formatMailbox, formatPattern } from './format.js';
import { realTime } from './real-time.js';

export { SimulatedClock, type SimulatedClockOptions } from './clock.js';
export { runProcess as inProcess } from '../runtime/scheduler.js';
export { formatMailbox, formatPattern } from './format.js';

/** ExUnit's default wait for assertReceive / refuteReceive (see `configure`). */
export const DEFAULT_TIMEOUT = 100;

/** Settings of the assertions, as ExUnit's `assert_receive_timeout` and `refute_receive_timeout`. */
export interface AssertionConfig {
  /** Default wait of `assertReceive`, in ms. @default 100 */
  readonly assertReceiveTimeout: number;
  /** Default wait of `refuteReceive`, in ms. @default 100 */
  readonly refuteReceiveTimeout: number;
}

let config: { -readonly [K in keyof AssertionConfig]: AssertionConfig[K] } = { assertReceiveTimeout: DEFAULT_TIMEOUT, refuteReceiveTimeout: DEFAULT_TIMEOUT };

/**
 * Changes the default waits (ExUnit's `ExUnit.configure(assert_receive_timeout: …)`), e.g. in a
 * test setup file for a slow CI machine. Returns the settings now in force.
 */
export function configure(changes: Partial<AssertionConfig>): AssertionConfig {
  const next = { ...config };
  for (const key of ['assertReceiveTimeout', 'refuteReceiveTimeout'] as const) {
    const value = changes[key];
    if (value === undefined) continue;
    if (!isTimeout(value)) throw new BadArgError(`configure: ${key} must be a whole number of ms ≥ 0 or Infinity, got ${String(value)}`);
    next[key] = value;
  }
  config = next;
  return config;
}

/**
 * Waits up to `timeoutMs` for a message matching `pattern`, takes the first one (the
 * rest keep their order) and returns it, narrowed by the pattern. `message` replaces the
 * first line of the failure text; the pattern and the mailbox are still shown.
 * @example const [, , , frame] = await assertReceive(['gun_ws', conn, ref, _]);
 */
export async function assertReceive<const P>(pattern: P & ValidPattern<P>, timeoutMs: number = config.assertReceiveTimeout, message?: string): Promise<Matched<P>> {
  const got = await receiveOn(realTime, [on(pattern, (m) => m)], timeoutMs);
  if (got === TIMEOUT) {
    const wait = timeoutMs === 0 ? 'Assertion failed, no matching message in the mailbox' : `Assertion failed, no matching message after ${timeoutMs}ms`;
    fail(`${message ?? wait}\nPattern: ${formatPattern(pattern)}\n${formatMailbox(mailbox())}`, pattern);
  }
  return got as Matched<P>;
}

/** Like `assertReceive`, without waiting: the message must already be in the mailbox. */
export function assertReceived<const P>(pattern: P & ValidPattern<P>, message?: string): Promise<Matched<P>> {
  return assertReceive<P>(pattern, 0, message);
}

/** Fails if a message matching `pattern` arrives within `timeoutMs` (that message is taken). */
export async function refuteReceive(pattern: unknown, timeoutMs: number = config.refuteReceiveTimeout, message?: string): Promise<void> {
  const got = await receiveOn(realTime, [on(pattern, (m) => m)], timeoutMs);
  if (got !== TIMEOUT) {
    const head = message ?? 'Assertion failed, unexpectedly received a message matching the pattern';
    fail(`${head}\nPattern: ${formatPattern(pattern)}\nMessage: ${formatPattern(got)}\n${formatMailbox(mailbox())}`, pattern);
  }
}

/** Fails if a message matching `pattern` is already in the mailbox. */
export function refuteReceived(pattern: unknown, message?: string): Promise<void> {
  return refuteReceive(pattern, 0, message);
}

/**
 * ExUnit's `assert pattern = expr`: fails unless `value` matches `pattern`, printing both;
 * returns `value` narrowed by the pattern.
 * @example const [, , status] = assertMatch(['gun_response', conn, 200, _], msg);
 */
export function assertMatch<const P>(pattern: P, value: unknown): Matched<P> {
  if (!matches(pattern, value)) {
    fail(`Assertion failed, match (=) failed\nPattern: ${formatPattern(pattern)}\nValue:   ${formatPattern(value)}`, pattern, value);
  }
  return value;
}

function mailbox(): readonly unknown[] {
  return processInfo(self())?.messages ?? [];
}

function isTimeout(value: unknown): boolean {
  return value === Infinity || (Number.isInteger(value) && (value as number) >= 0);
}

// `expected` is the pattern as written (`_`, `anyNumber`): runners print `expected` with their
// own formatter, which shows the pattern's objects (`{ __wildcard: true }`). The operator is
// node:assert's `fail`, which jest prints as the message alone instead of a diff against `actual`.
function fail(message: string, pattern: unknown, actual?: unknown): never {
  throw new AssertionError({ message, expected: formatPattern(pattern), actual, operator: 'fail' });
}
