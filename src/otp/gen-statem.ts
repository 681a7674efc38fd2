// gen_statem: start/startLink, call, cast, reply, stop. The machine runs as an actor
// (statem.ts); calls are gen_server's '$gen_call' exchange (call.ts), so a machine answers
// genServer.call as well, and sys.getState / sys.replaceState see `[state, data]`.
import type { Pid } from '../runtime/pid.js';
import { send } from '../runtime/registry.js';
import { type From, request, resolve } from './call.js';
import { startGen, stopGen } from './gen.js';
import { DEFAULT_CALL_TIMEOUT, type Server, type StartOptions } from './gen-server.js';
import type { StartResult } from './server.js';
import { type AnyStatemCallbacks, StatemCore } from './statem.js';

export { reply, type From } from './call.js';
export type { StartOptions, StartResult };

/**
 * A machine's pid, typed with what it accepts: `call` takes a `Call` and resolves to a
 * `Reply`; `cast` takes a `Cast`. At run time it is the plain `Pid` (the same type as a
 * gen_server's `Server`: the protocol is the same).
 */
export type Statem<Call = unknown, Reply = unknown, Cast = unknown> = Server<Call, Reply, Cast>;

/**
 * An event's type, as Erlang's gen_statem names them: `['call', from]`, `'cast'`, `'info'`
 * (any other message), `'timeout'` (the event timeout), `'state_timeout'`,
 * `['timeout', name]` (a generic timeout), `'internal'` (inserted by `next_event`) and
 * `'enter'` (a state enter call; its content is the old state).
 */
export type EventType<TimeoutName = unknown> =
  | readonly ['call', From]
  | 'cast'
  | 'info'
  | 'timeout'
  | 'state_timeout'
  | readonly ['timeout', TimeoutName]
  | 'internal'
  | 'enter';

/** A timeout's time: ms ≥ 0, or `'infinity'` / `Infinity` (no timeout: it cancels a running one). */
export type Time = number | 'infinity';

/**
 * What a state callback asks for besides its transition (Erlang's actions; always a list here):
 * - `'postpone'` / `['postpone', bool]`: keep the event until the state changes;
 * - `['next_event', type, content]`: handle this event next, before queued messages (in order);
 * - `['reply', from, value]`: answer a call;
 * - `ms` (short for `['timeout', ms, ms]`) or `['timeout', ms, content]`: the event timeout,
 *   cancelled by any event;
 * - `['state_timeout', ms, content]`: cancelled by a change of state, restarted by a new one;
 *   `['state_timeout', 'cancel']` or a time of `'infinity'` cancels it, `'update'` replaces
 *   its content;
 * - `[['timeout', name], ms, content]`: a generic timeout, one per name, cancelled only by
 *   `[['timeout', name], 'cancel']` (or `'infinity'`), restarted by a new one;
 * - `'hibernate'` / `['hibernate', bool]`: accepted, and nothing more (there is no heap to shrink).
 */
export type Action<Reply = unknown> =
  | 'postpone'
  | readonly ['postpone', boolean]
  | 'hibernate'
  | readonly ['hibernate', boolean]
  | readonly ['next_event', Exclude<EventType, 'enter'>, unknown]
  | readonly ['reply', From, Reply]
  | number
  | readonly ['timeout', Time | 'update', unknown]
  | readonly ['state_timeout', Time | 'update', unknown]
  | readonly ['state_timeout', 'cancel']
  | readonly [readonly ['timeout', unknown], Time | 'update', unknown]
  | readonly [readonly ['timeout', unknown], 'cancel'];

/** A reply, as `stop_and_reply` takes them. */
export type ReplyAction<Reply = unknown> = readonly ['reply', From, Reply];

type Actions<R> = readonly Action<R>[];

/**
 * A state callback's result (Erlang's tuples as arrays). A state enter call may not change
 * the state (`next_state` to the same state only), postpone, or insert events.
 */
export type EventHandlerResult<S, D, Reply = unknown> =
  | readonly ['next_state', S, D]
  | readonly ['next_state', S, D, Actions<Reply>]
  | readonly ['keep_state', D]
  | readonly ['keep_state', D, Actions<Reply>]
  | 'keep_state_and_data'
  | readonly ['keep_state_and_data', Actions<Reply>]
  | readonly ['repeat_state', D]
  | readonly ['repeat_state', D, Actions<Reply>]
  | 'repeat_state_and_data'
  | readonly ['repeat_state_and_data', Actions<Reply>]
  | 'stop'
  | readonly ['stop', unknown]
  | readonly ['stop', unknown, D]
  | readonly ['stop_and_reply', unknown, readonly ReplyAction<Reply>[]]
  | readonly ['stop_and_reply', unknown, readonly ReplyAction<Reply>[], D];

/** What `init` returns: the first state and data (and actions), `['stop', reason]` or `'ignore'`. */
export type InitResult<S, D, Reply = unknown> =
  | readonly ['ok', S, D]
  | readonly ['ok', S, D, Actions<Reply>]
  | readonly ['stop', unknown]
  | 'ignore';

/**
 * The events a machine handles, as `[type, content]` pairs: checking the type narrows the
 * content (`type === 'cast'` makes it a `Cast`; `typeof type === 'object'` a `Call`, when
 * there are no generic timeouts, i.e. `TimeoutName` is `never`).
 */
export type Event<S, Call, Cast, Info, TimeoutName = never> =
  | [type: readonly ['call', From], content: Call]
  | [type: 'cast', content: Cast]
  | [type: 'info', content: Info]
  | [type: 'enter', content: S]
  | [type: 'timeout' | 'state_timeout' | 'internal', content: unknown]
  | ([TimeoutName] extends [never] ? never : [type: readonly ['timeout', TimeoutName], content: unknown]);

