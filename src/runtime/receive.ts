// Selective receive: the oldest message that matches any clause is taken; the others
// stay queued in order. A waiting receive is woken by each new arrival and tests it once,
// in the receiving process: patterns and guards never run in the sender's `send`.
// This is the hot path of every receive loop: no closure or object is made per call
// beyond the one promise the caller awaits.
import { abortable, type WaitOptions } from './abort.js';
import { type Clock, getClock } from './clock.js';
import { defer, spend } from './budget.js';
import { BadArgError, ExitError } from './errors.js';
import { formatTerm } from './format.js';
import { compilePattern } from './pattern.js';
import type { Matched, ValidPattern } from './pattern-types.js';
import { current, living } from './scheduler.js';

/** Returns the clause a message matches, or `undefined`. */
type Pick = (msg: unknown) => Clause<unknown> | undefined;

/** One receive clause: a compiled pattern and the handler for the message it matches. */
export interface Clause<R> {
  readonly test: (msg: unknown) => boolean;
  readonly handler: (msg: never) => R;
  /** @internal this clause alone as a picker, made once */
  readonly pick: Pick;
}

/** The `after` branch of a receive: runs when no clause matched within `ms`. */
export interface After<R> {
  readonly ms: number;
  readonly handler: () => R;
}

/** What `receive(clauses, ms)` resolves to when nothing matched in time. */
export const TIMEOUT: unique symbol = Symbol.for('erlgun/timeout') as never;
export type Timeout = typeof TIMEOUT;

/**
 * A receive clause. The pattern is compiled here, once: build clauses outside a hot loop
 * when their pattern does not change. The handler gets the message narrowed by the pattern.
 * @example on(['gun_ws', conn, ref, ['text', _]], ([, , , [, text]]) => text)
 */
export function on<const P, R>(pattern: P & ValidPattern<P>, handler: (msg: Matched<P>) => R): Clause<R> {
  const test = compilePattern(pattern);
  const clause: Clause<R> = { test, handler, pick: (msg) => (passes(test, msg) ? (clause as Clause<unknown>) : undefined) };
  return clause;
}

/** A guard that throws is a guard that fails (Erlang): the clause does not match. */
function passes(test: (msg: unknown) => boolean, msg: unknown): boolean {
  try {
    return test(msg);
  } catch {
    return false;
  }
}

/**
 * The `after` branch: `receive([...], after(1000, () => exit('timeout')))` reads like
 * Erlang's `after 1000 -> exit(timeout)`. `0` polls; `Infinity` never fires.
 */
export function after<R>(ms: number, handler: () => R): After<R> {
  checkTimeout(ms);
  return { ms, handler };
}

type ClauseResult<C extends readonly Clause<unknown>[]> = C[number] extends Clause<infer R> ? Awaited<R> : never;

/**
 * Selective receive (Erlang's `receive … after … end`). Takes the oldest message that
 * matches any clause (clauses are tried in order for each message) and resolves to its
 * handler's result. Messages that match nothing stay queued, in order.
 * - `receive(clauses)` waits forever;
 * - `receive(clauses, after(ms, fn))` runs `fn` after `ms` ms without a match;
 * - `receive(clauses, ms)` resolves to `TIMEOUT` after `ms` ms without a match.
 * Rejects with `ExitError` if the process is killed while it waits, and with `signal.reason` if `opts.signal` aborts.
 */
export function receive<const C extends readonly Clause<unknown>[]>(clauses: C, timeout?: undefined, opts?: WaitOptions): Promise<ClauseResult<C>>;
export function receive<const C extends readonly Clause<unknown>[], A>(clauses: C, after: After<A>, opts?: WaitOptions): Promise<ClauseResult<C> | Awaited<A>>;
export function receive<const C extends readonly Clause<unknown>[]>(clauses: C, timeoutMs: number, opts?: WaitOptions): Promise<ClauseResult<C> | Timeout>;
export function receive(clauses: readonly Clause<unknown>[], timeout?: number | After<unknown>, opts?: WaitOptions): Promise<unknown> {
  if (opts?.signal !== undefined) return abortable(opts.signal, () => receiveOn(getClock(), clauses, timeout));
  return receiveOn(getClock(), clauses, timeout);
}

