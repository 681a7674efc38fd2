// gen_server: start/startLink, call, cast, reply, stop. The server runs as an actor
// (server.ts); calls are gen:call's monitor-and-tag exchange (call.ts).
import type { Pid } from '../runtime/pid.js';
import { send } from '../runtime/registry.js';
import { request, resolve } from './call.js';
import { stopGen } from './gen.js';
import { type Callbacks, type StartResult, startServer } from './server.js';

export { reply, type From } from './call.js';
export type { Action, CallResult, InitResult, NoReplyResult, StartResult } from './server.js';

declare const PROTOCOL: unique symbol;

/**
 * A server's pid, typed with what it accepts: `call` takes a `Call` and resolves to a
 * `Reply`; `cast` takes a `Cast`. At run time it is the plain `Pid`.
 */
export type Server<Call = unknown, Reply = unknown, Cast = unknown> = Pid & { readonly [PROTOCOL]?: { call: Call; reply: Reply; cast: Cast } };

/**
 * A server's callbacks (Erlang's callback module). Results are Erlang's tuples as arrays:
 * `['reply', r, state]`, `['noreply', state, 1000]`, `['stop', reason, state]`…
 * Every callback is synchronous (a gen_server handles one message at a time); to wait
 * for something, return `noreply` and answer later with `reply(from, value)`.
 */
export type GenServer<S, Call = never, Reply = unknown, Cast = never, Info = unknown, Args = undefined> = Callbacks<S, Call, Reply, Cast, Info, Args>;

export interface StartOptions {
  /** Registers the server under this name before `init` runs (Erlang's `{local, Name}`). */
  readonly name?: string;
}

/** Default time a `call` waits for its reply (Erlang's 5000 ms). */
export const DEFAULT_CALL_TIMEOUT = 5000;

/**
 * Starts a server, without a link, and returns once `init` has run: `['ok', pid]`,
 * `['error', reason]` (init threw or returned `['stop', reason]`; `['already_started', pid]`
 * for a taken name) or `'ignore'`.
 */
export function start<S, C, R, K, I, A>(mod: GenServer<S, C, R, K, I, A>, args: A, opts: StartOptions = {}): StartResult<Server<C, R, K>> {
  return startServer(mod as never, args, opts.name, false);
}

/** `start`, linked to the caller before `init` runs (a supervisor's way to start a child). */
export function startLink<S, C, R, K, I, A>(mod: GenServer<S, C, R, K, I, A>, args: A, opts: StartOptions = {}): StartResult<Server<C, R, K>> {
  return startServer(mod as never, args, opts.name, true);
}

/**
 * Sends `request` and waits for the reply (gen_server:call). A dead or unknown server, the
 * server's exit while handling it, and `timeout` rethrow as `ExitError` with
 * `[reason, ['gen_server', 'call', [server, request, timeout]]]` — uncaught, the caller
 * exits, as in Erlang. A reply that comes after the timeout is dropped.
 */
export function call<C, R>(server: Server<C, R, unknown> | string, req: NoInfer<C>, timeout: number = DEFAULT_CALL_TIMEOUT): Promise<R> {
  return request(server, (from) => ['$gen_call', from, req], timeout, () => ['gen_server', 'call', [server, req, timeout]]) as Promise<R>;
}

/** Sends `request` without waiting (gen_server:cast): always `'ok'`, even to a dead pid or an unknown name. */
export function cast<K>(server: Server<unknown, unknown, K> | string, req: NoInfer<K>): 'ok' {
  const pid = resolve(server);
  if (pid !== undefined) send(pid, ['$gen_cast', req]);
  return 'ok';
}

/**
 * Stops a server (gen_server:stop): its `terminate(reason, state)` runs, then it exits with
 * `reason`; resolves `'ok'` once it is gone. `noproc` and `timeout` rethrow as `ExitError`;
 * if it exits with another reason (terminate threw), that is rethrown.
 */
export function stop(server: Pid | string, reason: unknown = 'normal', timeout = Infinity): Promise<'ok'> {
  return stopGen('gen_server', server, reason, timeout);
}
