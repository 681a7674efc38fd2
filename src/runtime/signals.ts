// Links, monitors and exit signals; builds the 'DOWN' and 'EXIT' messages.
import { BadArgError, ExitError } from './errors.js';
import { logCrash } from './log.js';
import { Pid, Ref, makeRef } from './pid.js';
import type { Process } from './process.js';
import { RefTable } from './ref-table.js';
import { lookup, removeProcess } from './registry.js';
import { current, living } from './scheduler.js';
import { cancelTimersTo } from './timers.js';

/** `['DOWN', ref, 'process', pid, reason]`: a monitored process exited. */
export type DownMessage = readonly [tag: 'DOWN', ref: Ref, type: 'process', pid: Pid, reason: unknown];
/** `['EXIT', pid, reason]`: a linked process exited (or `exit(pid, reason)` was called) while trapping exits. */
export type ExitMessage = readonly [tag: 'EXIT', from: Pid, reason: unknown];

declare module './pattern-types.js' {
  interface KnownMessages {
    runtime: DownMessage | ExitMessage;
  }
}

function downMessage(ref: Ref, pid: Pid, reason: unknown): DownMessage {
  return Object.freeze(['DOWN', ref, 'process', pid, reason] as const);
}

function exitMessage(from: Pid, reason: unknown): ExitMessage {
  return Object.freeze(['EXIT', from, reason] as const);
}

/** Reasons that are not a crash: no log line for them (Erlang/OTP's proc_lib rule). */
export function isNormalReason(reason: unknown): boolean {
  return reason === 'normal' || reason === 'shutdown' || reason === 'killed'
    || (Array.isArray(reason) && reason.length === 2 && reason[0] === 'shutdown');
}

/** Ends a process: wakes a pending receive with ExitError, sends DOWN to monitors and exit signals to links. */
export function terminate(proc: Process, reason: unknown): void {
  if (!proc.alive) return;
  proc.alive = false;
  proc.exitReason = reason;
  removeProcess(proc);
  proc.mailbox.clear();
  cancelTimersTo(proc.pid);
  const watched = proc.observed || (proc.links?.size ?? 0) > 0 || (proc.watchers?.size ?? 0) > 0;
  if (proc.monitors) {
    for (const [ref, target] of proc.monitors.entries()) target.watchers?.delete(ref);
    proc.monitors = undefined;
  }
  if (proc.watchers) {
    const watchers = proc.watchers;
    proc.watchers = undefined;
    for (const [ref, watcher] of watchers.entries()) {
      watcher.monitors?.delete(ref);
      watcher.deliver(downMessage(ref, proc.pid, reason));
    }
  }
  if (proc.links) {
    const links = proc.links;
    proc.links = undefined;
    for (const other of links) {
      other.links?.delete(proc);
      exitSignal(other, proc.pid, reason, true);
    }
  }
  if (!watched && !isNormalReason(reason)) logCrash(proc.pid, reason);
  proc.abortWait(() => ExitError.signal(reason));
  if (proc.behaviour?.terminate) {
    try {
      proc.behaviour.terminate(reason);
    } catch (error) {
      logCrash(proc.pid, error);
    }
  }
  proc.notifyExit();
}

interface Signal {
  readonly target: Process;
  readonly from: Pid;
  readonly reason: unknown;
  readonly viaLink: boolean;
}

// Signals sent while others are being delivered wait here, so a chain of links dies in a
// loop, not by recursion (a deep chain overflowed the stack and left its tail alive).
let queued: Signal[] | undefined;

/** Delivers an exit signal from `from` to `target` (Erlang's rules for links, trap_exit and `kill`). */
function exitSignal(target: Process, from: Pid, reason: unknown, viaLink: boolean): void {
  const signal: Signal = { target, from, reason, viaLink };
  if (queued !== undefined) {
    queued.push(signal);
    return;
  }
  const signals = (queued = [signal]);
  try {
    for (let i = 0; i < signals.length; i++) {
      applySignal(signals[i]);
      signals[i] = undefined as never; // a long chain's dead processes are not held until the end
    }
  } finally {
    queued = undefined;
  }
}

