// The loop of gen_statem, run as a callback-driven actor (runtime/actor.ts) as gen_server's
// is (server.ts). Postponed messages stay in the mailbox, where they are: the actor's
// `state()` is a version number bumped on each change of state (Erlang's =:=, below), and
// the mailbox offers them again when it changes. Events inserted by `next_event`, zero
// timeouts and inserted events that were postponed are this core's own small queues, run
// before the mailbox's next message. A result of `'keep_state_and_data'` allocates nothing.
//
// Where that differs from Erlang's queue (all retried postponed events in one queue, in the
// order they were postponed): postponed messages are retried after the inserted events and
// the zero timeouts of the transition that changed the state (Erlang runs zero timeouts once
// the retried ones are done too), and an inserted event that was postponed is retried before
// the postponed messages, whatever their order.
import type { Behaviour } from '../runtime/actor.js';
import { type Clock, getClock, type TimerHandle } from '../runtime/clock.js';
import { ExitError } from '../runtime/errors.js';
import type { Pid } from '../runtime/pid.js';
import type { Process } from '../runtime/process.js';
import { lookup } from '../runtime/registry.js';
import { exitReason } from '../runtime/scheduler.js';
import { type From, reply } from './call.js';
import { type InitOutcome, startGen, systemRequest, type SystemRequest } from './gen.js';
import type { HandleEventCallbacks } from './gen-statem.js';

/** @internal the key of what a machine releases on any exit, a kill included (terminate does not run then): a socket */
export const RELEASE: unique symbol = Symbol('erlgun/release');

/** @internal callbacks that hold something outside the runtime */
export interface Releasing<D> {
  readonly [RELEASE]?: (data: D) => void;
}

/** @internal the callbacks as the core sees them */
export interface AnyStatemCallbacks extends Releasing<unknown> {
  readonly callbackMode: 'state_functions' | 'handle_event_function';
  readonly stateEnter?: boolean;
  init(args: unknown): unknown;
  readonly states?: Readonly<Record<string, (type: unknown, content: unknown, data: unknown) => unknown>>;
  handleEvent?(type: unknown, content: unknown, state: unknown, data: unknown): unknown;
  terminate?(reason: unknown, state: unknown, data: unknown): void;
}

type TimeoutType = 'timeout' | 'state_timeout' | readonly ['timeout', unknown];

/** A timeout's event, delivered to the mailbox when its timer fires (or queued at once for 0). */
class Tick {
  cancelled = false;
  clock: Clock | undefined = undefined;
  handle: TimerHandle | undefined = undefined;
  constructor(readonly type: TimeoutType, public content: unknown) {}
}

const hasOwn = Object.prototype.hasOwnProperty;

/** @internal */
export class StatemCore implements Behaviour {
  /** The current state and data (read by `statemOf` without a message). */
  currentState: unknown = undefined;
  data: unknown = undefined;
  /** Bumped when the state changes: the mailbox offers postponed messages again. */
  #version = 0;
  #eventTick: Tick | undefined = undefined;
  #stateTick: Tick | undefined = undefined;
  #generic: Map<unknown, Tick> | undefined = undefined;
  /** Inserted events (`next_event`, and postponed inserted events retried), as flat type, content pairs. */
  #queue: unknown[] | undefined = undefined;
  /** Inserted events that were postponed, waiting for a change of state. */
  #postponed: unknown[] | undefined = undefined;
  /** Zero timeouts, run once the queue is empty, before the next message. */
  #zero: Tick[] | undefined = undefined;
  #initActions: unknown = undefined;
  /** The event being handled comes from the core's own queues (not the mailbox). */
  #internal = false;
  #type: unknown = undefined;
  #content: unknown = undefined;
  /** The state an enter call was made for (a repeat_state from it repeats it with the same old state). */
  #enterFrom: unknown = undefined;
  #stopping = false;
  readonly #proc: Process;
  readonly #mod: AnyStatemCallbacks;
  readonly #parent: Pid;
  constructor(proc: Process, mod: AnyStatemCallbacks, parent: Pid) {
    this.#proc = proc;
    this.#mod = mod;
    this.#parent = parent;
  }

