// supervisor: a gen_server (server.ts) that traps exits, starts its children in order,
// restarts them by strategy within a restart intensity, and shuts them down in reverse
// order, waiting for each (monitor, exit 'shutdown', then 'kill' past the shutdown time).
// Waiting is a selective wait in the server (ServerCore.blockOn): requests that arrive
// meanwhile stay queued, as they do while Erlang's supervisor is busy.
import { getClock } from '../runtime/clock.js';
import { BadArgError } from '../runtime/errors.js';
import { Pid, type Ref } from '../runtime/pid.js';
import { send } from '../runtime/registry.js';
import { self } from '../runtime/scheduler.js';
import { exit, isNormalReason, monitor, processFlag, unlink } from '../runtime/signals.js';
import { cancelTimer, sendAfter } from '../runtime/timers.js';
import { type From, reply } from './call.js';
import { call, type StartOptions, type Server } from './gen-server.js';
import { type Callbacks, currentServer, DRAIN, type ServerCore, type StartResult, startServer } from './server.js';

/** `permanent` children are always restarted, `transient` ones after an abnormal exit, `temporary` ones never. */
export type Restart = 'permanent' | 'transient' | 'temporary';
/** How a child is stopped: `'brutal_kill'`, ms to wait after an exit `'shutdown'` before `'kill'`, or `'infinity'`. */
export type Shutdown = 'brutal_kill' | number | 'infinity';
export type ChildType = 'worker' | 'supervisor';
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

export interface ChildSpec {
  readonly id: string;
  /** Starts the child linked to the caller (the supervisor), e.g. `() => genServer.startLink(mod, args)`. */
  readonly start: () => StartResult<Pid>;
  /** Default `'permanent'`. */
  readonly restart?: Restart;
  /** Default 5000 for a worker, `'infinity'` for a supervisor. */
  readonly shutdown?: Shutdown;
  /** Default `'worker'`. */
  readonly type?: ChildType;
}

export interface SupFlags {
  /** Default `'one_for_one'`. */
  readonly strategy?: Strategy;
  /** More than `intensity` restarts within `period` seconds end the supervisor with `'shutdown'`. Default 1. */
  readonly intensity?: number;
  /** In seconds, as in Erlang. Default 5. */
  readonly period?: number;
}

/** A supervisor's callback: its flags and children, as Erlang's `init/1` returns them. */
export interface Supervisor<Args = undefined> {
  init(args: Args): readonly ['ok', readonly [SupFlags, readonly ChildSpec[]]] | 'ignore';
}

/** What `whichChildren` lists per child: id, pid (`undefined` if not running, `'restarting'`), type. */
export type ChildInfo = readonly [id: string, child: Pid | undefined | 'restarting', type: ChildType];

export interface ChildCounts {
  readonly specs: number;
  readonly active: number;
  readonly supervisors: number;
  readonly workers: number;
}

interface Child {
  readonly spec: Required<ChildSpec>;
  pid: Pid | undefined | 'restarting';
}

interface State {
  readonly strategy: Strategy;
  readonly intensity: number;
  readonly periodMs: number;
  readonly children: Child[];
  restarts: number[];
}

type Request =
  | readonly ['start_child', ChildSpec]
  | readonly ['terminate_child', string]
  | readonly ['restart_child', string]
  | readonly ['delete_child', string]
  | readonly ['which_children']
  | readonly ['count_children'];

/** Starts a supervisor linked to the caller; its children are started, in order, before this returns. */
export function startLink<A>(mod: Supervisor<A>, args: A, opts: StartOptions = {}): StartResult<Server> {
  return startServer(callbacks(mod) as never, args, opts.name, true);
}

/** Starts a supervisor without a link. */
export function start<A>(mod: Supervisor<A>, args: A, opts: StartOptions = {}): StartResult<Server> {
  return startServer(callbacks(mod) as never, args, opts.name, false);
}