function applySignal({ target, from, reason, viaLink }: Signal): void {
  if (!target.alive) return;
  if (reason === 'kill' && !viaLink) {
    terminate(target, 'killed');
    return;
  }
  if (target.trapExit) {
    target.deliver(exitMessage(from, reason));
    return;
  }
  if (reason === 'normal') {
    // A normal signal is ignored, except exit(self(), normal), which ends the caller.
    if (!viaLink && from === target.pid) terminate(target, 'normal');
    return;
  }
  terminate(target, reason);
}

/** Links the calling process and `pid`. Linking to a dead pid sends the caller a `noproc` exit signal. */
export function link(pid: Pid): true {
  const me = living();
  const other = requireLivePidOrNoproc(pid, me);
  if (other && other !== me) linkProcesses(me, other);
  return true;
}

export function linkProcesses(a: Process, b: Process): void {
  (a.links ??= new Set()).add(b);
  (b.links ??= new Set()).add(a);
}

/** Removes a link between the calling process and `pid`. */
export function unlink(pid: Pid): true {
  const me = current();
  const other = lookup(pid);
  if (other) {
    me.links?.delete(other);
    other.links?.delete(me);
  }
  return true;
}

function requireLivePidOrNoproc(pid: Pid, me: Process): Process | undefined {
  if (!(pid instanceof Pid)) throw new BadArgError(`expected a pid, got ${String(pid)}`);
  const other = lookup(pid);
  if (other === undefined) exitSignal(me, pid, 'noproc', true);
  return other;
}

/**
 * Monitors `pid` from the calling process. When it exits, the caller gets
 * `['DOWN', ref, 'process', pid, reason]`; a dead pid gives `'noproc'` at once.
 */
export function monitor(pid: Pid): Ref {
  if (!(pid instanceof Pid)) throw new BadArgError(`monitor: expected a pid, got ${String(pid)}`);
  return monitorFrom(living(), pid);
}

export function monitorFrom(watcher: Process, pid: Pid): Ref {
  const ref = makeRef();
  const target = lookup(pid);
  if (target === undefined) {
    watcher.deliver(downMessage(ref, pid, 'noproc'));
    return ref;
  }
  // Monitoring oneself is allowed and never fires (no DOWN can reach a dead process); kept out
  // of the watchers, it does not count as someone watching for the crash log.
  if (target === watcher) return ref;
  (watcher.monitors ??= new RefTable()).set(ref, target);
  (target.watchers ??= new RefTable()).set(ref, watcher);
  return ref;
}

/** Removes a monitor. With `flush: true` a DOWN message for it already in the mailbox is removed too. */
export function demonitor(ref: Ref, opts: { flush?: boolean } = {}): true {
  demonitorIn(current(), ref, opts.flush === true);
  return true;
}

/** @internal `demonitor` for a process in hand (a call's reply path) */
export function demonitorIn(me: Process, ref: Ref, flush: boolean): void {
  const target = me.monitors?.get(ref);
  if (target) {
    me.monitors!.delete(ref);
    target.watchers?.delete(ref);
  }
  // A monitor still in place has sent no DOWN yet: no mailbox scan (a call's reply path pays none).
  if (flush && target === undefined) me.mailbox.removeAll((m) => Array.isArray(m) && m[0] === 'DOWN' && m[1] === ref);
}

/**
 * `exit(reason)` ends the calling process with `reason` (it throws an internal
 * ExitError that the scheduler turns into the exit reason).
 * `exit(pid, reason)` sends an exit signal: `'kill'` always kills (seen as `'killed'`);
 * a trapping process gets `['EXIT', self(), reason]`; `'normal'` is ignored by others.
 */
export function exit(reason: unknown): never;
export function exit(pid: Pid, reason: unknown): true;
export function exit(...args: [unknown] | [Pid, unknown]): true {
  if (args.length === 1) throw new ExitError(args[0]);
  const [pid, reason] = args;
  if (!(pid instanceof Pid)) throw new BadArgError(`exit/2: expected a pid, got ${String(pid)}`);
  const target = lookup(pid);
  if (target) exitSignal(target, current().pid, reason, false);
  return true;
}

/** Sets a process flag of the calling process; returns the old value. Only `'trap_exit'` exists. */
export function processFlag(flag: 'trap_exit', value: boolean): boolean {
  if (flag !== 'trap_exit' || typeof value !== 'boolean') throw new BadArgError(`processFlag: unsupported flag ${String(flag)}`);
  const me = current();
  const old = me.trapExit;
  me.trapExit = value;
  return old;
}