  /** Read from the process: one field less in every machine (thousands of Gun connections are machines). */
  get pid(): Pid {
    return this.#proc.pid;
  }

  /** Runs `init(args)` (as the new process) and keeps what it returned. */
  start(args: unknown): InitOutcome {
    const mod = this.#mod;
    if (mod.callbackMode !== 'state_functions' && mod.callbackMode !== 'handle_event_function') {
      return ['stop', ['bad_return_from_callback_mode', mod.callbackMode]];
    }
    const result = mod.init(args);
    if (Array.isArray(result) && result[0] === 'ok' && (result.length === 3 || result.length === 4)) {
      this.currentState = result[1];
      this.data = result[2];
      this.#initActions = result[3];
      return true;
    }
    if (result === 'ignore') return 'ignore';
    return ['stop', Array.isArray(result) && result[0] === 'stop' && result.length === 2 ? result[1] : ['bad_return_from_init', result]];
  }

  /** @internal whether this machine runs the callbacks `mod` */
  runs(mod: AnyStatemCallbacks): boolean {
    return this.#mod === mod;
  }

  /** The first turn: init's actions, and the state enter call for the initial state (its old state is itself). */
  init(): void {
    const actions = this.#initActions;
    this.#initActions = undefined;
    try {
      this.#internal = true;
      this.#type = undefined;
      this.#transition(this.currentState, this.data, actions, true, false);
      this.#drain();
    } catch (error) {
      this.#crashed(error);
    }
  }

  handle(msg: unknown): boolean {
    let type: unknown;
    let content: unknown;
    if (msg instanceof Tick) {
      if (msg.cancelled) return true;
      this.#fired(msg);
      type = msg.type;
      content = msg.content;
    } else if (Array.isArray(msg) && typeof msg[0] === 'string') {
      const tag = msg[0];
      if (tag === '$gen_call' && msg.length === 3) {
        type = ['call', msg[1]];
        content = msg[2];
      } else if (tag === '$gen_cast' && msg.length === 2) {
        type = 'cast';
        content = msg[1];
      } else if (tag === '$gen_system' && msg.length === 3) {
        this.#system(msg[1] as From, msg[2] as SystemRequest);
        return true;
      } else if (tag === 'EXIT' && msg.length === 3 && msg[1] === this.#parent) {
        this.stop(msg[2]);
      } else {
        type = 'info';
        content = msg;
      }
    } else {
      type = 'info';
      content = msg;
    }
    let consumed: boolean;
    try {
      this.#internal = false;
      consumed = this.#event(type, content);
      if (this.#queue !== undefined || this.#zero !== undefined) this.#drain();
    } catch (error) {
      this.#crashed(error);
    }
    return consumed;
  }

  /** Postponed messages are offered again only after this changes (actor.ts). */
  state(): unknown {
    return this.#version;
  }

  /** The actor exits, whatever the reason: no timer outlives it. */
  terminate(): void {
    this.#cancelAll();
    this.#mod[RELEASE]?.(this.data);
  }

  /** @internal ends the machine: `terminate(reason, state, data)`, then exit with `reason` (a throwing terminate's error replaces it) */
  stop(reason: unknown): never {
    this.#stopping = true;
    this.#cancelAll();
    let why = reason;
    try {
      this.#mod.terminate?.(reason, this.currentState, this.data);
    } catch (error) {
      why = exitReason(error);
    }
    throw ExitError.signal(why);
  }

  #system(from: From, req: SystemRequest): void {
    systemRequest(from, req, () => [this.currentState, this.data], (next) => {
      if (!Array.isArray(next) || next.length !== 2) throw new TypeError('sys.replaceState: a gen_statem takes and returns [state, data]');
      this.currentState = next[0];
      this.data = next[1];
    }, (reason) => this.stop(reason));
  }