type WithData<E, D> = E extends readonly [infer T, infer C] ? [type: T, content: C, data: D] : never;
type WithStateData<E, S, D> = E extends readonly [infer T, infer C] ? [type: T, content: C, state: S, data: D] : never;

/**
 * A state function (state_functions mode): `(type, content, data)`. Declare all three
 * parameters (`_data` if unused): TypeScript narrows the content from the type only then.
 */
export type StateFunction<S, D, Call = never, Reply = unknown, Cast = never, Info = unknown, TimeoutName = never> =
  (...event: WithData<Event<S, Call, Cast, Info, TimeoutName>, D>) => EventHandlerResult<S, D, Reply>;

/** `handleEvent` (handle_event_function mode): `(type, content, state, data)`; declare all four parameters. */
export type HandleEvent<S, D, Call = never, Reply = unknown, Cast = never, Info = unknown, TimeoutName = never> =
  (...event: WithStateData<Event<S, Call, Cast, Info, TimeoutName>, S, D>) => EventHandlerResult<S, D, Reply>;

interface CommonCallbacks<S, D, Reply, Args> {
  init(args: Args): InitResult<S, D, Reply>;
  /** Erlang's `state_enter` callback mode option: the state callback is called with `('enter', oldState)` on each change of state. */
  readonly stateEnter?: boolean;
  /** Runs on a stop result, `stop()`, a callback's throw, and the parent's exit when trapping exits. Not when killed. */
  terminate?(reason: unknown, state: S, data: D): void;
}

/** state_functions mode: one function per state, the state being its name. */
export interface StateFunctionsCallbacks<S extends string, D, Call = never, Reply = unknown, Cast = never, Info = unknown, Args = undefined, TimeoutName = never>
  extends CommonCallbacks<S, D, Reply, Args> {
  readonly callbackMode: 'state_functions';
  readonly states: { readonly [K in S]: StateFunction<S, D, Call, Reply, Cast, Info, TimeoutName> };
}

/** handle_event_function mode: one function for every state; the state can be any value. */
export interface HandleEventCallbacks<S, D, Call = never, Reply = unknown, Cast = never, Info = unknown, Args = undefined, TimeoutName = never>
  extends CommonCallbacks<S, D, Reply, Args> {
  readonly callbackMode: 'handle_event_function';
  readonly handleEvent: HandleEvent<S, D, Call, Reply, Cast, Info, TimeoutName>;
}

/**
 * A machine's callbacks (Erlang's callback module), in one of the two callback modes. `S`
 * is the state, `D` the data; `TimeoutName` the names of its generic timeouts, if any.
 * Every callback is synchronous; results and actions are Erlang's tuples as arrays.
 */
export type GenStatem<S, D, Call = never, Reply = unknown, Cast = never, Info = unknown, Args = undefined, TimeoutName = never> =
  | HandleEventCallbacks<S, D, Call, Reply, Cast, Info, Args, TimeoutName>
  | ([S] extends [string] ? StateFunctionsCallbacks<S, D, Call, Reply, Cast, Info, Args, TimeoutName> : never);

/**
 * Starts a machine, without a link, and returns once `init` has run: `['ok', pid]`,
 * `['error', reason]` (init threw or returned `['stop', reason]`; `['already_started', pid]`
 * for a taken name) or `'ignore'`.
 */
export function start<S, D, C, R, K, I, A, N>(mod: GenStatem<S, D, C, R, K, I, A, N>, args: A, opts: StartOptions = {}): StartResult<Statem<C, R, K>> {
  return startStatem(mod as unknown as AnyStatemCallbacks, args, opts.name, false);
}

/** `start`, linked to the caller before `init` runs (a supervisor's way to start a child). */
export function startLink<S, D, C, R, K, I, A, N>(mod: GenStatem<S, D, C, R, K, I, A, N>, args: A, opts: StartOptions = {}): StartResult<Statem<C, R, K>> {
  return startStatem(mod as unknown as AnyStatemCallbacks, args, opts.name, true);
}

function startStatem(mod: AnyStatemCallbacks, args: unknown, name: string | undefined, link: boolean): StartResult<Pid> {
  return startGen(name, link, (proc, parent) => new StatemCore(proc, mod, parent), (core) => core.start(args));
}

/**
 * Sends `request` as a `['call', from]` event and waits for the reply (gen_statem:call). A
 * dead or unknown machine, its exit while handling it, and `timeout` rethrow as
 * `ExitError` with `[reason, ['gen_statem', 'call', [server, request, timeout]]]`.
 */
export function call<C, R>(server: Statem<C, R, unknown> | string, req: NoInfer<C>, timeout: number = DEFAULT_CALL_TIMEOUT): Promise<R> {
  return request(server, (from) => ['$gen_call', from, req], timeout, ['gen_statem', 'call', [server, req, timeout]]) as Promise<R>;
}

/** Sends `request` as a `'cast'` event without waiting: always `'ok'`, even to a dead pid or an unknown name. */
export function cast<K>(server: Statem<unknown, unknown, K> | string, req: NoInfer<K>): 'ok' {
  const pid = resolve(server);
  if (pid !== undefined) send(pid, ['$gen_cast', req]);
  return 'ok';
}

/**
 * Stops a machine (gen_statem:stop): its `terminate(reason, state, data)` runs, then it
 * exits with `reason`; resolves `'ok'` once it is gone. `noproc` and `timeout` rethrow as
 * `ExitError`; if it exits with another reason (terminate threw), that is rethrown.
 */
export function stop(server: Pid | string, reason: unknown = 'normal', timeout = Infinity): Promise<'ok'> {
  return stopGen('gen_statem', server, reason, timeout);
}