/** Adds and starts a child: `['ok', pid]`, `['ok', undefined]` if its start returned `'ignore'`, or `['error', reason]` (`['already_present', id]`, `['already_started', pid]`). */
export function startChild(sup: Pid | string, spec: ChildSpec): Promise<readonly ['ok', Pid | undefined] | readonly ['error', unknown]> {
  return supCall(sup, ['start_child', spec]);
}

/** Stops a running child (its spec stays, except a temporary child's): `'ok'` or `['error', 'not_found']`. */
export function terminateChild(sup: Pid | string, id: string): Promise<'ok' | readonly ['error', 'not_found']> {
  return supCall(sup, ['terminate_child', id]);
}

/** Starts a terminated child again from its spec: `['ok', pid]` or `['error', 'running' | 'restarting' | 'not_found' | reason]`. */
export function restartChild(sup: Pid | string, id: string): Promise<readonly ['ok', Pid | undefined] | readonly ['error', unknown]> {
  return supCall(sup, ['restart_child', id]);
}

/** Removes a terminated child's spec: `'ok'` or `['error', 'running' | 'restarting' | 'not_found']`. */
export function deleteChild(sup: Pid | string, id: string): Promise<'ok' | readonly ['error', 'running' | 'restarting' | 'not_found']> {
  return supCall(sup, ['delete_child', id]);
}

/** Every child, in start order. */
export function whichChildren(sup: Pid | string): Promise<readonly ChildInfo[]> {
  return supCall(sup, ['which_children']);
}

export function countChildren(sup: Pid | string): Promise<ChildCounts> {
  return supCall(sup, ['count_children']);
}

// Supervisor calls wait forever, as Erlang's do: a shutdown may take the children's whole shutdown time.
function supCall<R>(sup: Pid | string, req: Request): Promise<R> {
  return call(sup as Server<Request, R>, req, Infinity);
}

function callbacks<A>(mod: Supervisor<A>): Callbacks<State, Request, unknown, never, unknown, A> & { [DRAIN]: (reason: unknown, state: unknown, done: () => void) => void } {
  return {
    init(args) {
      processFlag('trap_exit', true);
      const got = mod.init(args);
      if (got === 'ignore') return 'ignore';
      const [flags, specs] = got[1];
      const state: State = {
        strategy: flags.strategy ?? 'one_for_one',
        intensity: flags.intensity ?? 1,
        periodMs: (flags.period ?? 5) * 1000,
        children: [],
        restarts: [],
      };
      checkFlags(state);
      for (const spec of specs) {
        const child: Child = { spec: normalise(spec), pid: undefined };
        if (find(state, child.spec.id)) return ['stop', ['shutdown', ['duplicate_child_name', child.spec.id]]];
        const [started, why] = startOne(child);
        if (started === 'error') {
          // Children already started get 'shutdown' in reverse order; the supervisor's exit follows.
          for (const c of [...state.children].reverse()) if (c.pid instanceof Pid) exit(c.pid, 'shutdown');
          return ['stop', ['shutdown', ['failed_to_start_child', child.spec.id, why]]];
        }
        if (child.pid !== undefined || child.spec.restart !== 'temporary') state.children.push(child);
      }
      return ['ok', state];
    },

    handleCall(req, from, state) {
      const core = currentServer()!;
      switch (req[0]) {
        case 'start_child': return ['reply', addChild(state, req[1]), state];
        case 'which_children': return ['reply', state.children.map((c): ChildInfo => [c.spec.id, c.pid, c.spec.type]), state];
        case 'count_children': return ['reply', counts(state), state];
        case 'delete_child': return ['reply', removeChild(state, req[1]), state];
        case 'restart_child': return ['reply', restartById(state, req[1]), state];
        case 'terminate_child': {
          const child = find(state, req[1]);
          if (child === undefined) return ['reply', ['error', 'not_found'], state];
          shutdown(core, [child], () => {
            if (child.spec.restart === 'temporary') state.children.splice(state.children.indexOf(child), 1);
            reply(from as From, 'ok');
          });
          return ['noreply', state];
        }
      }
    },

    handleInfo(msg, state) {
      if (Array.isArray(msg) && msg[0] === 'EXIT' && msg.length === 3) {
        const child = state.children.find((c) => c.pid === msg[1]);
        if (child !== undefined) childExited(currentServer()!, state, child, msg[2]);
      } else if (Array.isArray(msg) && msg[0] === '$sup_retry' && msg.length === 2) {
        const child = find(state, msg[1] as string);
        if (child?.pid === 'restarting') restart(currentServer()!, state, child);
      }
      return ['noreply', state];
    },

    [DRAIN](_reason, state, done) {
      shutdown(currentServer()!, [...(state as State).children].reverse(), done);
    },
  };
}

