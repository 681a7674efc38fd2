// Selective receive: the oldest message that matches any clause is taken; the others
// stay queued in order. A waiting receive tests each new arrival once (process.ts).
import { type Clock, type TimerHandle, getClock } from './clock.js';
import { BadArgError, ExitError } from './errors.js';
import { compilePattern } from './pattern.js';
import type { Matched } from './pattern-types.js';
import type { Process } from './process.js';
import { current } from './scheduler.js';

/** One receive clause: a compiled pattern and the handler for the message it matches. */
export interface Clause<R> {
  readonly test: (msg: unknown) => boolean;
  readonly handler: (msg: never) => R;
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
export function on<const P, R>(pattern: P, handler: (msg: Matched<P>) => R): Clause<R> {
  return { test: compilePattern(pattern), handler };
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

interface Hit {
  readonly msg: unknown;
  readonly clause: Clause<unknown> | undefined;
}
const TIMED_OUT: Hit = { msg: undefined, clause: undefined };

/**
 * Selective receive (Erlang's `receive … after … end`). Takes the oldest message that
 * matches any clause (clauses are tried in order for each message) and resolves to its
 * handler's result. Messages that match nothing stay queued, in order.
 * - `receive(clauses)` waits forever;
 * - `receive(clauses, after(ms, fn))` runs `fn` after `ms` ms without a match;
 * - `receive(clauses, ms)` resolves to `TIMEOUT` after `ms` ms without a match.
 * Rejects with `ExitError` if the process is killed while it waits.
 */
export function receive<const C extends readonly Clause<unknown>[]>(clauses: C): Promise<ClauseResult<C>>;
export function receive<const C extends readonly Clause<unknown>[], A>(clauses: C, after: After<A>): Promise<ClauseResult<C> | Awaited<A>>;
export function receive<const C extends readonly Clause<unknown>[]>(clauses: C, timeoutMs: number): Promise<ClauseResult<C> | Timeout>;
export function receive(clauses: readonly Clause<unknown>[], timeout?: number | After<unknown>): Promise<unknown> {
  return receiveOn(getClock(), clauses, timeout);
}

/** @internal receive with timeouts on a given clock (the testing assertions wait in real time) */
export function receiveOn(clock: Clock, clauses: readonly Clause<unknown>[], timeout?: number | After<unknown>): Promise<unknown> {
  const proc = current();
  if (!proc.alive) return Promise.reject(new ExitError(proc.exitReason));
  let ms = Infinity;
  let onTimeout: () => unknown = returnTimeout;
  if (typeof timeout === 'number') ms = checkTimeout(timeout);
  else if (timeout !== undefined) ({ ms, handler: onTimeout } = timeout);

  const pick = picker(clauses);
  const found = proc.mailbox.take(pick);
  if (found !== undefined) return runHandler(found.token, found.msg);
  if (ms === 0) return runHandler(undefined, undefined, onTimeout);
  if (proc.waiter !== undefined) {
    return Promise.reject(new BadArgError(`receive: ${String(proc.pid)} is already waiting in another receive`));
  }
  return wait(proc, pick, ms, clock).then((hit) => (hit.clause === undefined ? onTimeout() : hit.clause.handler(hit.msg as never)));
}

function wait(proc: Process, pick: (msg: unknown) => Clause<unknown> | undefined, ms: number, clock: Clock): Promise<Hit> {
  return new Promise<Hit>((resolve, reject) => {
    const waiter = {
      pick,
      resolve: (msg: unknown, clause: unknown) => {
        if (waiter.timer !== undefined) clock.clearTimeout(waiter.timer);
        resolve({ msg, clause: clause as Clause<unknown> });
      },
      reject,
      clock,
      timer: undefined as TimerHandle | undefined,
    };
    if (ms !== Infinity) {
      waiter.timer = clock.setTimeout(() => {
        if (proc.waiter === waiter) proc.waiter = undefined;
        resolve(TIMED_OUT);
      }, ms);
    }
    proc.waiter = waiter;
  });
}

function runHandler(clause: Clause<unknown> | undefined, msg: unknown, onTimeout?: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(clause ? clause.handler(msg as never) : onTimeout!());
  } catch (error) {
    return Promise.reject(error);
  }
}

function picker(clauses: readonly Clause<unknown>[]): (msg: unknown) => Clause<unknown> | undefined {
  if (!Array.isArray(clauses) || clauses.length === 0) throw new BadArgError('receive: expected a non-empty array of clauses made with on()');
  if (clauses.length === 1) {
    const only = clauses[0];
    const test = only.test;
    return (msg) => (test(msg) ? only : undefined);
  }
  return (msg) => {
    for (let i = 0; i < clauses.length; i++) if (clauses[i].test(msg)) return clauses[i];
    return undefined;
  };
}

function returnTimeout(): Timeout {
  return TIMEOUT;
}

function checkTimeout(ms: number): number {
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) throw new BadArgError(`receive: the timeout must be a number ≥ 0 or Infinity, got ${String(ms)}`);
  return ms;
}

/** Empties the calling process's mailbox and returns what was in it, oldest first. */
export function flush(): unknown[] {
  return current().mailbox.clear();
}
