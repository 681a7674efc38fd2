// The client half of a synchronous request, as gen:call does it: monitor the server, send
// the request tagged with the monitor ref, wait for a reply carrying that ref or the DOWN.
// The monitor doubles as OTP 24's alias: a reply is delivered only while the caller still
// holds the monitor, so once the caller gave up (timeout, or killed while waiting) a late
// reply is dropped at the sender and never reaches its mailbox.
import { BadArgError, ExitError } from '../runtime/errors.js';
import { Pid, type Ref } from '../runtime/pid.js';
import { after, type Clause, receive } from '../runtime/receive.js';
import { lookup, send, whereis } from '../runtime/registry.js';
import { living } from '../runtime/scheduler.js';
import type { Process } from '../runtime/process.js';
import { demonitor, demonitorIn, monitorFrom } from '../runtime/signals.js';
import { CALL_TIMEOUT, callTimeout } from './deadlines.js';

/** Who a request came from: the caller's pid and the tag its reply must carry (Erlang's `From`). */
export type From = readonly [pid: Pid, tag: Ref];

/**
 * Sends `value` to the caller of `from`: gen_server's `reply/2`, for a reply deferred past
 * `handleCall`. A caller that stopped waiting gets nothing.
 */
export function reply(from: From, value: unknown): 'ok' {
  const [pid, tag] = from;
  const caller = lookup(pid);
  if (caller?.monitors?.has(tag)) caller.deliver([tag, value]);
  return 'ok';
}

/** The live pid behind a server name or pid, or `undefined`. */
export function resolve(server: Pid | string): Pid | undefined {
  return server instanceof Pid ? server : whereis(server);
}

/**
 * Sends `make(from)` to `server` and resolves with the reply. `noproc`, the server's exit,
 * and a timeout reject with `ExitError([reason, where])`, which exits the caller unless
 * caught, as gen_server:call exits its caller. `where` may be given as a function that
 * makes it: a call that gets its reply then builds none.
 */
export function request(server: Pid | string, make: (from: From) => unknown, timeout: number, where: unknown): Promise<unknown> {
  const me = living();
  const pid = resolve(server);
  if (pid === undefined) return Promise.reject(new ExitError(['noproc', place(where)]));
  if (pid === me.pid) return Promise.reject(new ExitError(['calling_self', place(where)]));
  checkTimeout(timeout);
  const mref = monitorFrom(me, pid);
  send(pid, make([me.pid, mref]));
  callTimeout(me, mref, timeout);
  // One promise per call, as for a plain receive: the clause's handler finishes the call.
  return receive([replyOrDown(me, mref, where)]);
}

/** One clause for the reply `[mref, value]` or `['DOWN', mref, …]`, made per call without compiling a pattern. */
function replyOrDown(me: Process, mref: Ref, where: unknown): Clause<unknown> {
  const test = (m: unknown): boolean =>
    Array.isArray(m) && ((m.length === 2 && m[0] === mref) || (m.length === 5 && m[1] === mref && m[0] === 'DOWN'));
  const handler = (m: readonly unknown[]): unknown => {
    if (m.length === 5) throw new ExitError([m[4], place(where)]);
    demonitorIn(me, mref, true);
    if (m[1] === CALL_TIMEOUT) throw new ExitError(['timeout', place(where)]);
    return m[1];
  };
  const clause: Clause<unknown> = { test, handler, pick: (m) => (test(m) ? clause : undefined) };
  return clause;
}

/**
 * Waits for the process monitored as `mref` to exit and resolves with its reason; rejects
 * with `ExitError(['timeout', where])` after `timeout` ms.
 */
export function awaitDown(mref: Ref, timeout: number, where: unknown): Promise<unknown> {
  const down = (m: unknown): boolean => Array.isArray(m) && m.length === 5 && m[1] === mref && m[0] === 'DOWN';
  const clause: Clause<unknown> = { test: down, handler: (m: readonly unknown[]) => m[4], pick: (m) => (down(m) ? clause : undefined) };
  return receive([clause], after(timeout, () => {
    demonitor(mref, { flush: true });
    throw new ExitError(['timeout', where]);
  }));
}

function place(where: unknown): unknown {
  return typeof where === 'function' ? (where as () => unknown)() : where;
}

function checkTimeout(ms: number): void {
  if (typeof ms !== 'number' || !(ms >= 0)) throw new BadArgError(`call: the timeout must be a number ≥ 0 or Infinity, got ${String(ms)}`);
}
