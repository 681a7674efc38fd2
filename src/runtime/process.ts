// The per-process record: mailbox, links, monitors, trap_exit flag and a pending receive.
import { Mailbox } from './mailbox.js';
import { Pid, type Ref } from './pid.js';
import type { Clock, TimerHandle } from './clock.js';

/** A receive that is waiting: new messages are tested once against its clauses. */
export interface Waiter {
  pick(msg: unknown): unknown;
  resolve(msg: unknown, token: unknown): void;
  reject(error: unknown): void;
  timer: TimerHandle | undefined;
  /** The clock the timer runs on. */
  clock: Clock;
}

/** @internal */
export class Process {
  readonly pid = new Pid();
  readonly mailbox = new Mailbox();
  readonly isShell: boolean;
  links: Set<Process> | undefined;
  /** Monitors this process holds: ref → monitored process. */
  monitors: Map<Ref, Process> | undefined;
  /** Monitors on this process: ref → watching process. */
  watchers: Map<Ref, Process> | undefined;
  trapExit = false;
  alive = true;
  exitReason: unknown = undefined;
  name: string | undefined = undefined;
  waiter: Waiter | undefined = undefined;
  /** Something awaits this process's exit (e.g. the testing helper), so an abnormal exit is not logged. */
  observed = false;
  #exitListeners: ((reason: unknown) => void)[] | undefined;

  constructor(isShell = false) {
    this.isShell = isShell;
  }

  /** Puts a message in the mailbox, or hands it straight to a waiting receive that matches it. */
  deliver(msg: unknown): void {
    if (!this.alive) return;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      // Only the new message is tested: everything older was already tested by this receive.
      const token = waiter.pick(msg);
      if (token !== undefined) {
        this.waiter = undefined;
        waiter.resolve(msg, token);
        return;
      }
    }
    this.mailbox.push(msg);
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
