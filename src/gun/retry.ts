// Retry policies as pure functions: what the connection does after a loss or a failed
// attempt is decided here from facts it passes in (retries left, how young the connections
// died, the options, a random source), so each rule is tested without sockets or clocks.
import { formatTerm } from '../runtime/format.js';
import type { ResolvedOptions, RetryContext, RetryDecision } from './options.js';

const MAX_TIMER = 2 ** 31 - 1;

/** The backoffs' growth: `retryTimeout` itself for no step, else doubled per step from at least 100 ms. */
export function doubledWait(base: number, steps: number): number {
  return steps === 0 ? base : Math.max(base, 100) * 2 ** Math.min(steps - 1, 16);
}

/**
 * The default policy: wait `retryTimeout`, doubling (from at least 100 ms, up to 60 s) while
 * connections keep dying within `max(retryTimeout, 1000)` ms of coming up.
 */
export function defaultRetry(retriesLeft: number, context: RetryContext): RetryDecision {
  const base = context.opts.retryTimeout;
  const timeout = context.shortLived > 0 ? Math.min(doubledWait(base, context.shortLived), 60_000) : base;
  return { retries: retriesLeft - 1, timeout };
}

/**
 * wsOpts.reconnect's default. The wait starts where the default policy's does (retryTimeout,
 * doubled while connections die young) and doubles for each failed attempt since the last
 * connect too; jitter adds up to half again, never less, so clients of one restarted server
 * spread out without ever waiting less than retryTimeout; the wait stays under 30 s.
 */
export function jitteredBackoff(retriesLeft: number, context: RetryContext, random: () => number): RetryDecision {
  const base = context.opts.retryTimeout;
  const wait = doubledWait(base, context.opts.retry - retriesLeft + context.shortLived);
  return { retries: retriesLeft - 1, timeout: Math.max(base, Math.min(Math.round(wait * (1 + random() / 2)), 30_000)) };
}

/** A connection that lived less than this died young: the policies back off on it. */
export function diedYoung(livedMs: number, opts: ResolvedOptions): boolean {
  return livedMs < Math.max(opts.retryTimeout, 1000);
}

/**
 * Gun 2.x's first retry: after a connection that was up and lived (a server that closed an
 * idle connection, say), the reconnect is made at once and uses no retry; later attempts
 * follow the policy. One that died young goes through the policy at once, so an
 * accept-and-close peer cannot cause a reconnect storm.
 */
export function reconnectsAtOnce(shortLived: number): boolean {
  return shortLived === 0;
}

/** Why a `retryFun` decision cannot be used, or `undefined` when it can. */
export function invalidDecision(decision: unknown): string | undefined {
  const d = decision as Partial<RetryDecision> | null;
  const valid = typeof d === 'object' && d !== null
    && (d.retries === Infinity || (Number.isInteger(d.retries) && (d.retries as number) >= 0))
    && Number.isInteger(d.timeout) && (d.timeout as number) >= 0 && (d.timeout as number) <= MAX_TIMER;
  return valid ? undefined : `retryFun returned ${formatTerm(decision)}: expected { retries: integer ≥ 0, timeout: integer ms from 0 to ${MAX_TIMER} }`;
}
