// Processes driven by callbacks instead of an async body, the way gen_statem runs state
// functions: each message is offered to the behaviour, which handles it or postpones it
// (it stays queued, in order, and is offered again once the behaviour's state changes).
// A waiting actor keeps no suspended async frame, promise or closure: thousands of Gun
// connections are thousands of small objects, and no AsyncLocalStorage hook is switched on.
import { defer, spend } from './budget.js';
import { Process } from './process.js';
import { addProcess } from './registry.js';
import { actAs, exitReason } from './scheduler.js';
import { terminate } from './signals.js';
import { enqueue } from './microtask.js';

/** What an actor does with its messages (not exported from an entry point; process.d.ts names it). */
export interface Behaviour {
  /** Runs once in the new process, before any message. */
  init(): void;
  /**
   * Handles `msg` and returns true, or returns false to postpone it. It runs synchronously
   * as the actor (`self()` is the actor); `exit(reason)` or a throw ends the actor.
   */
  handle(msg: unknown): boolean;
  /** The state postponed messages wait on: they are offered again only after it changes (gen_statem's rule). */
  state(): unknown;
  /** Runs when the actor exits, whatever the reason (gen_server's terminate): release what it holds. */
  terminate?(reason: unknown): void;
}

/** @internal starts a process that runs the behaviour `make` returns; `init` runs on a later microtask, after this returns */
export function startActor(make: (proc: Process) => Behaviour): Process {
  const proc = new Process();
  addProcess(proc);
  proc.behaviour = make(proc);
  proc.initPending = true;
  wake(proc);
  return proc;
}

// One microtask runs every actor that has work, in the order they got it.
let ready: Process[] = [];
let scheduled = false;

/** @internal the actor has a new message (or its init to run) */
export function wake(proc: Process): void {
  if (proc.ready) return;
  proc.ready = true;
  ready.push(proc);
  if (!scheduled) {
    scheduled = true;
    enqueue(runReady);
  }
}

function runReady(): void {
  // Actors woken while these run (messages between them) are run in the same turn, until
  // the turn's budget is spent: the rest run after the event loop has turned (budget.ts).
  while (ready.length > 0) {
    const batch = ready;
    ready = [];
    for (let i = 0; i < batch.length; i++) {
      if (!spend(batch[i])) {
        ready = i === 0 ? batch.concat(ready) : batch.slice(i).concat(ready);
        defer(runReady);
        return;
      }
      run(batch[i]);
    }
  }
  scheduled = false;
}

function run(proc: Process): void {
  proc.ready = false;
  const behaviour = proc.behaviour;
  if (!proc.alive || behaviour === undefined) return;
  const previous = actAs(proc);
  try {
    if (proc.initPending) {
      proc.initPending = false;
      behaviour.init();
    }
    proc.actorState = proc.mailbox.offer(behaviour, proc.actorState);
  } catch (error) {
    terminate(proc, exitReason(error));
  } finally {
    actAs(previous);
  }
}