  /** One event: any event cancels the event timeout. Returns false when it is postponed. */
  #event(type: unknown, content: unknown): boolean {
    const tick = this.#eventTick;
    if (tick !== undefined) {
      this.#eventTick = undefined;
      cancel(tick);
    }
    this.#type = type;
    this.#content = content;
    return this.#result(this.#callback(type, content), false);
  }

  #callback(type: unknown, content: unknown): unknown {
    const mod = this.#mod;
    if (mod.callbackMode !== 'state_functions') return mod.handleEvent!(type, content, this.currentState, this.data);
    const states = mod.states;
    const state = this.currentState;
    if (typeof state !== 'string' || states === undefined || !hasOwn.call(states, state) || typeof states[state] !== 'function') {
      throw new ExitError(['undef_state_function', state]);
    }
    return states[state]!(type, content, this.data);
  }

  /** Applies a state callback's result; false when the event is postponed. */
  #result(r: unknown, enter: boolean): boolean {
    if (r === 'keep_state_and_data') return true;
    if (r === 'repeat_state_and_data') return this.#transition(this.currentState, this.data, undefined, true, enter);
    if (r === 'stop') this.stop('normal');
    if (Array.isArray(r)) {
      const n = r.length;
      switch (r[0]) {
        case 'next_state':
          if (n !== 3 && n !== 4) break;
          if (enter && !sameState(r[1], this.currentState)) this.stop(['bad_state_enter_return_from_state_function', r]);
          return this.#transition(r[1], r[2], r[3], false, enter);
        case 'keep_state':
          if (n !== 2 && n !== 3) break;
          return this.#transition(this.currentState, r[1], r[2], false, enter);
        case 'keep_state_and_data':
          if (n !== 2) break;
          return this.#transition(this.currentState, this.data, r[1], false, enter);
        case 'repeat_state':
          if (n !== 2 && n !== 3) break;
          return this.#transition(this.currentState, r[1], r[2], true, enter);
        case 'repeat_state_and_data':
          if (n !== 2) break;
          return this.#transition(this.currentState, this.data, r[1], true, enter);
        case 'stop':
          if (n !== 2 && n !== 3) break;
          if (n === 3) this.data = r[2];
          return this.stop(r[1]);
        case 'stop_and_reply': {
          if (n !== 3 && n !== 4) break;
          if (n === 4) this.data = r[3];
          // Erlang replies first, then terminates.
          const replies: unknown = r[2];
          for (const a of Array.isArray(replies) && !isReply(replies) ? replies : [replies]) {
            if (!isReply(a)) this.stop(['bad_reply_action_from_state_function', a]);
            reply(a[1] as From, a[2]);
          }
          return this.stop(r[1]);
        }
      }
    }
    return this.stop([enter ? 'bad_state_enter_return_from_state_function' : 'bad_return_from_state_function', r]);
  }

  /**
   * A transition to `next` with `data`: replies and the postpone flag first, then the change
   * of state (postponed events retried, the state timeout cancelled), the timeouts and the
   * inserted events, then the state enter call, whose own actions come last. Returns false
   * when the event is postponed.
   */
  #transition(next: unknown, data: unknown, actions: unknown, repeat: boolean, enter: boolean): boolean {
    const postpone = actions === undefined ? false : this.#firstPass(actions, enter);
    if (postpone && this.#internal) (this.#postponed ??= []).push(this.#type, this.#content);
    const prev = this.currentState;
    const changed = !sameState(next, prev);
    this.currentState = next;
    this.data = data;
    if (changed) {
      this.#version++;
      const tick = this.#stateTick;
      if (tick !== undefined) {
        this.#stateTick = undefined;
        cancel(tick);
      }
      const postponed = this.#postponed;
      if (postponed !== undefined) {
        this.#postponed = undefined;
        this.#queue = this.#queue === undefined ? postponed : postponed.concat(this.#queue);
      }
    }
    if (actions !== undefined) this.#secondPass(actions as readonly unknown[]);
    if (this.#mod.stateEnter === true && (changed || repeat)) {
      const from = enter ? this.#enterFrom : prev;
      this.#enterFrom = from;
      this.#result(this.#callback('enter', from), true);
    }
    return !postpone;
  }

  /** Checks the actions, sends the replies, and returns whether the event is postponed. */
  #firstPass(actions: unknown, enter: boolean): boolean {
    if (!Array.isArray(actions)) return this.stop(['bad_action_from_state_function', actions]);
    let postpone = false;
    for (let i = 0; i < actions.length; i++) {
      const a: unknown = actions[i];
      const on = a === 'postpone' || (Array.isArray(a) && a[0] === 'postpone' && a.length === 2 && typeof a[1] === 'boolean' ? a[1] as boolean : undefined);
      if (on !== undefined) {
        if (on && (enter || this.#type === undefined)) this.stop([enter ? 'bad_state_enter_action_from_state_function' : 'bad_action_from_state_function', a]);
        postpone = on;
      } else if (a === 'hibernate' || isTime(a)) {
        continue;
      } else if (Array.isArray(a)) {
        const tag: unknown = a[0];
        const n = a.length;
        if (tag === 'reply' && n === 3 && isFrom(a[1])) reply(a[1], a[2]);
        else if (tag === 'next_event' && n === 3 && isEventType(a[1])) {
          if (enter) this.stop(['bad_state_enter_action_from_state_function', a]);
        } else if (tag === 'hibernate' && n === 2 && typeof a[1] === 'boolean') continue;
        else if (tag === 'timeout' || tag === 'state_timeout' || isGeneric(tag)) {
          if (!(n === 3 ? isTime(a[1]) || a[1] === 'update' || a[1] === 'infinity' : n === 2 && a[1] === 'cancel' && tag !== 'timeout')) {
            this.stop(['bad_action_from_state_function', a]);
          }
        } else this.stop(['bad_action_from_state_function', a]);
      } else this.stop(['bad_action_from_state_function', a]);
    }
    return postpone;
  }

  /** Starts and cancels the timeouts (the last of a kind wins) and inserts the `next_event`s, in order, before queued events. */
  #secondPass(actions: readonly unknown[]): void {
    let inserted: unknown[] | undefined;
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i];
      if (typeof a === 'number') this.#eventTick = this.#arm(this.#eventTick, 'timeout', a, a);
      else if (!Array.isArray(a)) continue;
      else if (a[0] === 'timeout') this.#eventTick = this.#arm(this.#eventTick, 'timeout', a[1], a[2]);
      else if (a[0] === 'state_timeout') this.#stateTick = this.#arm(this.#stateTick, 'state_timeout', a[1], a[2]);
      else if (a[0] === 'next_event') (inserted ??= []).push(a[1], a[2]);
      else if (isGeneric(a[0])) {
        const name: unknown = a[0][1];
        const generic = (this.#generic ??= new Map());
        const tick = this.#arm(generic.get(name), a[0], a[1], a[2]);
        if (tick === undefined) generic.delete(name);
        else generic.set(name, tick);
      }
    }
    if (inserted !== undefined) this.#queue = this.#queue === undefined ? inserted : inserted.concat(this.#queue);
  }

  /** (Re)starts a timeout of `type` in place of `old`; `'infinity'`/`Infinity`/`'cancel'` only cancel it. */
  #arm(old: Tick | undefined, type: TimeoutType, time: unknown, content: unknown): Tick | undefined {
    if (time === 'update') {
      if (old !== undefined && !old.cancelled) {
        old.content = content;
        return old;
      }
      time = 0;
    }
    if (old !== undefined) cancel(old);
    if (time === 'infinity' || time === Infinity || time === 'cancel') return undefined;
    const tick = new Tick(type, content);
    const ms = time as number;
    // A zero timeout is an event of its own at once: after the inserted events, before any message.
    if (ms <= 0) (this.#zero ??= []).push(tick);
    else {
      // Kept with its clock: cancelled after a setClock, it must be cleared where it runs.
      const clock = getClock();
      const proc = this.#proc;
      tick.clock = clock;
      tick.handle = clock.setTimeout(() => proc.deliver(tick), ms);
    }
    return tick;
  }

  /** The timeout's event is being handled: it no longer runs. */
  #fired(tick: Tick): void {
    tick.handle = undefined;
    if (this.#eventTick === tick) this.#eventTick = undefined;
    else if (this.#stateTick === tick) this.#stateTick = undefined;
    else if (this.#generic !== undefined && typeof tick.type === 'object' && this.#generic.get(tick.type[1]) === tick) this.#generic.delete(tick.type[1]);
  }

  /** Runs the inserted events, then the zero timeouts, until none is left. */
  #drain(): void {
    for (;;) {
      const queue = this.#queue;
      if (queue !== undefined) {
        const type = queue.shift();
        const content = queue.shift();
        if (queue.length === 0) this.#queue = undefined;
        this.#internal = true;
        this.#event(type, content);
        continue;
      }
      const zero = this.#zero;
      if (zero === undefined) return;
      const tick = zero.shift()!;
      if (zero.length === 0) this.#zero = undefined;
      if (tick.cancelled) continue;
      this.#fired(tick);
      this.#internal = true;
      this.#event(tick.type, tick.content);
    }
  }

  #cancelAll(): void {
    if (this.#eventTick !== undefined) cancel(this.#eventTick);
    if (this.#stateTick !== undefined) cancel(this.#stateTick);
    if (this.#generic !== undefined) for (const tick of this.#generic.values()) cancel(tick);
    this.#eventTick = this.#stateTick = this.#generic = this.#zero = undefined;
  }

  // A callback's throw ends the machine as a stop would: terminate runs, then the exit.
  #crashed(error: unknown): never {
    if (this.#stopping) throw error;
    this.stop(exitReason(error));
  }
}

function cancel(tick: Tick): void {
  tick.cancelled = true;
  if (tick.handle !== undefined) tick.clock!.clearTimeout(tick.handle);
  tick.handle = undefined;
}

function isTime(t: unknown): boolean {
  return typeof t === 'number' && t >= 0;
}

function isGeneric(t: unknown): t is readonly ['timeout', unknown] {
  return Array.isArray(t) && t.length === 2 && t[0] === 'timeout';
}

function isFrom(f: unknown): f is From {
  return Array.isArray(f) && f.length === 2;
}

function isReply(a: unknown): a is readonly ['reply', From, unknown] {
  return Array.isArray(a) && a.length === 3 && a[0] === 'reply' && isFrom(a[1]);
}

const EVENT_TYPES = new Set(['cast', 'info', 'timeout', 'state_timeout', 'internal']);

function isEventType(t: unknown): boolean {
  if (typeof t === 'string') return EVENT_TYPES.has(t);
  return Array.isArray(t) && t.length === 2 && ((t[0] === 'call' && isFrom(t[1])) || t[0] === 'timeout');
}

/**
 * @internal Erlang's =:= for states: primitives by `Object.is`, arrays and plain objects by their
 * contents, anything else (class instances, functions, pids) by identity.
 */
export function sameState(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameState(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlain(a) || !isPlain(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    if (!hasOwn.call(b, k) || !sameState((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function isPlain(o: object): boolean {
  const proto: unknown = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

/** @internal a running machine, read synchronously (the Gun connection's way to answer `info`) */
export interface StatemView<S, D> {
  readonly pid: Pid;
  readonly currentState: S;
  readonly data: D;
}

/**
 * @internal Starts a machine from `mod`, unlinked and unnamed, and returns it at once: `init`
 * runs synchronously as the new process (its actions and state enter call on its first
 * turn). If `init` fails, the process has already exited when this returns (its pid is dead).
 * `mod[RELEASE]` runs whenever the process exits, a kill included (terminate does not run then).
 */
export function spawnStatem<S, D, C, R, K, I, A, N>(mod: HandleEventCallbacks<S, D, C, R, K, I, A, N> & Releasing<D>, args: A): StatemView<S, D> {
  let core!: StatemCore;
  const make = (proc: Process, parent: Pid): StatemCore => (core = new StatemCore(proc, mod as unknown as AnyStatemCallbacks, parent));
  startGen(undefined, false, make, (c) => c.start(args));
  return core as unknown as StatemView<S, D>;
}

/** @internal the machine behind `pid`, while it is alive and runs `mod`'s callbacks */
export function statemOf<S, D, C, R, K, I, A, N>(pid: Pid, mod: HandleEventCallbacks<S, D, C, R, K, I, A, N>): StatemView<S, D> | undefined {
  return machineOf(pid, mod as unknown as AnyStatemCallbacks) as unknown as StatemView<S, D> | undefined;
}

function machineOf(pid: Pid, mod: AnyStatemCallbacks): StatemCore | undefined {
  const behaviour = lookup(pid)?.behaviour;
  return behaviour instanceof StatemCore && behaviour.runs(mod) ? behaviour : undefined;
}
