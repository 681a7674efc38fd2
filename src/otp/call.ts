// The client half of a synchronous request, as gen:call does it: monitor the server, send
// the request tagged with the monitor ref, wait for a reply carrying that ref or the DOWN.
// A caller that gave up (timeout, or killed while waiting) deactivates its tag, and a reply
// to an inactive tag is dropped at the sender: a late reply never reaches the caller's
// mailbox (OTP 24's process aliases, here within one JavaScript runtime).
import { ExitError } from '../runtime/errors.js';
import { Pid, type Ref } from '../runtime/pid.js';
import type { Clause } from '../runtime/receive.js';
import { receive, TIMEOUT } from '../runtime/receive.js';
import { send, whereis } from '../runtime/registry.js';
import { living } from '../runtime/scheduler.js';
import { demonitor, monitor } from '../runtime/signals.js';

/** Who a request came from: the caller's pid and the tag its reply must carry (Erlang's `From`). */
export type From = readonly [pid: Pid, tag: Ref];

/** The tags of callers still waiting for their reply. */
const waiting = new Set<Ref>();

/**
 * Sends `value` to the caller of `from`: gen_server's `reply/2`, for a reply deferred past
 * `handleCall`. A caller that stopped waiting gets nothing.
 */
export function reply(from: From, value: unknown): 'ok' {
  const tag = from[1];
  if (waiting.has(tag)) send(from[0], [tag, value]);
  return 'ok';
}

/** The live pid behind a server name or pid, or `undefined`. */
export function resolve(server: Pid | string): Pid | undefined {
  return server instanceof Pid ? server : whereis(server);
}

/**
 * Sends `make(from)` to `server` and resolves with the reply. `noproc`, the server's exit,
 * and a timeout reject with `ExitError([reason, where])`, which exits the caller unless
 * caught, as gen_server:call exits its caller.
 */
export async function request(server: Pid | string, make: (from: From) => unknown, timeout: number, where: unknown): Promise<unknown> {
  const me = living();
  const pid = resolve(server);
  if (pid === undefined) throw new ExitError(['noproc', where]);
  if (pid === me.pid) throw new ExitError(['calling_self', where]);
  const mref = monitor(pid);
  waiting.add(mref);
  try {
    send(pid, make(Object.freeze([me.pid, mref] as const)));
    const got = await receive([replyOrDown(mref)], timeout);
    if (got === TIMEOUT) {
      demonitor(mref, { flush: true });
      throw new ExitError(['timeout', where]);
    }
    if (got.length === 2) {
      demonitor(mref, { flush: true });
      return got[1];
    }
    throw new ExitError([got[4], where]);
  } finally {
    waiting.delete(mref);
  }
}

/** One clause for the reply `[mref, value]` or `['DOWN', mref, …]`: made per call, without compiling a pattern. */
function replyOrDown(mref: Ref): Clause<readonly unknown[]> {
  const test = (m: unknown): boolean =>
    Array.isArray(m) && ((m.length === 2 && m[0] === mref) || (m.length === 5 && m[1] === mref && m[0] === 'DOWN'));
  const clause: Clause<readonly unknown[]> = { test, handler: (m: readonly unknown[]) => m, pick: (m) => (test(m) ? clause : undefined) };
  return clause;
}

/**
 * Waits for `pid` (monitored as `mref`) to exit and resolves with its reason; rejects with
 * `ExitError(['timeout', where])` after `timeout` ms.
 */
export async function awaitDown(mref: Ref, timeout: number, where: unknown): Promise<unknown> {
  const got = await receive([replyOrDown(mref)], timeout);
  if (got === TIMEOUT) {
    demonitor(mref, { flush: true });
    throw new ExitError(['timeout', where]);
  }
  return got[4];
}
