// The process table (pid → process) and the name registry, and `send`: the one
// chokepoint every message goes through (xstate's `_relay` idea).
import { BadArgError } from './errors.js';
import { Pid } from './pid.js';
import type { Process } from './process.js';

const table = new Map<Pid, Process>();
const names = new Map<string, Process>();

/** A destination for `send`: a pid or a registered name. */
export type Dest = Pid | string;

export function addProcess(proc: Process): void {
  table.set(proc.pid, proc);
}

export function removeProcess(proc: Process): void {
  table.delete(proc.pid);
  if (proc.name !== undefined) {
    names.delete(proc.name);
    proc.name = undefined;
  }
}

export function lookup(pid: Pid): Process | undefined {
  return table.get(pid);
}

/**
 * Sends `msg` to a pid or a registered name and returns `msg`. Sending to a dead pid
 * is a silent no-op, as in Erlang; an unregistered name is a `BadArgError`.
 */
export function send<M>(dest: Dest, msg: M): M {
  if (dest instanceof Pid) {
    table.get(dest)?.deliver(msg);
    return msg;
  }
  const proc = names.get(dest);
  if (proc === undefined) throw new BadArgError(`send: no process is registered as '${String(dest)}'`);
  proc.deliver(msg);
  return msg;
}

/** Registers `name` for a live process. Throws `BadArgError` if the name is taken, the pid is dead, or it already has a name. */
export function register(name: string, pid: Pid): true {
  if (typeof name !== 'string' || name === '') throw new BadArgError('register: the name must be a non-empty string');
  const proc = table.get(pid);
  if (proc === undefined) throw new BadArgError(`register: ${String(pid)} is not alive`);
  if (names.has(name)) throw new BadArgError(`register: '${name}' is already registered`);
  if (proc.name !== undefined) throw new BadArgError(`register: ${String(pid)} is already registered as '${proc.name}'`);
  names.set(name, proc);
  proc.name = name;
  return true;
}

/** Removes a registered name. Throws `BadArgError` if it is not registered. */
export function unregister(name: string): true {
  const proc = names.get(name);
  if (proc === undefined) throw new BadArgError(`unregister: '${name}' is not registered`);
  names.delete(name);
  proc.name = undefined;
  return true;
}

/** The pid registered as `name`, or `undefined`. */
export function whereis(name: string): Pid | undefined {
  return names.get(name)?.pid;
}

/** Every registered name. */
export function registered(): string[] {
  return [...names.keys()];
}