/** @internal receive with timeouts on a given clock (the testing assertions wait in real time) */
export function receiveOn(clock: Clock, clauses: readonly Clause<unknown>[], timeout?: number | After<unknown>): Promise<unknown> {
  const proc = current();
  if (!proc.alive) return Promise.reject(new ExitError(proc.exitReason));
  // `receive([], after(ms, fn))` is Erlang's `receive after T -> … end`: a wait nothing can end early but an exit signal.
  const pick = timeout !== undefined && Array.isArray(clauses) && clauses.length === 0 ? noClause : picker(clauses);
  const mailbox = proc.mailbox;
  if (mailbox.size > 0) {
    const clause = mailbox.take(pick);
    if (clause !== undefined) {
      const msg = mailbox.taken;
      mailbox.taken = undefined;
      let value: unknown;
      try {
        value = clause.handler(msg as never);
      } catch (error) {
        return Promise.reject(error);
      }
      // Two processes that never wait (each always finds a message) must yield too.
      return spend(proc) ? Promise.resolve(value) : new Promise((resolve) => defer(() => resolve(value)));
    }
  }
  let ms = Infinity;
  let onTimeout: (() => unknown) | undefined;
  if (typeof timeout === 'number') ms = checkTimeout(timeout);
  else if (timeout !== undefined) {
    if (typeof timeout !== 'object' || timeout === null || typeof timeout.handler !== 'function') {
      throw new BadArgError(`receive: the second argument must be a timeout in ms or after(ms, fn), got ${String(timeout)}`);
    }
    ({ ms, handler: onTimeout } = timeout);
  }
  if (ms === 0) {
    try {
      return Promise.resolve(onTimeout ? onTimeout() : TIMEOUT);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  if (proc.waiter !== undefined) {
    return Promise.reject(new BadArgError(`receive: ${String(proc.pid)} is already waiting in another receive`));
  }
  mailbox.markSeen();
  return new Promise<unknown>((resolve, reject) => {
    proc.wait(pick, resolve, reject, clock, ms, onTimeout);
  }).then(afterWait);
}

// Runs in the receiving process each time its wait is woken (one shared function: an idle
// process holds no closure of its own here): tests the messages that came, or times out,
// or waits again.
function afterWait(): unknown {
  const proc = current();
  if (!proc.alive) throw ExitError.signal(proc.exitReason);
  const waiter = proc.waiter!;
  const mailbox = proc.mailbox;
  const clause = mailbox.takeNew(waiter.pick) as Clause<unknown> | undefined;
  if (clause !== undefined) {
    proc.endWait(waiter);
    const msg = mailbox.taken;
    mailbox.taken = undefined;
    return clause.handler(msg as never);
  }
  if (waiter.timedOut) {
    proc.endWait(waiter);
    return waiter.onTimeout ? waiter.onTimeout() : TIMEOUT;
  }
  waiter.woken = false;
  return new Promise<unknown>((resolve, reject) => {
    waiter.resolve = resolve;
    waiter.reject = reject;
  }).then(afterWait);
}

/**
 * Takes the oldest message that matches a clause and returns its handler's result at once,
 * or `TIMEOUT` when none matches: `receive … after 0` without the promise. For hot loops
 * that drain a burst (e.g. many `gun_ws` from one socket read) without an `await` per
 * message; fall back to `await receive(…)` when it returns `TIMEOUT`.
 * @example
 * let got = receiveNow(clauses);
 * if (got === TIMEOUT) got = await receive(clauses);
 */
export function receiveNow<const C extends readonly Clause<unknown>[]>(clauses: C): ClauseResult<C> | Timeout;
export function receiveNow(clauses: readonly Clause<unknown>[]): unknown {
  const proc = living();
  const mailbox = proc.mailbox;
  if (mailbox.size === 0) return TIMEOUT;
  const clause = mailbox.take(picker(clauses));
  if (clause === undefined) return TIMEOUT;
  const msg = mailbox.taken;
  mailbox.taken = undefined;
  return clause.handler(msg as never);
}

const noClause: Pick = () => undefined;

// One picker per clause list, kept: receive loops reuse their clause arrays.
const pickers = new WeakMap<readonly Clause<unknown>[], Pick>();

function picker(clauses: readonly Clause<unknown>[]): Pick {
  if (clauses.length === 1 && typeof clauses[0]?.pick === 'function') return clauses[0].pick;
  let pick = pickers.get(clauses);
  if (pick === undefined) {
    checkClauses(clauses);
    pick = (msg) => {
      for (let i = 0; i < clauses.length; i++) if (passes(clauses[i].test, msg)) return clauses[i];
      return undefined;
    };
    pickers.set(clauses, pick);
  }
  return pick;
}

function checkClauses(clauses: unknown): asserts clauses is readonly Clause<unknown>[] {
  if (!Array.isArray(clauses) || clauses.length === 0) throw new BadArgError('receive: expected a non-empty array of clauses made with on() (or [] with a timeout: receive([], after(ms, fn)))');
  for (const clause of clauses) {
    if (typeof (clause as Partial<Clause<unknown>> | null)?.pick !== 'function') {
      throw new BadArgError(`receive: ${formatTerm(clause)} is not a clause; make clauses with on(pattern, handler)`);
    }
  }
}

function checkTimeout(ms: number): number {
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) throw new BadArgError(`receive: the timeout must be a number ≥ 0 or Infinity, got ${String(ms)}`);
  return ms;
}

/** Empties the calling process's mailbox and returns what was in it, oldest first. */
export function flush(): unknown[] {
  return current().mailbox.clear();
}

