// The per-process record: mailbox, links, monitors, trap_exit flag and a pending receive.
import { Mailbox } from './mailbox.js';
import { Pid } from './pid.js';
import type { RefTable } from './ref-table.js';
import { startTimer, type Clock, type Timer } from './clock.js';
import { wake, type Behaviour } from './actor.js';
import { defer, spend } from './budget.js';

/**
 * A receive that is waiting. A new message only wakes it: the receiving process tests it
 * against its patterns itself (receive.ts), so a guard runs as the receiver and cannot
 * throw into the sender's `send`.
 */
interface Waiter {
  readonly pick: (msg: unknown) => unknown;
  resolve: (value?: unknown) => void;
  reject: (error: unknown) => void;
  timer: Timer | undefined;
  /** The `after` handler, if any. */
  readonly onTimeout: (() => unknown) | undefined;
  /** Resolved: the receiver has messages to test (or its time is up) and runs soon. */
  woken: boolean;
  timedOut: boolean;
}

// Declared in the shipped types (internal modules' signatures name it) but not exported from any entry point.
export class Process {
  readonly pid = new Pid();
  readonly mailbox = new Mailbox();
  readonly isShell: boolean;
  links: Set<Process> | undefined;
  /** Monitors this process holds: ref → monitored process. */
  monitors: RefTable<Process> | undefined;
  /** Monitors on this process: ref → watching process. */
  watchers: RefTable<Process> | undefined;
  trapExit = false;
  alive = true;
  exitReason: unknown = undefined;
  name: string | undefined = undefined;
  waiter: Waiter | undefined = undefined;
  /** An actor (actor.ts) runs this instead of an async body. */
  behaviour: Behaviour | undefined = undefined;
  /** The actor is in the run queue. */
  ready = false;
  /** The state the actor's last offer ended in (mailbox.ts: postponed messages wait for it to change). */
  actorState: unknown = undefined;
  /** The actor's init has not run yet. */
  initPending = false;
  /** Something awaits this process's exit (e.g. the testing helper), so an abnormal exit is not logged. */
  observed = false;
  #exitListeners: ((reason: unknown) => void)[] | undefined;

  constructor(isShell = false) {
    this.isShell = isShell;
  }

  /** Parks a receive: it is woken by the next message, or after `ms` with `timedOut` set. */
  wait(pick: (msg: unknown) => unknown, resolve: (value?: unknown) => void, reject: (error: unknown) => void, clock: Clock, ms: number, onTimeout: (() => unknown) | undefined): void {
    const waiter: Waiter = { pick, resolve, reject, timer: undefined, onTimeout, woken: false, timedOut: false };
    if (ms !== Infinity) {
      waiter.timer = startTimer(ms, () => {
        if (this.waiter !== waiter) return;
        waiter.timer = undefined;
        waiter.timedOut = true;
        if (!waiter.woken) wakeWaiter(this, waiter);
      }, clock);
    }
    this.waiter = waiter;
  }

  /** The receive that waited is over (a message matched, or its time was up). */
  endWait(waiter: Waiter): void {
    if (this.waiter === waiter) this.waiter = undefined;
    waiter.timer?.cancel();
    waiter.timer = undefined;
  }

  /** Wakes a waiting receive with an exit (the process was killed). The error is made only then: its stack costs microseconds. */
  abortWait(makeError: () => unknown): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.endWait(waiter);
    waiter.reject(makeError());
  }

  /** Puts a message in the mailbox and wakes the actor or the waiting receive, if any. */
  deliver(msg: unknown): void {
    if (!this.alive) return;
    this.mailbox.push(msg);
    if (this.behaviour !== undefined) {
      wake(this);
      return;
    }
    const waiter = this.waiter;
    if (waiter !== undefined && !waiter.woken) wakeWaiter(this, waiter);
  }

  onExit(listener: (reason: unknown) => void): void {
    if (!this.alive) listener(this.exitReason);
    else (this.#exitListeners ??= []).push(listener);
  }

  /** @internal called once by the exit path */
  notifyExit(): void {
    const listeners = this.#exitListeners;
    this.#exitListeners = undefined;
    if (listeners) for (const l of listeners) l(this.exitReason);
  }
}

function wakeWaiter(proc: Process, waiter: Waiter): void {
  waiter.woken = true;
  if (spend(proc)) waiter.resolve();
  else defer(waiter.resolve);
}
