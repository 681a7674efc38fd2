// Runs process bodies: `self()` through AsyncLocalStorage, return → 'normal',
// throw → the thrown value, exit(reason) → reason. Nothing a body does escapes as an
// unhandled rejection.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ExitError } from './errors.js';
import { isError } from './format.js';
import type { Pid, Ref } from './pid.js';
import { Process } from './process.js';
import { addProcess } from './registry.js';
import { linkProcesses, monitorFrom, terminate } from './signals.js';
import { enqueue } from './microtask.js';

const running = new AsyncLocalStorage<Process>();

// The script's top level is a process too, like the Erlang shell. Created on first use;
// if a link kills it, the next top-level call gets a fresh shell (as the Erlang shell restarts).
let shell: Process | undefined;

function shellProcess(): Process {
  if (shell === undefined || !shell.alive) {
    shell = new Process(true);
    addProcess(shell);
  }
  return shell;
}

// The actor whose behaviour runs now (actor.ts). Behaviours run synchronously, so a plain
// variable is enough, and AsyncLocalStorage is switched on only by async bodies.
let acting: Process | undefined;

/** @internal makes `proc` the current process until the next call; returns the previous one */
export function actAs(proc: Process | undefined): Process | undefined {
  const previous = acting;
  acting = proc;
  return previous;
}

/** @internal the actor whose behaviour runs now, if any (cheap: no shell process is made) */
export function actingActor(): Process | undefined {
  return acting;
}

/** @internal the process the caller runs in (the shell outside any spawned process) */
export function current(): Process {
  return acting ?? running.getStore() ?? shellProcess();
}

/**
 * @internal the calling process, which must still be alive. A process killed while it awaited
 * something other than `receive` still runs its JavaScript; the first call that would link,
 * monitor or spawn throws its exit instead, so a dead process leaves nothing behind.
 */
export function living(): Process {
  const proc = current();
  if (!proc.alive) throw new ExitError(proc.exitReason);
  return proc;
}

/** The pid of the calling process (the shell's pid at a script's top level). */
export function self(): Pid {
  return current().pid;
}

/** A process body: runs with its own mailbox; its return ends the process with `'normal'`. */
export type ProcessBody = () => unknown;

/** @internal starts a process; the body runs on a later microtask, after spawn returns */
function startProcess(body: ProcessBody, setup?: (proc: Process) => void): Process {
  const proc = new Process();
  addProcess(proc);
  setup?.(proc);
  enqueue(() => runBody(proc, body));
  return proc;
}

// Plain promise callbacks rather than an async function: an idle process then holds no
// suspended frame of the scheduler's, only its own body's.
function runBody(proc: Process, body: ProcessBody): void {
  if (!proc.alive) return;
  running.run(proc, startBody, proc, body);
}

// Runs in the process's context. The exit handlers are attached here, so they run in it too
// and find their process with getStore(): shared functions rather than two closures per
// process, which an idle process would hold for as long as its body waits.
function startBody(proc: Process, body: ProcessBody): void {
  let result: unknown;
  try {
    result = body();
  } catch (error) {
    terminate(proc, exitReason(error));
    return;
  }
  if (isThenable(result)) Promise.resolve(result).then(bodyReturned, bodyThrew);
  else terminate(proc, 'normal');
}

function bodyReturned(): void {
  terminate(running.getStore()!, 'normal');
}

function bodyThrew(error: unknown): void {
  terminate(running.getStore()!, exitReason(error));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** @internal the exit reason a thrown value stands for */
export function exitReason(error: unknown): unknown {
  return error instanceof ExitError ? error.reason : error;
}

/** Starts a process running `body` and returns its pid at once. */
export function spawn(body: ProcessBody): Pid {
  living();
  return startProcess(body).pid;
}

/** `spawn` plus a link between the caller and the new process, made before it runs. */
export function spawnLink(body: ProcessBody): Pid {
  const parent = living();
  return startProcess(body, (proc) => linkProcesses(parent, proc)).pid;
}

/** `spawn` plus a monitor held by the caller, made before it runs. */
export function spawnMonitor(body: ProcessBody): readonly [Pid, Ref] {
  const parent = living();
  let ref!: Ref;
  const pid = startProcess(body, (proc) => {
    ref = monitorFrom(parent, proc.pid);
  }).pid;
  return [pid, ref] as const;
}

/**
 * Runs `body` in a new process and resolves when it exits: with the body's result
 * on `'normal'`, or rejects with the error it threw / an ExitError for another reason.
 * The process is watched, so its crash is reported here and not logged.
 */
export function runProcess<T>(body: () => T | Promise<T>): Promise<Awaited<T>> {
  return new Promise((resolve, reject) => {
    let result: Awaited<T>;
    const proc = startProcess(async () => {
      result = await body();
    }, (p) => {
      p.observed = true;
    });
    proc.onExit((reason) => {
      if (reason === 'normal') resolve(result);
      else reject(isError(reason) ? reason : new ExitError(reason));
    });
  });
}

