// An ordered message store for selective receive: a growable ring buffer without holes.
// A message taken from the middle closes its gap by moving the shorter side one slot; the
// messages before it are the ones the receive just tested, so a receive behind K unmatched
// messages costs K pattern tests and at most K moves, however many were taken before (a hole
// left behind would be skipped by every later scan). No allocation per message (a linked
// list costs a node each), and a big backlog is never copied on a take (Array#shift copies
// past ~16k items).

type Slot = unknown;

const MIN_CAPACITY = 8;
/** An emptied buffer above this size is given back: one burst must not pin its memory. */
const KEEP_CAPACITY = 1024;
// A process that never got a message has no buffer of its own.
const NONE: Slot[] = [];

/** What `offer` hands messages to: an actor's behaviour (actor.ts). */
interface Postponing {
  /** Handles `msg` and returns true, or returns false to postpone it. */
  handle(msg: unknown): boolean;
  /** The state postponed messages wait for a change of (compared with `===`). */
  state(): unknown;
}

export class Mailbox {
  #slots: Slot[] = NONE;
  #mask = 0;
  /** Index of the oldest message. */
  #head = 0;
  #size = 0;
  /**
   * Offset of the first message the current receive (or the actor's current state) has not
   * tested: the ones before it did not match, and are not tested again until that changes.
   */
  #seen = 0;

  get size(): number {
    return this.#size;
  }

  push(msg: unknown): void {
    if (this.#size === this.#slots.length) this.#relayout(Math.max(MIN_CAPACITY, this.#slots.length * 2));
    this.#slots[(this.#head + this.#size) & this.#mask] = msg;
    this.#size++;
  }

  /**
   * Takes the oldest message `pick` accepts and returns what `pick` returned for it (the
   * clause that matched); the others keep their order. `undefined` when none matches.
   * The message itself is left in `taken` (no allocation per take: this is the hot path).
   */
  take<T>(pick: (msg: unknown) => T | undefined): T | undefined {
    return this.#takeFrom(0, pick);
  }

  /** Like `take`, testing only the messages that came since `markSeen` or the last `takeNew` (a waiting receive). */
  takeNew<T>(pick: (msg: unknown) => T | undefined): T | undefined {
    const token = this.#takeFrom(this.#seen, pick);
    if (token === undefined) this.#seen = this.#size;
    return token;
  }

  /** Every message now queued has been tested by the receive that is about to wait. */
  markSeen(): void {
    this.#seen = this.#size;
  }

  /** The message the last successful `take` removed. */
  taken: unknown = undefined;

  /**
   * Offers the messages, oldest first, to `behaviour.handle` (gen_statem's rule): one it
   * handles is removed; one it postpones stays where it is and is offered again only after
   * `behaviour.state()` changes, from the oldest. Messages that arrive while this runs are
   * offered too. `since` is the state the last offer ended in; returns the one this ends in.
   */
  offer(behaviour: Postponing, since: unknown): unknown {
    let state = behaviour.state();
    if (state !== since) this.#seen = 0;
    while (this.#seen < this.#size) {
      const k = this.#seen;
      const msg = this.#slots[(this.#head + k) & this.#mask];
      const handled = behaviour.handle(msg);
      // handle() may have removed older messages (removeAll keeps #seen on the same message).
      const at = this.#at(k) === msg ? k : this.#indexOf(msg);
      if (handled) {
        if (at !== -1) this.#removeAt(at);
      } else if (at !== -1) this.#seen = at + 1;
      const now = behaviour.state();
      if (now !== state) {
        state = now;
        this.#seen = 0;
      }
    }
    return state;
  }

  /** Takes the oldest message, if any. */
  shift(): unknown {
    if (this.#size === 0) return undefined;
    const msg = this.#slots[this.#head];
    this.#removeAt(0);
    return msg;
  }

  /** Removes every message `pred` accepts, in one pass and in place; returns how many. */
  removeAll(pred: (msg: unknown) => boolean): number {
    const slots = this.#slots;
    const mask = this.#mask;
    const head = this.#head;
    const size = this.#size;
    // Kept messages slide towards the head.
    let kept = 0;
    let seen = this.#seen;
    for (let k = 0; k < size; k++) {
      const msg = slots[(head + k) & mask];
      if (pred(msg)) {
        if (k < this.#seen) seen--;
        continue;
      }
      if (kept !== k) slots[(head + kept) & mask] = msg;
      kept++;
    }
    if (kept === size) return 0;
    for (let k = kept; k < size; k++) slots[(head + k) & mask] = undefined;
    this.#size = kept;
    this.#seen = seen;
    if (kept === 0) this.#emptied();
    return size - kept;
  }

  /** True if a queued message satisfies `pred` (nothing is copied). */
  some(pred: (msg: unknown) => boolean): boolean {
    for (let k = 0; k < this.#size; k++) if (pred(this.#at(k))) return true;
    return false;
  }

  /** The queued messages `pred` accepts, oldest first (only they are copied). */
  filter<T>(pred: (msg: unknown) => msg is T): T[] {
    const out: T[] = [];
    for (let k = 0; k < this.#size; k++) {
      const msg = this.#at(k);
      if (pred(msg)) out.push(msg);
    }
    return out;
  }

  toArray(): unknown[] {
    const out = new Array<unknown>(this.#size);
    for (let k = 0; k < this.#size; k++) out[k] = this.#at(k);
    return out;
  }

  clear(): unknown[] {
    const all = this.toArray();
    this.#slots = NONE;
    this.#mask = this.#head = this.#size = this.#seen = 0;
    return all;
  }

  #at(k: number): unknown {
    return this.#slots[(this.#head + k) & this.#mask];
  }

  #indexOf(msg: unknown): number {
    for (let k = 0; k < this.#size; k++) if (this.#at(k) === msg) return k;
    return -1;
  }

  #takeFrom<T>(from: number, pick: (msg: unknown) => T | undefined): T | undefined {
    const slots = this.#slots;
    const mask = this.#mask;
    const head = this.#head;
    const size = this.#size;
    for (let k = from; k < size; k++) {
      const msg = slots[(head + k) & mask];
      const token = pick(msg);
      if (token !== undefined) {
        this.#removeAt(k);
        this.taken = msg;
        return token;
      }
    }
    return undefined;
  }

  /** Removes the message at offset `k`, moving the shorter side of the buffer one slot over the gap. */
  #removeAt(k: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    const head = this.#head;
    const last = this.#size - 1;
    if (k < last - k) {
      for (let j = k; j > 0; j--) slots[(head + j) & mask] = slots[(head + j - 1) & mask];
      slots[head] = undefined;
      this.#head = (head + 1) & mask;
    } else {
      for (let j = k; j < last; j++) slots[(head + j) & mask] = slots[(head + j + 1) & mask];
      slots[(head + last) & mask] = undefined;
    }
    this.#size = last;
    if (k < this.#seen) this.#seen--;
    if (last === 0) this.#emptied();
  }

  // Kept while small: every message to a waiting receive passes through the buffer, and
  // one allocated per message would cost more than the rest of the delivery.
  #emptied(): void {
    this.#head = this.#seen = 0;
    if (this.#slots.length > KEEP_CAPACITY) {
      this.#slots = new Array<Slot>(KEEP_CAPACITY);
      this.#mask = KEEP_CAPACITY - 1;
    }
  }

  /** Copies the messages to the start of a new buffer of `capacity` slots. */
  #relayout(capacity: number): void {
    const slots = new Array<Slot>(capacity);
    for (let k = 0; k < this.#size; k++) slots[k] = this.#at(k);
    this.#slots = slots;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
