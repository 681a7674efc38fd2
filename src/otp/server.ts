// The server half of gen_server, run as a callback-driven actor (runtime/actor.ts): each
// message is one synchronous callback, and an idle server holds no async frame. Keeping
// promise hooks off matters: an async process body makes every await in the program dearer.
import type { Behaviour } from '../runtime/actor.js';
import { type Clock, getClock, type TimerHandle } from '../runtime/clock.js';
import { ExitError } from '../runtime/errors.js';
import type { Pid } from '../runtime/pid.js';
import type { Process } from '../runtime/process.js';
import { exitReason, living } from '../runtime/scheduler.js';
import { type From, reply } from './call.js';
import { startGen, systemRequest, type SystemRequest } from './gen.js';

/** After a callback: a timeout in ms (`handleInfo('timeout')` if no message comes first), `'hibernate'`, or `['continue', x]`. */
export type Action = number | 'hibernate' | readonly ['continue', unknown];

export type InitResult<S> = readonly ['ok', S] | readonly ['ok', S, Action] | readonly ['stop', unknown] | 'ignore';
export type NoReplyResult<S> = readonly ['noreply', S] | readonly ['noreply', S, Action] | readonly ['stop', unknown, S];
export type CallResult<S, R> = readonly ['reply', R, S] | readonly ['reply', R, S, Action] | NoReplyResult<S> | readonly ['stop', unknown, R, S];

/** What `start`/`startLink` return, as gen_server's do. */
export type StartResult<P> = readonly ['ok', P] | readonly ['error', unknown] | 'ignore';

/** The callbacks of a server; `S` is its state. Every callback is synchronous, as in Erlang. */
export interface Callbacks<S, Call, Reply, Cast, Info, Args> {
  init(args: Args): InitResult<S>;
  handleCall?(request: Call, from: From, state: S): CallResult<S, Reply>;
  handleCast?(request: Cast, state: S): NoReplyResult<S>;
  /** Any other message; `'timeout'` after a timeout action. */
  handleInfo?(msg: Info | 'timeout', state: S): NoReplyResult<S>;
  handleContinue?(info: unknown, state: S): NoReplyResult<S>;
  /** Runs on a stop result, `stop()`, a callback's throw, and the parent's exit when trapping exits. Not when killed. */
  terminate?(reason: unknown, state: S): void;
}

/**
 * A stop that must first wait (a supervisor shuts its children down one by one): on the
 * parent's exit or `stop()`, the core calls it and exits when it calls `done`. Not part of
 * the public API; its declaration stays so that the emitted types refer to nothing missing.
 */
export const DRAIN: unique symbol = Symbol('erlgun/drain');

type AnyCallbacks = Callbacks<unknown, unknown, unknown, unknown, unknown, unknown> & {
  readonly [DRAIN]?: (reason: unknown, state: unknown, done: () => void) => void;
};

/** A timeout action's tick; only the latest one counts. */
class Tick {}

/** @internal a selective wait inside a server (the supervisor's wait for a child's DOWN): other messages stay queued */
interface Block {
  test(msg: unknown): boolean;
  onMatch(msg: unknown): void;
}

/** @internal */
export class ServerCore implements Behaviour {
  /** The callback module's state. */
  userState: unknown = undefined;
  #tick: Tick | undefined = undefined;
  #timer: readonly [Clock, TimerHandle] | undefined = undefined;
  #continue: readonly ['continue', unknown] | number | undefined = undefined;
  #block: Block | undefined = undefined;
  #stopping = false;
  readonly #proc: Process;
  readonly #mod: AnyCallbacks;
  readonly #parent: Pid;

  constructor(proc: Process, mod: AnyCallbacks, parent: Pid) {
    this.#proc = proc;
    this.#mod = mod;
    this.#parent = parent;
  }
  /** Messages postponed during a block are offered again once it is over (the actor's postpone rule). */
  state(): unknown {
    return this.#block;
  }


  /** The action init returned: run on the server's first turn, before any message. */
  init(): void {
    const action = this.#continue;
    this.#continue = undefined;
    if (action !== undefined) this.#guarded(() => this.#action(action));
  }

