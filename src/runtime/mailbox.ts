// An ordered message store for selective receive: a growable ring buffer. A receive may
// take a message from the middle; its slot becomes a hole that scans skip, and the holes
// are squeezed out once they outnumber the messages. No allocation per message (a linked
// list costs a node each), and a big backlog is never copied on a take (Array#shift
// copies past ~16k items).

/** Marks a slot whose message was taken from the middle. */
const HOLE: unique symbol = Symbol('hole');
type Slot = unknown;

const MIN_CAPACITY = 8;
// A process that never got a message has no buffer of its own.
const NONE: Slot[] = [];

export class Mailbox {
  #slots: Slot[] = NONE;
  #mask = 0;
  /** Index of the oldest slot (never a hole while the span is not empty). */
  #head = 0;
  /** Slots in use from #head, holes included. */
  #span = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(msg: unknown): void {
    if (this.#span === this.#slots.length) this.#grow();
    this.#slots[(this.#head + this.#span) & this.#mask] = msg;
    this.#span++;
    this.#size++;
  }

  /**
   * Takes the oldest message `pick` accepts and returns what `pick` returned for it (the
   * clause that matched); the others keep their order. `undefined` when none matches.
   * The message itself is left in `taken` (no allocation per take: this is the hot path).
   */
  take<T>(pick: (msg: unknown) => T | undefined): T | undefined {
    const slots = this.#slots;
    const mask = this.#mask;
    const head = this.#head;
    for (let k = 0; k < this.#span; k++) {
      const msg = slots[(head + k) & mask];
      if (msg === HOLE) continue;
      const token = pick(msg);
      if (token !== undefined) {
        this.#remove(k);
        this.taken = msg;
        return token;
      }
    }
    return undefined;
  }

  /** The message the last successful `take` removed. */
  taken: unknown = undefined;

  /**
   * Offers the messages, oldest first, to `behaviour.handle`: one it handles is removed and
   * the offer starts again from the oldest (the actor's state may have changed, so what it
   * postponed may now be handled); one it postpones stays where it is. Messages that arrive
   * while this runs are offered too.
   */
  offer(behaviour: { handle(msg: unknown): boolean }): void {
    for (let k = 0; k < this.#span; k++) {
      const msg = this.#slots[(this.#head + k) & this.#mask];
      if (msg === HOLE) continue;
      if (behaviour.handle(msg)) {
        // handle() may have pushed (and grown the buffer): find the message again from the oldest.
        this.#removeMessage(msg, k);
        k = -1;
      }
    }
  }

  /** Takes the oldest message, if any. */
  shift(): unknown {
    if (this.#size === 0) return undefined;
    const msg = this.#slots[this.#head];
    this.#remove(0);
    return msg;
  }

  /** Removes every message `pred` accepts, in one pass and in place; returns how many. */
  removeAll(pred: (msg: unknown) => boolean): number {
    const slots = this.#slots;
    const mask = this.#mask;
    const head = this.#head;
    const span = this.#span;
    // Kept messages (and only they) slide towards the head; holes go with the removed ones.
    let kept = 0;
    for (let k = 0; k < span; k++) {
      const msg = slots[(head + k) & mask];
      if (msg === HOLE || pred(msg)) continue;
      if (kept !== k) slots[(head + kept) & mask] = msg;
      kept++;
    }
    if (kept === span) return 0;
    for (let k = kept; k < span; k++) slots[(head + k) & mask] = undefined;
    const removed = this.#size - kept;
    this.#span = this.#size = kept;
    if (kept === 0) this.#emptied();
    return removed;
  }

  toArray(): unknown[] {
    const out: unknown[] = [];
    for (let k = 0; k < this.#span; k++) {
      const msg = this.#slots[(this.#head + k) & this.#mask];
      if (msg !== HOLE) out.push(msg);
    }
    return out;
  }

  clear(): unknown[] {
    const all = this.toArray();
    this.#slots = NONE;
    this.#mask = this.#head = this.#span = this.#size = 0;
    return all;
  }

  /** Removes `msg`, expected at offset `k` (it may have moved if the buffer grew or was squeezed). */
  #removeMessage(msg: unknown, k: number): void {
    if (k < this.#span && this.#slots[(this.#head + k) & this.#mask] === msg) {
      this.#remove(k);
      return;
    }
    for (let j = 0; j < this.#span; j++) {
      if (this.#slots[(this.#head + j) & this.#mask] === msg) {
        this.#remove(j);
        return;
      }
    }
  }

  /** Removes the message at offset `k` from the head. */
  #remove(k: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    this.#size--;
    if (k === 0) {
      // From the head: drop it and any holes behind it.
      slots[this.#head] = undefined;
      this.#head = (this.#head + 1) & mask;
      this.#span--;
      while (this.#span > 0 && slots[this.#head] === HOLE) {
        slots[this.#head] = undefined;
        this.#head = (this.#head + 1) & mask;
        this.#span--;
      }
      if (this.#span === 0) this.#emptied();
    } else if (k === this.#span - 1) {
      // From the tail: drop it and any holes before it.
      slots[(this.#head + k) & mask] = undefined;
      this.#span--;
      while (this.#span > 0 && slots[(this.#head + this.#span - 1) & mask] === HOLE) {
        slots[(this.#head + this.#span - 1) & mask] = undefined;
        this.#span--;
      }
    } else {
      slots[(this.#head + k) & mask] = HOLE;
      // Scans skip holes; squeeze them out once they outnumber the messages.
      if (this.#span - this.#size > this.#size + MIN_CAPACITY) this.#squeeze();
    }
  }

  // An idle process (a connection actor, say) keeps no buffer; a busy stream keeps its own.
  #emptied(): void {
    this.#head = 0;
    if (this.#slots.length <= MIN_CAPACITY) {
      this.#slots = NONE;
      this.#mask = 0;
    }
  }

  #grow(): void {
    this.#relayout(Math.max(MIN_CAPACITY, this.#slots.length * 2));
  }

  #squeeze(): void {
    let capacity = MIN_CAPACITY;
    while (capacity < this.#size) capacity *= 2;
    // Keep a big buffer while it is still more than a quarter full; otherwise shrink.
    if (this.#size * 4 > this.#slots.length) capacity = this.#slots.length;
    this.#relayout(capacity);
  }

  /** Copies the messages, holes left out, to the start of a new buffer of `capacity` slots. */
  #relayout(capacity: number): void {
    const slots = new Array<Slot>(capacity);
    let n = 0;
    for (let k = 0; k < this.#span; k++) {
      const msg = this.#slots[(this.#head + k) & this.#mask];
      if (msg !== HOLE) slots[n++] = msg;
    }
    this.#slots = slots;
    this.#mask = capacity - 1;
    this.#head = 0;
    this.#span = this.#size = n;
  }
}