function childExited(core: ServerCore, state: State, child: Child, reason: unknown): void {
  child.pid = undefined;
  const { restart: policy } = child.spec;
  if (policy === 'temporary' || (policy === 'transient' && isNormalReason(reason))) {
    if (policy === 'temporary') state.children.splice(state.children.indexOf(child), 1);
    return;
  }
  restart(core, state, child);
}

/** Restarts after `child` died, by strategy; past the intensity, shuts everything down and exits `'shutdown'`. */
function restart(core: ServerCore, state: State, child: Child): void {
  const now = getClock().now();
  state.restarts = state.restarts.filter((t) => t >= now - state.periodMs);
  state.restarts.push(now);
  if (state.restarts.length > state.intensity) {
    shutdown(core, [...state.children].reverse(), () => core.stop('shutdown'));
    return;
  }
  const group = state.strategy === 'one_for_one' ? [child]
    : state.strategy === 'one_for_all' ? [...state.children]
    : state.children.slice(state.children.indexOf(child));
  const others = group.filter((c) => c !== child);
  shutdown(core, [...others].reverse(), () => {
    for (const c of group) {
      if (c !== child && c.spec.restart === 'temporary') {
        state.children.splice(state.children.indexOf(c), 1);
        continue;
      }
      if (startOne(c)[0] === 'error') {
        // Erlang's try_again_restart: retried from the mailbox, each try counted against the intensity.
        c.pid = 'restarting';
        send(self(), ['$sup_retry', c.spec.id]);
      }
    }
  });
}

/**
 * Stops `children` one after the other (the caller passes them in reverse start order),
 * each by its `shutdown`, waiting for its DOWN; then runs `andThen`.
 */
function shutdown(core: ServerCore, children: readonly Child[], andThen: () => void): void {
  const next = children.findIndex((c) => c.pid instanceof Pid);
  if (next === -1) {
    for (const c of children) if (c.pid === 'restarting') c.pid = undefined;
    andThen();
    return;
  }
  const child = children[next];
  const pid = child.pid as Pid;
  const rest = children.slice(next + 1);
  const mref = monitor(pid);
  // An EXIT it sent before the unlink is ignored later: no child has that pid any more.
  unlink(pid);
  const { shutdown: how } = child.spec;
  exit(pid, how === 'brutal_kill' ? 'kill' : 'shutdown');
  const timer: Ref | undefined = typeof how === 'number' ? sendAfter(how, self(), ['$sup_kill', mref]) : undefined;
  const done = (): void => {
    child.pid = undefined;
    shutdown(core, rest, andThen);
  };
  core.blockOn({
    test: (m) => Array.isArray(m) && m[1] === mref && (m[0] === 'DOWN' || m[0] === '$sup_kill'),
    onMatch: (m) => {
      if ((m as readonly unknown[])[0] === 'DOWN') {
        if (timer !== undefined) cancelTimer(timer);
        done();
        return;
      }
      exit(pid, 'kill');
      core.blockOn({ test: (d) => Array.isArray(d) && d[0] === 'DOWN' && d[1] === mref, onMatch: done });
    },
  });
}