  handle(msg: unknown): boolean {
    const block = this.#block;
    if (block !== undefined) {
      if (!block.test(msg)) return false;
      this.#block = undefined;
      this.#guarded(() => block.onMatch(msg));
      return true;
    }
    if (msg instanceof Tick) {
      if (msg === this.#tick) {
        this.#tick = undefined;
        this.#guarded(() => this.#noreply(this.#mod.handleInfo?.('timeout', this.userState)));
      }
      return true;
    }
    if (this.#tick !== undefined) this.#cancelTimeout();
    try {
      this.#dispatch(msg);
    } catch (error) {
      this.#crashed(error);
    }
    return true;
  }

  terminate(): void {
    this.#cancelTimeout();
  }

  /** @internal holds back every message but the one `block` waits for */
  blockOn(block: Block): void {
    this.#block = block;
  }

  /** @internal ends the server: `terminate` callback, then exit with `reason` (a throwing terminate's error replaces it) */
  stop(reason: unknown, after?: () => void): never {
    this.#stopping = true;
    this.#cancelTimeout();
    let why = reason;
    try {
      this.#mod.terminate?.(reason, this.userState);
    } catch (error) {
      why = exitReason(error);
    } finally {
      after?.();
    }
    throw ExitError.signal(why);
  }

  /** Sets the state and the action init returned. */
  started(state: unknown, action: Action | undefined): void {
    this.userState = state;
    if (action !== undefined && action !== 'hibernate') this.#continue = action;
  }

  #dispatch(msg: unknown): void {
    if (Array.isArray(msg)) {
      const tag: unknown = msg[0];
      if (tag === '$gen_call' && msg.length === 3) return this.#call(msg[1] as From, msg[2]);
      if (tag === '$gen_cast' && msg.length === 2) return this.#noreply(this.#required('handleCast').call(this.#mod, msg[1], this.userState));
      if (tag === '$gen_system' && msg.length === 3) return this.#system(msg[1] as From, msg[2] as SystemRequest);
      if (tag === 'EXIT' && msg.length === 3 && msg[1] === this.#parent) return this.#drainThenStop(msg[2]);
    }
    if (this.#mod.handleInfo) this.#noreply(this.#mod.handleInfo(msg, this.userState));
  }

  #call(from: From, request: unknown): void {
    const result = this.#required('handleCall').call(this.#mod, request, from, this.userState);
    if (Array.isArray(result) && result[0] === 'reply' && (result.length === 3 || result.length === 4)) {
      reply(from, result[1]);
      this.userState = result[2];
      if (result.length === 4) this.#action(result[3] as Action);
    } else if (Array.isArray(result) && result[0] === 'stop' && result.length === 4) {
      this.userState = result[3];
      this.stop(result[1], () => reply(from, result[2]));
    } else {
      this.#noreply(result);
    }
  }

  #system(from: From, req: SystemRequest): void {
    systemRequest(from, req, () => this.userState, (next) => (this.userState = next), (reason) => this.#drainThenStop(reason));
  }

  #drainThenStop(reason: unknown): void {
    const drain = this.#mod[DRAIN];
    if (drain === undefined) this.stop(reason);
    else drain.call(this.#mod, reason, this.userState, () => this.stop(reason));
  }

  #noreply(result: unknown): void {
    if (Array.isArray(result) && result[0] === 'noreply' && (result.length === 2 || result.length === 3)) {
      this.userState = result[1];
      if (result.length === 3) this.#action(result[2] as Action);
    } else if (Array.isArray(result) && result[0] === 'stop' && result.length === 3) {
      this.userState = result[2];
      this.stop(result[1]);
    } else {
      this.stop(['bad_return_value', result]);
    }
  }

  #action(action: Action): void {
    if (action === 'hibernate') return;
    if (typeof action === 'number') return this.#startTimeout(action);
    if (Array.isArray(action) && action[0] === 'continue') {
      return this.#noreply(this.#required('handleContinue').call(this.#mod, action[1], this.userState));
    }
    this.stop(['bad_return_value', action]);
  }

  #startTimeout(ms: number): void {
    if (ms === Infinity) return;
    const tick = (this.#tick = new Tick());
    // 0 times out at once unless a message is already queued: it is then handled first and the tick is stale.
    if (ms <= 0) this.#proc.deliver(tick);
    else {
      // Kept with its clock: cancelled after a setClock, it must be cleared where it runs.
      const clock = getClock();
      this.#timer = [clock, clock.setTimeout(() => this.#proc.deliver(tick), ms)];
    }
  }

  #cancelTimeout(): void {
    this.#tick = undefined;
    if (this.#timer !== undefined) this.#timer[0].clearTimeout(this.#timer[1]);
    this.#timer = undefined;
  }

  #required<K extends 'handleCall' | 'handleCast' | 'handleContinue'>(name: K): NonNullable<AnyCallbacks[K]> {
    const fn = this.#mod[name];
    if (typeof fn !== 'function') throw new Error(`gen_server: the server has no ${name} callback`);
    return fn as NonNullable<AnyCallbacks[K]>;
  }

  // A callback's throw ends the server as a stop would: terminate runs, then the exit.
  #guarded(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#crashed(error);
    }
  }

  #crashed(error: unknown): never {
    if (this.#stopping) throw error;
    this.stop(exitReason(error));
  }
}

/** @internal the server the calling process runs, if it is one */
export function currentServer(): ServerCore | undefined {
  const behaviour = living().behaviour;
  return behaviour instanceof ServerCore ? behaviour : undefined;
}

/**
 * Starts a server and runs its `init` before returning, as gen_server's start does: init
 * runs synchronously as the new process, so the result (and a link's exit signal on
 * failure) are there when this returns.
 */
export function startServer(mod: AnyCallbacks, args: unknown, name: string | undefined, link: boolean): StartResult<Pid> {
  return startGen(name, link, (proc, parent) => new ServerCore(proc, mod, parent), (core) => {
    const result = mod.init(args);
    if (Array.isArray(result) && result[0] === 'ok' && (result.length === 2 || result.length === 3)) {
      core.started(result[1], result[2] as Action | undefined);
      return true;
    }
    if (result === 'ignore') return 'ignore';
    return ['stop', Array.isArray(result) && result[0] === 'stop' && result.length === 2 ? result[1] : ['bad_return_value', result]];
  });
}
