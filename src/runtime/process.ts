// The per-process record: mailbox, links, monitors, trap_exit flag and a pending receive.
import { Mailbox } from './mailbox.js';
import { Pid, type Ref } from './pid.js';
import type { Clock, TimerHandle } from './clock.js';
import { wake, type Behaviour } from './actor.js';

/** A receive that is waiting: new messages are tested once against its clauses. */
interface Waiter {
  readonly pick: (msg: unknown) => unknown;
  readonly resolve: (msg: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly clock: Clock;
  timer: TimerHandle | undefined;
}

// Declared in the shipped types (internal modules' signatures name it) but not exported from any entry point.
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
  /** An actor (actor.ts) runs this instead of an async body. */
  behaviour: Behaviour | undefined = undefined;
  /** The actor is in the run queue. */
  ready = false;
  /** The actor's init has not run yet. */
  initPending = false;
  /** Something awaits this process's exit (e.g. the testing helper), so an abnormal exit is not logged. */
  observed = false;
  #exitListeners: ((reason: unknown) => void)[] | undefined;

  constructor(isShell = false) {
    this.isShell = isShell;
  }

  /** The clause that took the message a wait resolved with; `undefined` after a timeout. */
  #hitClause: unknown = undefined;

  /** The `after` handler of the receive that is waiting, if any. */
  #onTimeout: (() => unknown) | undefined = undefined;

  /** Parks a receive: `resolve(msg)` when a new message matches, or `resolve(undefined)` after `ms`. */
  wait(pick: (msg: unknown) => unknown, resolve: (msg: unknown) => void, reject: (error: unknown) => void, clock: Clock, ms: number, onTimeout: (() => unknown) | undefined): void {
    const waiter: Waiter = { pick, resolve, reject, clock, timer: undefined };
    this.#onTimeout = onTimeout;
    if (ms !== Infinity) {
      waiter.timer = clock.setTimeout(() => {
        if (this.waiter !== waiter) return;
        this.waiter = undefined;
        this.#hitClause = undefined;
        resolve(undefined);
      }, ms);
    }
    this.waiter = waiter;
  }

  /** @internal read once by the receive that timed out */
  takeOnTimeout(): (() => unknown) | undefined {
    const onTimeout = this.#onTimeout;
    this.#onTimeout = undefined;
    return onTimeout;
  }

  /** @internal read once by the receive that waited */
  takeHitClause<T>(): T | undefined {
    const clause = this.#hitClause as T | undefined;
    this.#hitClause = undefined;
    return clause;
  }

  /** Wakes a waiting receive with an exit (the process was killed). The error is made only then: its stack costs microseconds. */
  abortWait(makeError: () => unknown): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.waiter = undefined;
    if (waiter.timer !== undefined) waiter.clock.clearTimeout(waiter.timer);
    waiter.reject(makeError());
  }

  /** Puts a message in the mailbox, or hands it straight to a waiting receive that matches it. */
  deliver(msg: unknown): void {
    if (!this.alive) return;
    if (this.behaviour !== undefined) {
      this.mailbox.push(msg);
      wake(this);
      return;
    }
    const waiter = this.waiter;
    if (waiter !== undefined) {
      // Only the new message is tested: everything older was already tested by this receive.
      const clause = waiter.pick(msg);
      if (clause !== undefined) {
        this.waiter = undefined;
        if (waiter.timer !== undefined) waiter.clock.clearTimeout(waiter.timer);
        this.#hitClause = clause;
        waiter.resolve(msg);
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