function addChild(state: State, spec: ChildSpec): readonly ['ok', Pid | undefined] | readonly ['error', unknown] {
  let child: Child;
  try {
    child = { spec: normalise(spec), pid: undefined };
  } catch (error) {
    return ['error', error];
  }
  const existing = find(state, child.spec.id);
  if (existing !== undefined) return ['error', existing.pid instanceof Pid ? ['already_started', existing.pid] : ['already_present', child.spec.id]];
  const result = startOne(child);
  if (result[0] === 'ok' && (child.pid !== undefined || child.spec.restart !== 'temporary')) state.children.push(child);
  return result;
}

function restartById(state: State, id: string): readonly ['ok', Pid | undefined] | readonly ['error', unknown] {
  const child = find(state, id);
  if (child === undefined) return ['error', 'not_found'];
  if (child.pid !== undefined) return ['error', child.pid === 'restarting' ? 'restarting' : 'running'];
  return startOne(child);
}

/** Runs a child's start function and records its pid (`undefined` for `'ignore'`). */
function startOne(child: Child): readonly ['ok', Pid | undefined] | readonly ['error', unknown] {
  const result = child.spec.start();
  if (result !== 'ignore' && result[0] === 'error') return ['error', result[1]];
  child.pid = result === 'ignore' ? undefined : result[1];
  return ['ok', child.pid];
}

function removeChild(state: State, id: string): 'ok' | readonly ['error', 'running' | 'restarting' | 'not_found'] {
  const child = find(state, id);
  if (child === undefined) return ['error', 'not_found'];
  if (child.pid !== undefined) return ['error', child.pid === 'restarting' ? 'restarting' : 'running'];
  state.children.splice(state.children.indexOf(child), 1);
  return 'ok';
}

function counts(state: State): ChildCounts {
  const supervisors = state.children.filter((c) => c.spec.type === 'supervisor').length;
  return {
    specs: state.children.length,
    active: state.children.filter((c) => c.pid instanceof Pid).length,
    supervisors,
    workers: state.children.length - supervisors,
  };
}

function find(state: State, id: string): Child | undefined {
  return state.children.find((c) => c.spec.id === id);
}

function checkFlags(state: State): void {
  if (!['one_for_one', 'one_for_all', 'rest_for_one'].includes(state.strategy)) throw new BadArgError(`supervisor: unknown strategy ${String(state.strategy)}`);
  if (!Number.isInteger(state.intensity) || state.intensity < 0) throw new BadArgError(`supervisor: intensity must be an integer ≥ 0, got ${String(state.intensity)}`);
  if (!(state.periodMs > 0)) throw new BadArgError('supervisor: period must be > 0 seconds');
}

function normalise(spec: ChildSpec): Required<ChildSpec> {
  if (typeof spec?.id !== 'string' || typeof spec.start !== 'function') throw new BadArgError('supervisor: a child spec needs a string id and a start function');
  const type = spec.type ?? 'worker';
  const restart = spec.restart ?? 'permanent';
  const shutdown = spec.shutdown ?? (type === 'supervisor' ? 'infinity' : 5000);
  if (type !== 'worker' && type !== 'supervisor') throw new BadArgError(`supervisor: child ${spec.id}: type must be 'worker' or 'supervisor'`);
  if (!['permanent', 'transient', 'temporary'].includes(restart)) throw new BadArgError(`supervisor: child ${spec.id}: unknown restart ${String(restart)}`);
  if (shutdown !== 'brutal_kill' && shutdown !== 'infinity' && !(typeof shutdown === 'number' && shutdown >= 0)) {
    throw new BadArgError(`supervisor: child ${spec.id}: shutdown must be 'brutal_kill', ms ≥ 0 or 'infinity'`);
  }
  return { id: spec.id, start: spec.start, restart, shutdown, type };
}

